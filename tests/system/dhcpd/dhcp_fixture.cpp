#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

namespace superd::system_test::dhcp {

namespace {

std::string other_server() {
    const char* s = std::getenv("DHCPD_TEST_SERVER");
    return s ? s : "";
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    auto e = s.find_last_not_of(" \t\r;");
    return s.substr(b, e - b + 1);
}

} // namespace

bool testing_other_server() {
    return !other_server().empty();
}

std::string server_binary() {
    return testing_other_server() ? other_server() : std::string(SUPERD_DHCPD_BIN);
}

std::vector<std::string> server_argv(const std::string& conf, const std::string& leases,
                                     const std::vector<std::string>& ifaces) {
    std::vector<std::string> argv{server_binary()};
    if (testing_other_server()) argv.push_back("-4"); // ISC dhcpd: v4 only
    argv.insert(argv.end(), {"-f", "-d", "-cf", conf, "-lf", leases, "-pf", leases + ".pid"});
    argv.insert(argv.end(), ifaces.begin(), ifaces.end());
    return argv;
}

std::string client_mac(int net, int host) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "02:99:%02x:00:00:%02x", net & 0xff, host & 0xff);
    return buf;
}

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
    for (const auto& [key, value] : values) {
        std::string token = "@" + key + "@";
        for (auto pos = text.find(token); pos != std::string::npos;
             pos = text.find(token, pos + value.size()))
            text.replace(pos, token.size(), value);
    }
    return text;
}

NetPair::NetPair(int n, const std::string& client)
    : net("10.99." + std::to_string(n))
    , mac(client) {
    add_veth(srv, "srv0", "", cli, "cli0", mac);
    srv.ip({"addr", "add", net + ".1/24", "dev", "srv0"});
}

// ---- DhcpServer

DhcpServer::DhcpServer(const Netns& ns, const TempDir& dir, std::vector<std::string> ifaces)
    : ns_(ns)
    , ifaces_(std::move(ifaces))
    , conf_(dir.file("dhcpd.conf"))
    , leases_(dir.file("dhcpd.leases"))
    , log_(dir.file("dhcpd.log")) {}

::testing::AssertionResult DhcpServer::start() {
    if (!std::filesystem::exists(leases_)) write_file(leases_, "");
    std::filesystem::remove(leases_ + ".pid"); // ISC's refuses to start beside a live PID
    proc_.kill_now();
    if (!proc_.start(ns_.exec(server_argv(conf_, leases_, ifaces_)), log_))
        return ::testing::AssertionFailure() << "cannot fork";
    bool up = wait_until([&] { return !proc_.running() || udp_port_bound(ns_, 67); }, 10s);
    if (up && proc_.running()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << server_binary() << (proc_.running() ? " does not listen on UDP port 67" : " exited")
           << "; its log:\n"
           << log();
}

::testing::AssertionResult start_under_superd(Superd& superd, const Netns& ns, const TempDir& dir,
                                              int idle_seconds) {
    std::string args = "-cf " + dir.file("dhcpd.conf") + " -lf " + dir.file("dhcpd.leases") +
                       " --idle-timeout " + std::to_string(idle_seconds) + " --log-file " +
                       dir.file("dhcpd.log");
    std::string service = service_block(
        "dhcpd", {"type = UNLISTED", "socket_type = dgram", "protocol = udp", "wait = yes",
                  "flags = IPv4", "bind = 0.0.0.0", "port = 67", "user = root",
                  "server = " + std::string(SUPERD_DHCPD_BIN), "server_args = " + args});
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), service));
    if (!std::filesystem::exists(dir.file("dhcpd.leases")))
        write_file(dir.file("dhcpd.leases"), "");
    EnterNetns inside(ns);
    if (!inside.ok())
        return ::testing::AssertionFailure() << "setns into " << ns.name() << " failed";
    if (!superd.start(dir.file("superd.conf")))
        return ::testing::AssertionFailure() << "superd did not start:\n" << superd.log();
    return ::testing::AssertionSuccess();
}

bool udp_port_bound(const Netns& ns, int port) {
    char hex[16];
    std::snprintf(hex, sizeof hex, ":%04X ", port);
    std::istringstream in(ns.run({"cat", "/proc/net/udp"}, 5s).out);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        std::string slot, local;
        fields >> slot >> local;
        if ((local + " ").find(hex) != std::string::npos) return true;
    }
    return false;
}

