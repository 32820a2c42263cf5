// A client behind ISC dhcrelay: client — relay — server in three namespaces, two subnets. The
// server picks the subnet by the relay's giaddr and echoes the relay agent option (82), which
// a sniffer on the relay's upstream interface sees.
#include "tests/system/dhcpd/dhcp_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

namespace superd::system_test::dhcp {
namespace {

// Records the DHCP replies a server sends to a relay (UDP 67 -> 67) on one interface, one
// line each: "type=N yiaddr=A opt82=HEX" ("opt82=-" when the server left it out).
constexpr const char* sniffer = R"(import socket, struct, sys, time
iface, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))
s.bind((iface, 0))
open(out + ".ready", "w").close()
deadline = time.monotonic() + secs
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        break
    s.settimeout(left)
    try:
        p = s.recv(65535)
    except (socket.timeout, TimeoutError):
        break
    ihl = (p[0] & 15) * 4
    if len(p) < ihl + 8 + 240 or p[9] != 17:
        continue
    sport, dport = struct.unpack("!HH", p[ihl:ihl + 4])
    d = p[ihl + 8:]
    if sport != 67 or dport != 67 or d[0] != 2 or d[236:240] != b"\x63\x82\x53\x63":
        continue
    opts, i = {}, 240
    while i + 1 < len(d) and d[i] != 255:
        if d[i] == 0:
            i += 1
            continue
        opts[d[i]] = d[i + 2:i + 2 + d[i + 1]]
        i += 2 + d[i + 1]
    kind = opts.get(53, b"\x00")[0]
    with open(out, "a") as f:
        f.write("type=%d yiaddr=%s opt82=%s\n" % (kind, socket.inet_ntoa(d[16:20]),
                                                  opts[82].hex() if 82 in opts else "-"))
)";

std::string hex(const std::string& s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

TEST_F(DhcpTest, ClientBehindDhcrelayGetsAnAddressOfItsLinkAndOption82IsEchoed) {
    REQUIRE_PEER("/usr/sbin/dhcrelay", "isc-dhcp-relay");
    REQUIRE_PEER("/usr/bin/busybox", "busybox");
    REQUIRE_PEER("/usr/bin/python3", "python3");
    // server srv0 10.99.41.1 — up0 10.99.41.2 [relay] down0 10.99.40.1 — cli0 (client)
    const std::string mac = client_mac(4, 1);
    Netns srv("srv"), rel("rel"), cli("cli");
    add_veth(srv, "srv0", "", rel, "up0", "");
    add_veth(rel, "down0", "", cli, "cli0", mac);
    srv.ip({"addr", "add", "10.99.41.1/24", "dev", "srv0"});
    rel.ip({"addr", "add", "10.99.41.2/24", "dev", "up0"});
    rel.ip({"addr", "add", "10.99.40.1/24", "dev", "down0"});
    srv.ip({"route", "add", "10.99.40.0/24", "via", "10.99.41.2"});

    write_file(file("dhcpd.conf"), R"(ping-check false;
default-lease-time 600;
max-lease-time 600;
# The server's own link: no pool.
subnet 10.99.41.0 netmask 255.255.255.0 {
}
# The client's link, known only by the relay's giaddr.
subnet 10.99.40.0 netmask 255.255.255.0 {
    range 10.99.40.100 10.99.40.150;
    option routers 10.99.40.1;
    option domain-name-servers 10.99.40.53;
}
)");
    DhcpServer server(srv, dir_, "srv0");
    ASSERT_TRUE(server.start());

    // -a: add option 82 (circuit-id: the downstream interface's name) and strip it on the way
    // back to the client.
    Process relay;
    ASSERT_TRUE(relay.start(rel.exec({"dhcrelay", "-4", "-d", "-a", "-pf", file("dhcrelay.pid"),
                                      "-iu", "up0", "-id", "down0", "10.99.41.1"}),
                            file("dhcrelay.log")));
    ASSERT_TRUE(wait_until([&] { return !relay.running() || udp_port_bound(rel, 67); }, 10s));
    ASSERT_TRUE(relay.running()) << relay.log();

    write_file(file("sniff.py"), sniffer);
    Process sniff;
    ASSERT_TRUE(sniff.start(rel.exec({"python3", file("sniff.py"), "up0", file("replies"), "30"}),
                            file("sniff.log")));
    ASSERT_TRUE(wait_until([&] { return std::filesystem::exists(file("replies.ready")); }, 10s))
        << sniff.log();

    write_script(file("hook"), udhcpc_script(file("records")));
    Process client;
    ASSERT_TRUE(client.start(cli.exec(udhcpc_argv("cli0", file("hook"), {"-q", "-n"})),
                             file("udhcpc.log")));
    auto bound = wait_record(file("records"), "bound", 20s);
    ASSERT_TRUE(bound) << client.log() << relay.log() << server.log();
    const std::string ip = (*bound)["ip"];
    EXPECT_TRUE(std::regex_match(ip, std::regex(R"(10\.99\.40\.(1[0-4][0-9]|150))"))) << ip;
    EXPECT_EQ((*bound)["router"], "10.99.40.1");
    EXPECT_EQ((*bound)["dns"], "10.99.40.53");
    EXPECT_EQ((*bound)["serverid"], "10.99.41.1");
    EXPECT_EQ(cli.addresses("cli0"), std::vector<std::string>{ip + "/24"});

    // The ACK to the relay carries the relay's option 82 back: sub-option 1, "down0".
    const std::string circuit = "0105" + hex("down0");
    bool echoed = wait_until(
        [&] {
            return read_file(file("replies")).find("type=5 yiaddr=" + ip + " opt82=") !=
                   std::string::npos;
        },
        5s);
    ASSERT_TRUE(echoed) << read_file(file("replies")) << sniff.log();
    std::smatch m;
    std::string replies = read_file(file("replies"));
    ASSERT_TRUE(
        std::regex_search(replies, m, std::regex("type=5 yiaddr=" + ip + " opt82=([0-9a-f-]+)")));
    EXPECT_NE(std::string(m[1]).find(circuit), std::string::npos) << replies;

    auto leases = read_leases(server.leases());
    EXPECT_EQ(leases[ip].state, "active") << read_file(server.leases());
    EXPECT_EQ(leases[ip].mac, mac) << read_file(server.leases());
    // The one place a log line is the evidence: the server says it answered through the relay.
    EXPECT_NE(server.log().find("DHCPACK on " + ip + " to " + mac + " via 10.99.40.1"),
              std::string::npos)
        << server.log();
}

} // namespace
} // namespace superd::system_test::dhcp
