// The lab's story, end to end: a real virtual machine PXE-boots from what superd starts on
// demand, and nothing else. In a network namespace of the test's own, a bridge br0
// (10.77.0.1/24) with a tap device tap0 on it; superd holds three services there:
//
//   dhcpd    UDP 67, dgram wait = yes: superd-dhcpd on br0 (next-server, filename)
//   tftp     UDP 69, dgram wait = yes: Debian's in.tftpd -s serving boot.ipxe
//   console  TCP 5901, stream wait = yes: superd-vncd, whose console's command is QEMU with its
//            serial port on the console's pty and its NIC on tap0 (docs/lab-pxe.md)
//
// The test connects a viewer (that starts superd-vncd, which starts the VM); SeaBIOS runs the
// iPXE ROM of Debian's ipxe-qemu, which gets a lease from superd-dhcpd, fetches boot.ipxe over
// TFTP and runs it; the script echoes a marker with its address and reboots, which ends QEMU
// (-no-reboot). The serial output is read from the console's log file (vnc.ini `log`).
//
// Peer quirks met while writing this test (Debian 12, QEMU 7.2, ipxe-qemu 1.0.0+git-20190125):
// - SeaBIOS and the iPXE ROM write to the screen (int 10h), not to the serial port: with
//   `-machine graphics=off` QEMU asks SeaBIOS (fw_cfg etc/sercon-port) to copy the screen to the
//   serial port; `-device sga` does the same and is deprecated.
// - The ROMs are found in /usr/lib/ipxe/qemu, one of QEMU's data dirs (`qemu-system-x86_64 -L
//   help`); no romfile= is needed.
// - vnc.ini lines are at most 198 characters (inih): QEMU's command line fits with `-nic`
//   (not -netdev plus -device) and its default memory (128 MiB).
// - Without `-display none` QEMU (no qemu-system-gui) falls back to a VNC server of its own.
// - SeaBIOS's serial copy of the screen is written lazily: a reboot right after an `echo` loses
//   the end of its line; `sleep 1` (iPXE polls the keyboard meanwhile) lets it out.
// - Debian's iPXE has `reboot` but no `poweroff`. After a script that fails, iPXE returns to
//   SeaBIOS, which tries the disk and floppy despite `-boot n` and then waits 60 s.
#include "tests/system/dhcpd/dhcp_fixture.hpp"
#include "tests/system/netns.hpp"
#include "tests/system/vnc/vnc_fixture.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include <sys/stat.h>
#include <unistd.h>

namespace superd::system_test {
namespace {

using dhcp::fill;

// vnc.ini names it without its folder (execvp looks in PATH), which keeps the line short.
const std::string qemu = "/usr/bin/qemu-system-x86_64";
const std::string tftpd = "/usr/sbin/in.tftpd";
const std::string guest_mac = "52:54:00:77:00:10";
constexpr int console_port = 5901;

// What the guest's firmware is told to boot, ISC's iPXE chainload: iPXE itself (the VM's NIC ROM
// sends user class "iPXE") gets the script; other firmware would get iPXE for its architecture.
const std::string boot_file_statements = R"(if exists user-class and option user-class = "iPXE" {
        filename "boot.ipxe";
    } elsif option arch = 00:07 or option arch = 00:09 {
        filename "ipxe.efi";
    } else {
        filename "undionly.kpxe";
    })";

const std::string dhcpd_conf = R"(# The PXE lab's wire: br0 in the test's namespace.
option arch code 93 = unsigned integer 16;
default-lease-time 600;
max-lease-time 7200;
subnet 10.77.0.0 netmask 255.255.255.0 {
    range 10.77.0.100 10.77.0.150;
    option routers 10.77.0.1;
    next-server 10.77.0.1;
    @boot@
}
)";

// iPXE runs a script named as the boot file directly. Debian's build has no `poweroff`;
// `reboot` under QEMU's -no-reboot ends QEMU (the console's command) instead.
const std::string boot_script = R"(#!ipxe
echo superd-lab: booted ${net0/ip} from ${next-server}
sleep 1
reboot
)";

