// ping-check: a host squatting on an address of the pool (configured by hand, unknown to the
// server) answers the server's ICMP echo, so the client is offered another address and the
// squatted one is recorded abandoned.
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

namespace superd::system_test::dhcp {
namespace {

TEST_F(DhcpTest, PingCheckSkipsAnAddressSomeoneAnswersOn) {
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    NetPair pair(8, client_mac(8, 1));
    // The squatter: a macvlan of the client's link with the pool's first address.
    pair.cli.ip({"link", "add", "link", "cli0", "name", "sq0", "address", client_mac(8, 9), "type",
                 "macvlan", "mode", "bridge"});
    pair.cli.ip({"addr", "add", pair.net + ".100/24", "dev", "sq0"});
    pair.cli.ip({"link", "set", "sq0", "up"});
    write_file(file("dhcpd.conf"), fill(R"(ping-check true;
default-lease-time 600;
subnet @net@.0 netmask 255.255.255.0 {
    range @net@.100 @net@.101;
    option routers @net@.1;
}
)",
                                        {{"net", pair.net}}));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());
    write_script(file("hook"), udhcpc_script(file("records")));
    Process client;
    // Tries 3 s apart: ping-check takes a second per address probed.
    ASSERT_TRUE(
        client.start(pair.cli.exec(udhcpc_argv("cli0", file("hook"), {"-q", "-n", "-T", "3"})),
                     file("udhcpc.log")));
    auto status = client.wait_exit(30s);
    ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << client.log() << server.log();
    auto bound = wait_record(file("records"), "bound", 1s);
    ASSERT_TRUE(bound) << client.log() << server.log();
    EXPECT_EQ((*bound)["ip"], pair.net + ".101") << server.log();
    auto leases = read_leases(server.leases());
    ASSERT_TRUE(leases.count(pair.net + ".100")) << read_file(server.leases());
    EXPECT_EQ(leases[pair.net + ".100"].state, "abandoned") << read_file(server.leases());
    ASSERT_TRUE(leases.count(pair.net + ".101"));
    EXPECT_EQ(leases[pair.net + ".101"].state, "active");
    EXPECT_EQ(leases[pair.net + ".101"].mac, pair.mac);
}

} // namespace
} // namespace superd::system_test::dhcp
