// One server on two links: the interface a broadcast arrives on (IP_PKTINFO) picks the subnet,
// and the reply names the server by its address on that link.
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

namespace superd::system_test::dhcp {
namespace {

TEST_F(DhcpTest, TheArrivalInterfacePicksTheSubnet) {
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    NetPair pair(11, client_mac(11, 1)); // srv0 10.99.11.1/24 <-> cli0 in pair.cli
    Netns other("cl2");                  // srv1 10.99.12.1/24 <-> cli1 in `other`
    add_veth(pair.srv, "srv1", "", other, "cli1", client_mac(12, 1));
    pair.srv.ip({"addr", "add", "10.99.12.1/24", "dev", "srv1"});
    write_file(file("dhcpd.conf"), R"(ping-check false;
default-lease-time 600;
subnet 10.99.11.0 netmask 255.255.255.0 {
    range 10.99.11.100 10.99.11.150;
    option routers 10.99.11.1;
}
subnet 10.99.12.0 netmask 255.255.255.0 {
    range 10.99.12.100 10.99.12.150;
    option routers 10.99.12.1;
}
)");
    DhcpServer server(pair.srv, dir_, std::vector<std::string>{"srv0", "srv1"});
    ASSERT_TRUE(server.start());
    write_script(file("hook"), udhcpc_script(file("records")));
    for (auto [ns, iface] : {std::pair{&pair.cli, "cli0"}, std::pair{&other, "cli1"}}) {
        Process client;
        ASSERT_TRUE(client.start(ns->exec(udhcpc_argv(iface, file("hook"), {"-q", "-n"})),
                                 file("udhcpc.log")));
        auto status = client.wait_exit(15s);
        ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
            << client.log() << server.log();
    }
    std::map<std::string, Record> got;
    for (auto& rec : read_records(file("records")))
        if (rec["event"] == "bound") got[rec["interface"]] = rec;
    ASSERT_EQ(got.size(), 2u) << server.log();
    for (auto [iface, net] : {std::pair{"cli0", "10.99.11."}, std::pair{"cli1", "10.99.12."}}) {
        EXPECT_TRUE(got[iface]["ip"].starts_with(net)) << iface << ": " << got[iface]["ip"];
        EXPECT_EQ(got[iface]["router"], std::string(net) + "1");
        EXPECT_EQ(got[iface]["serverid"], std::string(net) + "1");
    }
}

} // namespace
} // namespace superd::system_test::dhcp
