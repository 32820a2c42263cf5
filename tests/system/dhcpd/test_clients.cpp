// Debian's DHCP clients against the server, each on one link to it: busybox udhcpc (DORA, the
// options, RENEW, RELEASE), ISC dhclient (a RENEW at T1, `dhclient -r`), dhcpcd (configures
// itself), and a reserved host. Asserted is what the client got and configured, and what the
// lease file says; server log lines are not.
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <set>

#include <sys/wait.h>

namespace superd::system_test::dhcp {
namespace {

// One subnet 10.99.N.0/24 with a pool .100-.150 and every option the clients are asked about.
std::string options_config(const NetPair& pair, int lease_seconds, const std::string& more = "") {
    return fill(R"(ping-check false;
default-lease-time @lease@;
max-lease-time @lease@;
subnet @net@.0 netmask 255.255.255.0 {
    range @net@.100 @net@.150;
    option subnet-mask 255.255.255.0;
    option routers @net@.1;
    option domain-name-servers @net@.53, @net@.54;
    option ntp-servers @net@.123;
    option domain-name "lab.test";
}
)",
                {{"net", pair.net}, {"lease", std::to_string(lease_seconds)}}) +
           more;
}

bool in_pool(const NetPair& pair, const std::string& ip) {
    if (!ip.starts_with(pair.net + ".")) return false;
    int host = std::atoi(ip.substr(pair.net.size() + 1).c_str());
    return host >= 100 && host <= 150;
}

// Waits until the lease file's last word on `ip` is `binding state` in `states` for `mac`.
bool wait_lease(const DhcpServer& server, const std::string& ip, const std::string& mac,
                const std::set<std::string>& states, std::chrono::milliseconds timeout = 5s) {
    return wait_until(
        [&] {
            auto leases = read_leases(server.leases());
            auto it = leases.find(ip);
            return it != leases.end() && it->second.mac == mac && states.count(it->second.state);
        },
        timeout, 50ms);
}

bool exited_zero(const std::optional<int>& status) {
    return status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0;
}

// The options of options_config() as dhclient's and dhcpcd's hooks get them (new_*).
void expect_lab_options(Record& bound, const NetPair& pair, const std::string& lease) {
    EXPECT_EQ(bound["new_subnet_mask"], "255.255.255.0");
    EXPECT_EQ(bound["new_routers"], pair.net + ".1");
    EXPECT_EQ(bound["new_domain_name_servers"], pair.net + ".53 " + pair.net + ".54");
    EXPECT_EQ(bound["new_ntp_servers"], pair.net + ".123");
    EXPECT_EQ(bound["new_domain_name"], "lab.test");
    EXPECT_EQ(bound["new_dhcp_lease_time"], lease);
}

TEST_F(DhcpTest, UdhcpcGetsAnAddressWithItsOptionsRenewsAndReleases) {
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    NetPair pair(1, client_mac(1, 1));
    write_file(file("dhcpd.conf"), options_config(pair, 600));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());
    write_script(file("hook"), udhcpc_script(file("records")));
    Process client;
    ASSERT_TRUE(client.start(pair.cli.exec(udhcpc_argv("cli0", file("hook"))), file("udhcpc.log")));

    auto bound = wait_record(file("records"), "bound", 15s);
    ASSERT_TRUE(bound) << client.log() << server.log();
    const std::string ip = (*bound)["ip"];
    EXPECT_TRUE(in_pool(pair, ip)) << ip;
    EXPECT_EQ((*bound)["subnet"], "255.255.255.0");
    EXPECT_EQ((*bound)["router"], pair.net + ".1");
    EXPECT_EQ((*bound)["dns"], pair.net + ".53 " + pair.net + ".54");
    EXPECT_EQ((*bound)["ntpsrv"], pair.net + ".123");
    EXPECT_EQ((*bound)["domain"], "lab.test");
    EXPECT_EQ((*bound)["lease"], "600");
    EXPECT_EQ((*bound)["serverid"], pair.net + ".1");
    EXPECT_EQ(pair.cli.addresses("cli0"), std::vector<std::string>{ip + "/24"});
    EXPECT_TRUE(wait_lease(server, ip, pair.mac, {"active"})) << read_file(server.leases());

    // SIGUSR1: udhcpc unicasts a REQUEST from its address (RENEWING); the ACK is a "renew".
    std::size_t seen = read_records(file("records")).size();
    client.signal(SIGUSR1);
    auto renewed = wait_record(file("records"), "renew", 10s, seen);
    ASSERT_TRUE(renewed) << client.log() << server.log();
    EXPECT_EQ((*renewed)["ip"], ip);
    EXPECT_EQ((*renewed)["serverid"], pair.net + ".1");
    EXPECT_TRUE(wait_lease(server, ip, pair.mac, {"active"})) << read_file(server.leases());

