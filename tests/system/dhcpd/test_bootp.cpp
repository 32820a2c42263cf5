// BOOTP (RFC 951) with Debian's bootpc: a host entry's fixed address with its boot server and
// file (what PXE firmware asks for), and an address from a `range dynamic-bootp`.
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

namespace superd::system_test::dhcp {
namespace {

// bootpc prints the answer as shell assignments: KEY='value'.
std::map<std::string, std::string> parse_bootpc(const std::string& out) {
    std::map<std::string, std::string> vars;
    static const std::regex line(R"(^([A-Z_0-9]+)='([^']*)'$)");
    std::istringstream in(out);
    for (std::string l; std::getline(in, l);) {
        std::smatch m;
        if (std::regex_match(l, m, line)) vars[m[1]] = m[2];
    }
    return vars;
}

// bootpc sends to 255.255.255.255 through the routing table (it needs a route for that) and
// asks for a broadcast answer: it has no address to receive a unicast one on.
CommandResult run_bootpc(const NetPair& pair) {
    pair.cli.ip({"route", "replace", "255.255.255.255/32", "dev", "cli0"});
    return pair.cli.run(
        {"bootpc", "--dev", "cli0", "--timeoutwait", "10", "--returniffail", "--serverbcast"}, 20s);
}

std::string bootp_config(const NetPair& pair, const std::string& pool, const std::string& host) {
    return fill(R"(ping-check false;
subnet @net@.0 netmask 255.255.255.0 {
    @pool@
    option routers @net@.1;
    option domain-name-servers @net@.53;
}
@host@
)",
                {{"net", pair.net}, {"pool", pool}, {"host", host}});
}

TEST_F(DhcpTest, BootpClientGetsItsFixedAddressBootServerAndFile) {
    REQUIRE_PEER("/usr/sbin/bootpc", "bootpc");
    NetPair pair(5, client_mac(5, 1));
    write_file(file("dhcpd.conf"),
               bootp_config(pair, "range dynamic-bootp " + pair.net + ".100 " + pair.net + ".150;",
                            fill(R"(host pxe {
    hardware ethernet @mac@;
    fixed-address @net@.42;
    next-server @net@.7;
    filename "pxelinux.0";
}
)",
                                 {{"mac", pair.mac}, {"net", pair.net}})));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());

    auto r = run_bootpc(pair);
    ASSERT_EQ(r.status, 0) << r.out << server.log();
    auto vars = parse_bootpc(r.out);
    EXPECT_EQ(vars["IPADDR"], pair.net + ".42") << r.out;
    EXPECT_EQ(vars["SERVER"], pair.net + ".7") << r.out; // siaddr: next-server
    EXPECT_EQ(vars["BOOTFILE"], "pxelinux.0") << r.out;
    EXPECT_EQ(vars["NETMASK"], "255.255.255.0") << r.out;
    EXPECT_EQ(vars["GATEWAYS"], pair.net + ".1") << r.out;
    EXPECT_EQ(vars["DNSSRVS"], pair.net + ".53") << r.out;
}

TEST_F(DhcpTest, BootpClientGetsAnAddressFromADynamicBootpRange) {
    REQUIRE_PEER("/usr/sbin/bootpc", "bootpc");
    NetPair pair(9, client_mac(9, 1));
    write_file(
        file("dhcpd.conf"),
        bootp_config(pair, "range dynamic-bootp " + pair.net + ".100 " + pair.net + ".150;", ""));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());

    auto r = run_bootpc(pair);
    ASSERT_EQ(r.status, 0) << r.out << server.log();
    auto vars = parse_bootpc(r.out);
    const std::string ip = vars["IPADDR"];
    EXPECT_TRUE(std::regex_match(ip, std::regex(R"(10\.99\.9\.(1[0-4][0-9]|150))"))) << r.out;
    EXPECT_EQ(vars["GATEWAYS"], pair.net + ".1") << r.out;
    // A BOOTP client never renews: its lease is active (ISC: "ends never") in the lease file.
    bool written = wait_until(
        [&] {
            auto leases = read_leases(server.leases());
            return leases.count(ip) && leases[ip].state == "active" && leases[ip].mac == pair.mac;
        },
        5s);
    EXPECT_TRUE(written) << read_file(server.leases());
}

} // namespace
} // namespace superd::system_test::dhcp
