// The pure parts of superd-dhcpd's shell: the command line, the ICMP echo codec of ping-check and
// the --leases listing.
#include "dhcpd/config.hpp"
#include "dhcpd/lease_listing.hpp"
#include "dhcpd/options.hpp"
#include "dhcpd/ping_check.hpp"

#include <gtest/gtest.h>

namespace superd::dhcp {
namespace {

std::expected<Options, std::string> parse(std::vector<const char*> args) {
    args.insert(args.begin(), "superd-dhcpd");
    return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(DhcpdOptions, IscStyleCommandLine) {
    auto o = parse({"-4", "-f", "-cf", "a.conf", "-lf", "a.leases", "-p", "6767", "eth0", "eth1"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->mode, Options::Mode::serve);
    EXPECT_TRUE(o->foreground);
    EXPECT_FALSE(o->log_stderr);
    EXPECT_EQ(o->config_path, "a.conf");
    EXPECT_EQ(o->lease_path, "a.leases");
    EXPECT_EQ(o->port, 6767);
    EXPECT_EQ(o->interfaces, (std::vector<std::string>{"eth0", "eth1"}));
    auto d = parse({"-d", "--idle-timeout", "30", "--no-pid"});
    ASSERT_TRUE(d);
    EXPECT_TRUE(d->log_stderr && d->foreground && d->no_pid);
    EXPECT_EQ(d->idle_timeout, std::chrono::seconds(30));
    EXPECT_EQ(parse({"-t", "-cf", "x"})->mode, Options::Mode::check_config);
    EXPECT_EQ(parse({"-T"})->mode, Options::Mode::check_leases);
    EXPECT_TRUE(parse({"--leases", "--json"})->json);
}

TEST(DhcpdOptions, MistakesAreNamed) {
    EXPECT_EQ(parse({"-cf"}).error(), "-cf needs a value");
    EXPECT_EQ(parse({"-p", "0"}).error(), "-p: not a port: 0");
    EXPECT_EQ(parse({"-p", "70000"}).error(), "-p: not a port: 70000");
    EXPECT_EQ(parse({"--idle-timeout", "x"}).error(), "--idle-timeout: not a number of seconds: x");
    EXPECT_EQ(parse({"-x"}).error(), "unknown option -x");
    EXPECT_EQ(parse({"-6"}).error(), "-6: DHCPv6 is not supported");
    EXPECT_EQ(parse({"--json"}).error(), "--json goes with --leases");
}

std::vector<std::uint8_t> bytes(const std::string& s) {
    return {s.begin(), s.end()};
}

TEST(PingCheck, EchoRequestBytes) {
    const std::uint8_t payload[] = {'a', 'b', 'c'};
    auto p = bytes(icmp_echo_request(0x1234, 7, payload));
    // type 8, code 0, checksum, id, sequence, payload; the checksum makes the sum 0xffff.
    ASSERT_EQ(p.size(), 11u);
    EXPECT_EQ(p[0], 8);
    EXPECT_EQ(p[1], 0);
    EXPECT_EQ(p[4], 0x12);
    EXPECT_EQ(p[5], 0x34);
    EXPECT_EQ(p[7], 7);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < p.size(); i += 2)
        sum += static_cast<std::uint32_t>(p[i] << 8 | (i + 1 < p.size() ? p[i + 1] : 0));
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    EXPECT_EQ(sum, 0xffffu);
}

TEST(PingCheck, EchoReplyParsing) {
    // An echo reply as a raw socket gives it: a 20-byte IPv4 header, then ICMP.
    std::vector<std::uint8_t> raw(20, 0);
    raw[0] = 0x45;
    std::vector<std::uint8_t> icmp = {0, 0, 0xab, 0xcd, 0x12, 0x34, 0x00, 0x09, 'x'};
    raw.insert(raw.end(), icmp.begin(), icmp.end());
    EXPECT_EQ(icmp_echo_reply_sequence(raw, true, 0x1234), 9);
    EXPECT_FALSE(icmp_echo_reply_sequence(raw, true, 0x4321)); // someone else's ping
    EXPECT_EQ(icmp_echo_reply_sequence(icmp, false, std::nullopt), 9);
    // Not a reply, cut short, or a bad header length: nothing.
    auto request = icmp;
    request[0] = 8;
    EXPECT_FALSE(icmp_echo_reply_sequence(request, false, std::nullopt));
    EXPECT_FALSE(icmp_echo_reply_sequence(std::span(icmp).first(7), false, std::nullopt));
    auto bad = raw;
    bad[0] = 0x4f; // 60-byte header, longer than the packet's ICMP part allows
    EXPECT_FALSE(icmp_echo_reply_sequence(std::span(bad).first(40), true, 0x1234));
    EXPECT_FALSE(icmp_echo_reply_sequence({}, true, 0x1234));
    bad[0] = 0x41; // header length 4 bytes: impossible
    EXPECT_FALSE(icmp_echo_reply_sequence(bad, true, 0x1234));
}

TEST(LeaseListing, ActiveLeasesOnly) {
    const std::int64_t now = 1'795'000'000;
    std::map<std::uint32_t, Lease> leases;
    Lease a;
    a.address = 0x0a630064; // 10.99.0.100
    a.binding = BindingState::active;
    a.starts = now - 10;
    a.ends = now + 600;
    a.hardware_ethernet = MacAddress{2, 0, 0, 0x99, 0, 1};
    a.uid = {1, 2, 0, 0, 0x99, 0, 1};
    a.client_hostname = "vm\x01";
    leases[a.address] = a;
    Lease expired = a;
    expired.address = 0x0a630065;
    expired.ends = now - 1;
    leases[expired.address] = expired;
    Lease released = a;
    released.address = 0x0a630066;
    released.binding = BindingState::released;
    leases[released.address] = released;
    Lease bootp = a;
    bootp.address = 0x0a6300c8;
    bootp.ends = Lease::never;
    bootp.hardware_ethernet.reset();
    leases[bootp.address] = bootp;

    std::string table = leases_table(leases, now);
    EXPECT_NE(table.find("10.99.0.100      02:00:00:99:00:01  2026-11-18T11:16:40Z  vm"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("vm\\x01"), std::string::npos);
    EXPECT_NE(table.find("10.99.0.200      -                  never"), std::string::npos) << table;
    EXPECT_EQ(table.find("10.99.0.101"), std::string::npos);
    EXPECT_EQ(table.find("10.99.0.102"), std::string::npos);
    EXPECT_NE(table.find("2 active lease(s)"), std::string::npos);

    std::string json = leases_json(leases, now);
    EXPECT_NE(json.find(R"("address":"10.99.0.100","state":"active")"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("client_id":"01:02:00:00:99:00:01")"), std::string::npos);
    EXPECT_NE(json.find(R"("ends":"never")"), std::string::npos);
    EXPECT_EQ(json.find("10.99.0.101"), std::string::npos);
    EXPECT_NE(leases_json(leases, now, true).find("10.99.0.101"), std::string::npos);
}

} // namespace
} // namespace superd::dhcp