    // SIGUSR2: udhcpc sends a RELEASE and drops the address.
    client.signal(SIGUSR2);
    EXPECT_TRUE(wait_lease(server, ip, pair.mac, {"free", "released"}))
        << read_file(server.leases()) << client.log() << server.log();
    EXPECT_TRUE(wait_until([&] { return pair.cli.addresses("cli0").empty(); }, 5s));
    client.signal(SIGTERM);
    EXPECT_TRUE(client.wait_exit(5s)) << client.log();
    EXPECT_TRUE(server.running()) << server.log();
}

TEST_F(DhcpTest, DhclientGetsAnAddressRenewsAtT1AndReleasesWithDashR) {
    REQUIRE_PEER("/usr/sbin/dhclient", "isc-dhcp-client");
    NetPair pair(2, client_mac(2, 1));
    // Lease 16 s: T1 at 8 s, and dhclient renews between 3/4 T1 and T1.
    write_file(file("dhcpd.conf"), options_config(pair, 16));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());
    write_script(file("hook"), dhclient_script(file("records")));
    // Its own config: no waiting a minute for an answer, and NTP servers asked for.
    write_file(file("dhclient.conf"),
               "timeout 15;\ninitial-interval 1;\n"
               "request subnet-mask, routers, domain-name, domain-name-servers, ntp-servers,\n"
               "        dhcp-lease-time;\n");
    std::vector<std::string> common{"-cf", file("dhclient.conf"), "-lf", file("dhclient.leases"),
                                    "-pf", file("dhclient.pid"),  "-sf", file("hook")};
    std::vector<std::string> argv{"dhclient", "-4", "-d", "-1", "-v"};
    argv.insert(argv.end(), common.begin(), common.end());
    argv.push_back("cli0");
    Process client;
    ASSERT_TRUE(client.start(pair.cli.exec(argv), file("dhclient.log")));

    auto bound = wait_record(file("records"), "BOUND", 20s);
    ASSERT_TRUE(bound) << client.log() << server.log();
    const std::string ip = (*bound)["new_ip_address"];
    EXPECT_TRUE(in_pool(pair, ip)) << ip;
    expect_lab_options(*bound, pair, "16");
    EXPECT_EQ((*bound)["new_dhcp_server_identifier"], pair.net + ".1");
    EXPECT_EQ(pair.cli.addresses("cli0"), std::vector<std::string>{ip + "/24"});
    EXPECT_TRUE(wait_lease(server, ip, pair.mac, {"active"})) << read_file(server.leases());

    auto renewed = wait_record(file("records"), "RENEW", 15s);
    ASSERT_TRUE(renewed) << client.log() << server.log();
    EXPECT_EQ((*renewed)["new_ip_address"], ip);
    EXPECT_EQ((*renewed)["new_dhcp_lease_time"], "16");
    EXPECT_TRUE(wait_lease(server, ip, pair.mac, {"active"})) << read_file(server.leases());

    // `dhclient -r`: stops the running dhclient (its -pf) and releases the lease.
    std::vector<std::string> release{"dhclient", "-4", "-r", "-v"};
    release.insert(release.end(), common.begin(), common.end());
    release.push_back("cli0");
    auto r = pair.cli.run(release, 20s);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_TRUE(client.wait_exit(5s)) << client.log();
    EXPECT_TRUE(wait_record(file("records"), "RELEASE", 5s)) << r.out;
    EXPECT_TRUE(wait_lease(server, ip, pair.mac, {"free", "released"}))
        << read_file(server.leases()) << server.log();
    EXPECT_TRUE(pair.cli.addresses("cli0").empty());
}

