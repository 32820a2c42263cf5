// The PXE chainload idiom (`if` / `elsif` / `else` on options 77 and 93) against a real
// client: busybox udhcpc sends the options a firmware or iPXE would (-x CODE:HEX) and reports
// the boot file it was given (its script's $boot_file), and the server name picked by a
// substring of the vendor class udhcpc sends by itself ("udhcp 1.35.0").
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

namespace superd::system_test::dhcp {
namespace {

const char* chainload_conf = R"(ping-check false;
default-lease-time 600;
option arch code 93 = unsigned integer 16;
subnet @net@.0 netmask 255.255.255.0 {
    range @net@.100 @net@.150;
    next-server @net@.1;
    if exists user-class and option user-class = "iPXE" {
        filename "boot.ipxe";
    } elsif option arch = 00:07 or option arch = 00:09 {
        filename "ipxe.efi";
    } elsif option arch = 00:00 {
        filename "undionly.kpxe";
    } else {
        filename "pxelinux.0";
    }
    if substring(option vendor-class-identifier, 0, 5) = "udhcp" {
        server-name "busybox";
    }
}
)";

TEST_F(DhcpTest, UdhcpcGetsTheBootFileForItsArchitectureAndUserClass) {
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    NetPair pair(12, client_mac(12, 1));
    write_file(file("dhcpd.conf"), fill(chainload_conf, {{"net", pair.net}}));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());
    write_script(file("hook"), udhcpc_script(file("records")));

    struct Case {
        std::vector<std::string> options; // udhcpc -x CODE:HEX
        std::string boot_file;
    };
    const Case cases[] = {
        {{"-x", "0x5d:0007"}, "ipxe.efi"},                         // UEFI byte code
        {{"-x", "0x5d:0009"}, "ipxe.efi"},                         // UEFI x86-64
        {{"-x", "0x5d:0000"}, "undionly.kpxe"},                    // BIOS
        {{"-x", "0x5d:0007", "-x", "0x4d:69505845"}, "boot.ipxe"}, // iPXE itself: "iPXE"
        {{"-x", "0x4d:67505845"}, "pxelinux.0"},                   // "gPXE", no arch
        {{}, "pxelinux.0"},                                        // neither option
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.boot_file);
        std::size_t seen = read_records(file("records")).size();
        std::vector<std::string> extra{"-q", "-n"};
        extra.insert(extra.end(), c.options.begin(), c.options.end());
        Process client;
        ASSERT_TRUE(client.start(pair.cli.exec(udhcpc_argv("cli0", file("hook"), extra)),
                                 file("udhcpc.log")));
        auto status = client.wait_exit(15s);
        EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
            << client.log() << server.log();
        auto bound = wait_record(file("records"), "bound", 1s, seen);
        ASSERT_TRUE(bound) << client.log() << server.log();
        EXPECT_EQ((*bound)["boot_file"], c.boot_file);
        EXPECT_EQ((*bound)["siaddr"], pair.net + ".1");
        EXPECT_EQ((*bound)["sname"], "busybox");
    }
    EXPECT_TRUE(server.running()) << server.log();
}

// ISC's three-valued logic where options are missing, each condition shown by a field of the
// reply. Run with DHCPD_TEST_SERVER=/usr/sbin/dhcpd, ISC dhcpd 4.4 gives the same answers.
const char* null_logic_conf = R"(ping-check false;
subnet @net@.0 netmask 255.255.255.0 {
    range @net@.100 @net@.150;
    # != with a missing option: true.
    if option user-class != "iPXE" { filename "ne-true"; } else { filename "ne-false"; }
    # false and X is null, and not null is null: the else runs.
    if not (exists user-class and exists nis-domain) {
        server-name "and-true";
    } else {
        server-name "and-null";
    }
    # Two missing options are equal.
    if option user-class = option nis-domain {
        option domain-name "null-equal";
    } else {
        option domain-name "null-differ";
    }
    # false or false is false (not null): its negation is true.
    if not (exists user-class or exists nis-domain) {
        default-lease-time 700;
    } else {
        default-lease-time 800;
    }
    # Past the end, substring is the empty string.
    if substring(option vendor-class-identifier, 99, 1) = "" {
        next-server @net@.2;
    } else {
        next-server @net@.3;
    }
}
)";

TEST_F(DhcpTest, MissingOptionsInConditionsBehaveAsInIscDhcpd) {
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    NetPair pair(13, client_mac(13, 1));
    write_file(file("dhcpd.conf"), fill(null_logic_conf, {{"net", pair.net}}));
    DhcpServer server(pair.srv, dir_, "srv0");
    ASSERT_TRUE(server.start());
    write_script(file("hook"), udhcpc_script(file("records")));
    Process client;
    ASSERT_TRUE(client.start(pair.cli.exec(udhcpc_argv("cli0", file("hook"), {"-q", "-n"})),
                             file("udhcpc.log")));
    auto status = client.wait_exit(15s);
    EXPECT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << client.log() << server.log();
    auto bound = wait_record(file("records"), "bound", 1s);
    ASSERT_TRUE(bound) << client.log() << server.log();
    EXPECT_EQ((*bound)["boot_file"], "ne-true");
    EXPECT_EQ((*bound)["sname"], "and-null");
    EXPECT_EQ((*bound)["domain"], "null-equal");
    EXPECT_EQ((*bound)["lease"], "700");
    EXPECT_EQ((*bound)["siaddr"], pair.net + ".2");
}

} // namespace
} // namespace superd::system_test::dhcp