// ---- lease file

std::map<std::string, Lease> read_leases(const std::string& path) {
    std::map<std::string, Lease> leases;
    std::istringstream in(read_file(path));
    std::optional<Lease> entry;
    // Line-based, as ISC writes it: "lease A {", one statement a line, "}" alone. A string
    // (uid) may hold a brace, so braces inside lines are not counted. A torn last entry is
    // ignored, as the servers do.
    for (std::string raw; std::getline(in, raw);) {
        std::string line = trim(raw);
        if (!entry) {
            if (line.starts_with("lease ") && line.ends_with("{")) {
                entry.emplace();
                std::istringstream words(line);
                std::string kw;
                words >> kw >> entry->address;
                entry->text = raw + "\n";
            }
            continue;
        }
        entry->text += raw + "\n";
        if (line == "}") {
            leases[entry->address] = *entry;
            entry.reset();
        } else if (line.starts_with("binding state ")) {
            entry->state = line.substr(14);
        } else if (line.starts_with("hardware ethernet ")) {
            entry->mac = line.substr(18);
        }
    }
    return leases;
}

// ---- records

std::vector<Record> read_records(const std::string& path) {
    std::vector<Record> out;
    std::istringstream in(read_file(path));
    Record current;
    for (std::string line; std::getline(in, line);) {
        if (line.empty()) {
            if (!current.empty()) out.push_back(std::move(current));
            current.clear();
            continue;
        }
        auto eq = line.find('=');
        if (eq != std::string::npos) current[line.substr(0, eq)] = line.substr(eq + 1);
    }
    // A block without its closing blank line is still being written: not yet a record.
    return out;
}

std::optional<Record> wait_record(const std::string& path, const std::string& event,
                                  std::chrono::milliseconds timeout, std::size_t from) {
    std::optional<Record> found;
    wait_until(
        [&] {
            auto all = read_records(path);
            for (std::size_t i = from; i < all.size(); ++i)
                if (all[i]["event"] == event) {
                    found = all[i];
                    return true;
                }
            return false;
        },
        timeout, 50ms);
    return found;
}

std::string udhcpc_script(const std::string& out) {
    return fill(R"(# udhcpc's hook: $1 is the event, the lease is in the environment.
case "$1" in
deconfig) ip -4 addr flush dev "$interface" ;;
bound) ip -4 addr flush dev "$interface"; ip addr add "$ip/${mask:-24}" dev "$interface" ;;
renew) ip addr replace "$ip/${mask:-24}" dev "$interface" ;;
esac
{
    echo "event=$1"
    env | grep -E '^(interface|ip|mask|subnet|router|dns|ntpsrv|lease|domain|serverid|siaddr|boot_file|sname)='
    echo
} >> '@out@'
exit 0
)",
                {{"out", out}});
}

std::string dhclient_script(const std::string& out) {
    return fill(R"(# dhclient's hook (-sf): $reason, new_* and old_* in the environment.
case "$reason" in
PREINIT) ip link set dev "$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
    if [ -n "$old_ip_address" ] && [ "$old_ip_address" != "$new_ip_address" ]; then
        ip -4 addr flush dev "$interface"
    fi
    ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
EXPIRE|FAIL|RELEASE|STOP) ip -4 addr flush dev "$interface" ;;
esac
{
    echo "event=$reason"
    env | grep -E '^(interface|new_[a-z_]+|old_ip_address)='
    echo
} >> '@out@'
exit 0
)",
                {{"out", out}});
}

std::string dhcpcd_script(const std::string& out) {
    return fill(R"(# dhcpcd's hook (-c): dhcpcd configures the interface itself; this only records.
{
    echo "event=$reason"
    env | grep -E '^(interface|new_[a-z_]+)='
    echo
} >> '@out@'
exit 0
)",
                {{"out", out}});
}

std::vector<std::string> udhcpc_argv(const std::string& iface, const std::string& script,
                                     const std::vector<std::string>& extra) {
    std::vector<std::string> argv{"busybox", "udhcpc", "-f", "-t", "5", "-T", "1", "-s", script};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"-i", iface});
    return argv;
}

void DhcpTest::SetUp() {
    std::string why;
    if (!netns_supported(&why)) GTEST_SKIP() << why;
    ::chmod(dir_.path().c_str(), 0755);
}

} // namespace superd::system_test::dhcp