TEST_F(DhcpTest, DhcpcdConfiguresItselfRebindsAndReleases) {
    REQUIRE_PEER("/usr/sbin/dhcpcd", "dhcpcd-base");
    REQUIRE_PEER("/usr/bin/unshare", "util-linux");
    NetPair pair(3, client_mac(3, 1));
    write_file(file("dhcpd.conf"), options_config(pair, 600));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());
    write_script(file("hook"), dhcpcd_script(file("records")));
    // Its own config (not /etc/dhcpcd.conf and its hooks); no ARP probe of the address (1 s).
    write_file(file("dhcpcd.conf"),
               "ipv4only\nnoarp\nnoipv4ll\n"
               "option subnet_mask, routers, domain_name_servers, domain_name, ntp_servers\n");
    // Its state (/run/dhcpcd, /var/lib/dhcpcd) on tmpfs in a private mount namespace, where the
    // running dhcpcd and the `dhcpcd -n` (rebind: a REQUEST for its address) and `dhcpcd -k`
    // (release, then exit: hook STOP) that talk to it over its control socket all run. Every wait
    // is bounded; the exit status says which step failed.
    write_script(file("dhcpcd.sh"), fill(R"SH(set -u
mount -t tmpfs tmpfs /run && mount -t tmpfs tmpfs /var/lib/dhcpcd || exit 10
events() { n=$(grep -c "^event=$1" '@records@' 2>/dev/null); echo "${n:-0}"; }
wait_for() { # EVENT COUNT
    for i in $(seq 150); do [ "$(events "$1")" -ge "$2" ] && return 0; sleep 0.1; done
    echo "no $2 x $1 event"; return 1
}
dhcpcd -4 -B -d -t 15 -f '@conf@' -c '@hook@' cli0 > '@log@' 2>&1 &
daemon=$!
wait_for BOUND 1 || exit 11
ip -4 -o addr show cli0 > '@addrs@'
ip -4 route show default > '@routes@'
dhcpcd -4 -f '@conf@' -n cli0 || exit 12
wait_for 'RE\(BOOT\|NEW\|BIND\)' 1 || exit 13
dhcpcd -4 -f '@conf@' -k cli0 || exit 14
for i in $(seq 100); do kill -0 $daemon 2>/dev/null || exit 0; sleep 0.1; done
kill $daemon; exit 16
)SH",
                                         {{"records", file("records")},
                                          {"conf", file("dhcpcd.conf")},
                                          {"hook", file("hook")},
                                          {"log", file("dhcpcd.log")},
                                          {"addrs", file("addrs")},
                                          {"routes", file("routes")}}));
    auto r =
        pair.cli.run({"unshare", "-m", "--propagation", "private", "sh", file("dhcpcd.sh")}, 60s);
    ASSERT_EQ(r.status, 0) << r.out << read_file(file("dhcpcd.log")) << server.log();

    auto bound = wait_record(file("records"), "BOUND", 1s);
    ASSERT_TRUE(bound) << r.out;
    const std::string ip = (*bound)["new_ip_address"];
    EXPECT_TRUE(in_pool(pair, ip)) << ip;
    expect_lab_options(*bound, pair, "600");
    // dhcpcd configured them itself.
    EXPECT_NE(read_file(file("addrs")).find("inet " + ip + "/24"), std::string::npos)
        << read_file(file("addrs"));
    EXPECT_NE(read_file(file("routes")).find("default via " + pair.net + ".1 dev cli0"),
              std::string::npos)
        << read_file(file("routes"));
    // The rebind kept the address; the release freed it in the lease file.
    std::string rebound;
    for (auto& rec : read_records(file("records")))
        if (rec["event"] == "REBOOT" || rec["event"] == "RENEW" || rec["event"] == "REBIND")
            rebound = rec["new_ip_address"];
    EXPECT_EQ(rebound, ip) << read_file(file("records"));
    EXPECT_TRUE(wait_lease(server, ip, pair.mac, {"released", "free"}))
        << read_file(server.leases());
}

TEST_F(DhcpTest, ReservedHostGetsItsFixedAddress) {
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    NetPair pair(6, client_mac(6, 1));
    // A second client on the same link (a macvlan on the veth) gets one from the pool.
    pair.cli.ip({"link", "add", "link", "cli0", "name", "cli1", "address", client_mac(6, 2), "type",
                 "macvlan", "mode", "bridge"});
    pair.cli.ip({"link", "set", "cli1", "up"});
    write_file(file("dhcpd.conf"), options_config(pair, 600,
                                                  fill("host reserved {\n"
                                                       "    hardware ethernet @mac@;\n"
                                                       "    fixed-address @net@.42;\n"
                                                       "}\n",
                                                       {{"mac", pair.mac}, {"net", pair.net}})));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());
    write_script(file("hook"), udhcpc_script(file("records")));

    for (const char* iface : {"cli0", "cli1"}) {
        Process client;
        ASSERT_TRUE(client.start(pair.cli.exec(udhcpc_argv(iface, file("hook"), {"-q", "-n"})),
                                 file("udhcpc.log")));
        EXPECT_TRUE(exited_zero(client.wait_exit(15s))) << client.log() << server.log();
    }
    std::map<std::string, Record> got;
    for (auto& rec : read_records(file("records")))
        if (rec["event"] == "bound") got[rec["interface"]] = rec;
    ASSERT_EQ(got.size(), 2u) << client_mac(6, 2) << "\n" << server.log();
    EXPECT_EQ(got["cli0"]["ip"], pair.net + ".42");
    EXPECT_EQ(got["cli0"]["router"], pair.net + ".1");
    EXPECT_EQ(got["cli0"]["dns"], pair.net + ".53 " + pair.net + ".54");
    EXPECT_EQ(pair.cli.addresses("cli0"), std::vector<std::string>{pair.net + ".42/24"});
    EXPECT_TRUE(in_pool(pair, got["cli1"]["ip"])) << got["cli1"]["ip"];
    EXPECT_TRUE(wait_lease(server, got["cli1"]["ip"], client_mac(6, 2), {"active"}))
        << read_file(server.leases());
}

} // namespace
} // namespace superd::system_test::dhcp