const std::string vnc_ini = R"(; The VM's serial console: its command is the VM.
[console pxe-guest]
command = qemu-system-x86_64 -accel tcg -nodefaults -M graphics=off -display none -serial stdio -no-reboot -boot n @nic@
geometry = 80x25
restart = never
log = console.log
)";

const std::string nic = "-nic tap,ifname=tap0,script=no,downscript=no,model=e1000,mac=" + guest_mac;

// The console log without terminal escape sequences and carriage returns: SeaBIOS's serial
// copy of the screen moves the cursor and sets colours between the words.
std::string plain_text(const std::string& raw) {
    static const std::regex escape("\x1b(\\[[0-9;?]*[ -/]*[@-~]|[@-Z\\\\-_])");
    std::string text = std::regex_replace(raw, escape, "");
    std::erase(text, '\r');
    return text;
}

class PxeBoot : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        if (!netns_supported(&why)) GTEST_SKIP() << why;
        if (::access("/dev/net/tun", R_OK | W_OK) != 0)
            GTEST_SKIP() << "/dev/net/tun is not usable: no tap device for the VM";
        REQUIRE_PEER(qemu, "qemu-system-x86");
        ASSERT_EQ(::access("/usr/lib/ipxe/qemu/efi-e1000.rom", R_OK), 0)
            << "QEMU's iPXE ROM is missing: apt-get install ipxe-qemu (scripts/install-deps)";
        REQUIRE_PEER(tftpd, "tftpd-hpa");
        ::chmod(dir_.path().c_str(), 0755);
    }

    // br0 with the server's address and tap0 on it, both up, in `ns`.
    static void make_wire(const Netns& ns) {
        ns.ip({"link", "add", "br0", "type", "bridge"});
        ns.ip({"addr", "add", "10.77.0.1/24", "dev", "br0"});
        ns.ip({"tuntap", "add", "dev", "tap0", "mode", "tap"});
        ns.ip({"link", "set", "tap0", "master", "br0"});
        ns.ip({"link", "set", "br0", "up"});
        ns.ip({"link", "set", "tap0", "up"});
    }

    std::string superd_conf() const {
        std::string dhcpd_args = "-cf " + file("dhcpd.conf") + " -lf " + file("dhcpd.leases") +
                                 " --log-file " + file("dhcpd.log") + " br0";
        std::string vncd_args = "-c " + file("vnc.ini") + " --console pxe-guest --idle-timeout 0" +
                                " --log-file " + file("vncd.log");
        return config_text(
            file("services.log"),
            service_block("dhcpd",
                          {"type = UNLISTED", "socket_type = dgram", "protocol = udp", "wait = yes",
                           "flags = IPv4 NOLIBWRAP", "bind = 0.0.0.0", "port = 67", "user = root",
                           "server = " SUPERD_DHCPD_BIN, "server_args = " + dhcpd_args}) +
                service_block("tftp", {"type = UNLISTED", "socket_type = dgram", "protocol = udp",
                                       "wait = yes", "flags = IPv4", "bind = 10.77.0.1",
                                       "port = 69", "user = root", "server = " + tftpd,
                                       "server_args = -s " + file("tftp") + " -t 5"}) +
                service_block("console",
                              {"type = UNLISTED", "socket_type = stream", "protocol = tcp",
                               "wait = yes", "flags = IPv4", "bind = 127.0.0.1",
                               "port = " + std::to_string(console_port), "user = root",
                               "server = " SUPERD_VNCD_BIN, "server_args = " + vncd_args}));
    }

    void write_configs() {
        write_file(file("dhcpd.conf"), fill(dhcpd_conf, {{"boot", boot_file_statements}}));
        write_file(file("dhcpd.leases"), "");
        ::mkdir(file("tftp").c_str(), 0755);
        write_file(file("tftp/boot.ipxe"), boot_script);
        ::chmod(file("tftp/boot.ipxe").c_str(), 0644);
        write_file(file("vnc.ini"), fill(vnc_ini, {{"nic", nic}}));
        write_file(file("superd.conf"), superd_conf());
    }

    std::string file(const std::string& name) const { return dir_.file(name); }
    std::string logs() const {
        std::string out;
        for (const char* name : {"services.log", "vncd.log", "dhcpd.log", "console.log"})
            out += std::string("\n---- ") + name + ":\n" + read_file(file(name));
        return out;
    }

    TempDir dir_;
};

