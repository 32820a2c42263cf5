// The lease file under kill -9: 24 udhcpc clients (each on a macvlan of its own, so each has
// its own MAC) keep asking for their lease in a loop while the server is killed with SIGKILL
// (three times, at random moments: the seed is printed) and started again on the same lease
// file; 8 more clients arrive after the first restart. Every
// address a client was ACKed must be in the lease file as active for that client, each client
// must keep one address across the crash, and no address may go to two clients.
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

namespace superd::system_test::dhcp {
namespace {

constexpr int first_clients = 24;
constexpr int late_clients = 8;
constexpr int kills = 3;

struct Ack {
    std::string iface, ip;
};

// One line per ACK a client got: "IFACE IP" (udhcpc runs its script with "bound").
std::vector<Ack> read_acks(const std::string& path) {
    std::vector<Ack> acks;
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        Ack a;
        if (words >> a.iface >> a.ip) acks.push_back(a);
    }
    return acks;
}

// Clients that ask again as soon as they are done: `udhcpc -q -n` does a whole DISCOVER /
// OFFER / REQUEST / ACK (or gives up after 3 DISCOVERs a second apart) and exits; a run that
// takes longer than 10 s is killed.
class ClientLoop {
  public:
    ClientLoop(const Netns& ns, const TempDir& dir)
        : ns_(ns)
        , dir_(dir) {}
    void add(const std::string& iface) { slots_.push_back({iface, nullptr}); }
    std::size_t size() const { return slots_.size(); }

    // Restarts the clients that are done; call it often.
    void pump() {
        for (auto& s : slots_) {
            if (s.proc && s.proc->running()) {
                if (std::chrono::steady_clock::now() - s.proc->started() > 10s) s.proc->kill_now();
                continue;
            }
            s.proc = std::make_unique<Process>();
            s.proc->start(ns_.exec({"busybox", "udhcpc", "-f", "-q", "-n", "-t", "3", "-T", "1",
                                    "-s", dir_.file("hook"), "-i", s.iface}),
                          dir_.file("clients.log"));
        }
    }
    // Keeps pumping until `done` or the timeout.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
        return wait_until(
            [&] {
                pump();
                return done();
            },
            timeout, 20ms);
    }
    // Lets the running clients finish (a bounded time), then kills what is left.
    void stop() {
        wait_until(
            [&] {
                for (auto& s : slots_)
                    if (s.proc && s.proc->running()) return false;
                return true;
            },
            10s, 50ms);
        for (auto& s : slots_)
            s.proc.reset();
    }

  private:
    struct Slot {
        std::string iface;
        std::unique_ptr<Process> proc;
    };
    const Netns& ns_;
    const TempDir& dir_;
    std::vector<Slot> slots_;
};

TEST_F(DhcpTest, EveryAckedLeaseSurvivesKillDashNineUnderLoad) {
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    NetPair pair(7, client_mac(7, 0));
    std::map<std::string, std::string> mac_of; // interface -> MAC
    for (int i = 0; i < first_clients + late_clients; ++i) {
        std::string iface = "mv" + std::to_string(i);
        mac_of[iface] = client_mac(7, i + 1);
        pair.cli.ip({"link", "add", "link", "cli0", "name", iface, "address", mac_of[iface], "type",
                     "macvlan", "mode", "bridge"});
        pair.cli.ip({"link", "set", iface, "up"});
    }
    write_file(file("dhcpd.conf"), fill(R"(ping-check false;
default-lease-time 600;
max-lease-time 600;
subnet @net@.0 netmask 255.255.255.0 {
    range @net@.10 @net@.250;
    option routers @net@.1;
}
)",
                                        {{"net", pair.net}}));
    write_script(file("hook"), "[ \"$1\" = bound ] && echo \"$interface $ip\" >> '" + file("acks") +
                                   "'\nexit 0\n");
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());

    ClientLoop clients(pair.cli, dir_);
    for (int i = 0; i < first_clients; ++i)
        clients.add("mv" + std::to_string(i));
    // Killed three times in the middle of the load: each time after about one more round of
    // ACKs and a random pause, so the kill lands at a different point of some exchange.
    unsigned seed = std::random_device{}();
    if (const char* s = std::getenv("DHCPD_TEST_SEED")) seed = std::stoul(s);
    std::cout << "[          ] seed " << seed << " (DHCPD_TEST_SEED)\n";
    std::mt19937 rng(seed);
    auto ack_count = [&] { return read_acks(file("acks")).size(); };
    std::vector<std::size_t> at_kill;
    std::size_t at_restart = 0;
    for (int kill = 0; kill < kills; ++kill) {
        std::size_t target = ack_count() + first_clients;
        ASSERT_TRUE(clients.run_until([&] { return ack_count() >= target; }, 20s))
            << ack_count() << " ACKs\n"
            << server.log();
        clients.run_until([] { return false; },
                          std::chrono::milliseconds(std::uniform_int_distribution(0, 300)(rng)));
        server.kill9();
        at_kill.push_back(ack_count());
        clients.run_until([] { return false; }, 1s); // clients ask a dead server meanwhile
        ASSERT_TRUE(server.start()) << "restart on the same lease file";
        at_restart = ack_count();
        if (kill == 0)
            for (int i = first_clients; i < first_clients + late_clients; ++i)
                clients.add("mv" + std::to_string(i));
    }
    // Every client, old and new, gets an ACK from the last server.
    auto all_served_again = [&] {
        auto acks = read_acks(file("acks"));
        std::set<std::string> served;
        for (std::size_t i = at_restart; i < acks.size(); ++i)
            served.insert(acks[i].iface);
        return served.size() == clients.size();
    };
    bool served = clients.run_until(all_served_again, 25s);
    clients.stop();
    ASSERT_TRUE(served) << server.log();
    ASSERT_TRUE(server.running()) << server.log();

    auto acks = read_acks(file("acks"));
    auto leases = read_leases(server.leases());
    std::map<std::string, std::set<std::string>> ips_of, clients_of;
    for (const auto& a : acks) {
        ips_of[a.iface].insert(a.ip);
        clients_of[a.ip].insert(a.iface);
    }
    for (const auto& [iface, ips] : ips_of)
        EXPECT_EQ(ips.size(), 1u) << iface << " got several addresses: the binding was lost";
    for (const auto& [ip, who] : clients_of)
        EXPECT_EQ(who.size(), 1u) << ip << " was given to " << who.size() << " clients";
    for (const auto& [ip, who] : clients_of) {
        const std::string& mac = mac_of[*who.begin()];
        auto it = leases.find(ip);
        ASSERT_NE(it, leases.end()) << ip << " (ACKed to " << mac << ") not in the lease file";
        EXPECT_EQ(it->second.state, "active") << it->second.text;
        EXPECT_EQ(it->second.mac, mac) << it->second.text;
    }
    std::cout << "[          ] " << acks.size() << " ACKs; kill -9 after ACK";
    for (auto n : at_kill)
        std::cout << " " << n;
    std::cout << "; " << acks.size() - at_restart << " after the last restart\n";
}

} // namespace
} // namespace superd::system_test::dhcp
