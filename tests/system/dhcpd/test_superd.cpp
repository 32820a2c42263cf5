// superd-dhcpd started by superd: superd owns UDP port 67 (dgram, wait = yes) in the server's
// namespace, starts the module on the first request and hands it the socket on fd 0; the
// module exits when idle and superd starts it again for the next client. Our binary only: ISC
// dhcpd cannot take its socket from superd.
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <map>

#include <sys/wait.h>

namespace superd::system_test::dhcp {
namespace {

TEST_F(DhcpTest, SuperdStartsTheServerOnDemandAndAgainAfterItsIdleExit) {
    if (testing_other_server())
        GTEST_SKIP() << "DHCPD_TEST_SERVER is set: ISC dhcpd cannot take its socket on fd 0";
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    REQUIRE_PEER(superd_binary(), "(build target superd)");
    REQUIRE_PEER(std::string(SUPERD_DHCPD_BIN), "(build target superd-dhcpd)");
    NetPair pair(8, client_mac(8, 1));
    pair.cli.ip({"link", "add", "link", "cli0", "name", "cli1", "address", client_mac(8, 2), "type",
                 "macvlan", "mode", "bridge"});
    pair.cli.ip({"link", "set", "cli1", "up"});
    write_file(file("dhcpd.conf"), fill(R"(ping-check false;
default-lease-time 600;
max-lease-time 600;
subnet @net@.0 netmask 255.255.255.0 {
    range @net@.100 @net@.150;
    option routers @net@.1;
}
)",
                                        {{"net", pair.net}}));
    write_script(file("hook"), udhcpc_script(file("records")));
    const int idle = 5;
    Superd superd;
    ASSERT_TRUE(start_under_superd(superd, pair.srv, dir_, idle));
    auto services_log = [&] { return read_file(file("services.log")); };
    auto diagnostics = [&] {
        return "superd:\n" + superd.log() + "services.log:\n" + services_log() + "dhcpd.log:\n" +
               read_file(file("dhcpd.log"));
    };

    std::map<std::string, std::string> got;
    for (const char* iface : {"cli0", "cli1"}) {
        Process client;
        ASSERT_TRUE(client.start(pair.cli.exec(udhcpc_argv(iface, file("hook"), {"-q", "-n"})),
                                 file("udhcpc.log")));
        auto status = client.wait_exit(15s);
        ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
            << client.log() << diagnostics();
        for (auto& rec : read_records(file("records")))
            if (rec["event"] == "bound") got[rec["interface"]] = rec["ip"];
        ASSERT_TRUE(got.count(iface)) << diagnostics();
        if (std::string(iface) == "cli0") {
            // Idle for `idle` seconds: the module exits and superd takes the socket back.
            EXPECT_TRUE(wait_until([&] { return count_of(services_log(), "EXIT: dhcpd") >= 1; },
                                   std::chrono::seconds(idle + 10)))
                << diagnostics();
        }
    }
    EXPECT_NE(got["cli0"], got["cli1"]);
    EXPECT_EQ(count_of(services_log(), "START: dhcpd"), 2) << diagnostics();
    auto leases = read_leases(file("dhcpd.leases"));
    EXPECT_EQ(leases[got["cli0"]].mac, client_mac(8, 1)) << read_file(file("dhcpd.leases"));
    EXPECT_EQ(leases[got["cli1"]].mac, client_mac(8, 2)) << read_file(file("dhcpd.leases"));
    EXPECT_EQ(leases[got["cli0"]].state, "active");
    EXPECT_EQ(leases[got["cli1"]].state, "active");
}

} // namespace
} // namespace superd::system_test::dhcp