TEST_F(PxeBoot, AVirtualMachineBootsFromWhatSuperdStarts) {
    write_configs();
    auto check = run_command({SUPERD_VNCD_BIN, "-t", "-c", file("vnc.ini")}, {}, 10s);
    ASSERT_EQ(check.status, 0) << check.out;
    check = run_command(
        {SUPERD_DHCPD_BIN, "-t", "-cf", file("dhcpd.conf"), "-lf", file("dhcpd.leases")}, {}, 10s);
    ASSERT_EQ(check.status, 0) << check.out;

    Netns ns("pxe");
    make_wire(ns);
    Superd superd; // after ns: it goes first, then the namespace with what it started
    {
        EnterNetns inside(ns);
        ASSERT_TRUE(inside.ok()) << "setns into " << ns.name();
        ASSERT_TRUE(superd.start(file("superd.conf"))) << superd.log();
        // The first viewer starts superd-vncd, which starts the console's command: the VM.
        TcpClient viewer(console_port);
        ASSERT_TRUE(viewer.connected());
        EXPECT_EQ(viewer.read(12, 10s), "RFB 003.008\n") << logs();
    }

    static const std::regex marker(R"(superd-lab: booted (10\.77\.0\.(\d+)) from 10\.77\.0\.1\n)");
    std::smatch found;
    std::string text;
    bool booted = wait_until(
        [&] {
            text = plain_text(read_file(file("console.log")));
            return std::regex_search(text, found, marker);
        },
        120s, 200ms);
    ASSERT_TRUE(booted) << "no marker in the console log" << logs() << superd.log();
    const std::string address = found[1];
    const int host = std::stoi(found[2]);
    EXPECT_GE(host, 100);
    EXPECT_LE(host, 150);

    // The firmware's own account: its DHCP, the boot file and the TFTP fetch.
    EXPECT_TRUE(
        std::regex_search(text, std::regex(R"(Configuring \(net0 )" + guest_mac + R"(\)[. ]*ok)")))
        << text;
    EXPECT_NE(text.find("net0: " + address + "/255.255.255.0"), std::string::npos) << text;
    EXPECT_NE(text.find("Next server: 10.77.0.1\nFilename: boot.ipxe\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("tftp://10.77.0.1/boot.ipxe... ok\nboot.ipxe : " +
                        std::to_string(boot_script.size()) + " bytes [script]\n"),
              std::string::npos)
        << text;

    // The lease superd-dhcpd wrote is the address the guest got.
    auto leases = dhcp::read_leases(file("dhcpd.leases"));
    ASSERT_TRUE(leases.contains(address)) << read_file(file("dhcpd.leases")) << logs();
    EXPECT_EQ(leases[address].state, "active");
    EXPECT_EQ(leases[address].mac, guest_mac);

    // Each of the three was started by superd, on demand.
    std::string services = read_file(file("services.log"));
    for (const char* name : {"START: dhcpd", "START: tftp", "START: console"})
        EXPECT_NE(services.find(name), std::string::npos) << name << logs();

    // `reboot` in the script ended the VM (-no-reboot), and with it the console's command.
    EXPECT_TRUE(wait_until(
        [&] {
            return read_file(file("vncd.log")).find("console pxe-guest: the command exited") !=
                   std::string::npos;
        },
        20s))
        << logs();

    // A viewer still sees the console: the VM's last screen, not a blank one.
    EnterNetns inside(ns);
    ASSERT_TRUE(inside.ok());
    std::string out;
    auto shot = capture_gvnc(console_port, dir_, &out);
    ASSERT_TRUE(shot) << out << logs();
    EXPECT_GT(shot->width, 0);
    EXPECT_EQ(std::set<std::uint32_t>(shot->pixels.begin(), shot->pixels.end()).size() > 1, true)
        << "a uniform picture";
}

} // namespace
} // namespace superd::system_test
