// The dhcpd.conf parser on config text written to a private temporary folder: every supported
// statement, option wire encodings, scope inheritance, includes, and every error with its exact
// "file:line: message".
#include "dhcpd/config.hpp"
#include "dhcpd/packet.hpp"
#include "tests/unit/common/config_file_test.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace superd::dhcp {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) {
    return a << 24 | b << 16 | c << 8 | d;
}

class DhcpConfig : public common::test::ConfigFileTest<Config> {
  protected:
    DhcpConfig()
        : ConfigFileTest(load_config, "dhcpd.conf") {}
};

using common::test::Messages;

TEST_F(DhcpConfig, GlobalParameters) {
    Config c = clean(R"(# lab server
default-lease-time 600;
max-lease-time 7200;
min-lease-time 60;
authoritative;
next-server 10.0.0.1;
filename "pxelinux.0";
server-name "boot.lab";
deny booting;
deny bootp;
ddns-update-style none;
log-facility local7;
ping-check false;
)");
    const Parameters& g = c.global();
    EXPECT_EQ(g.default_lease_time->value, 600u);
    EXPECT_EQ(g.default_lease_time->where.line, 2);
    EXPECT_EQ(g.max_lease_time->value, 7200u);
    EXPECT_EQ(g.min_lease_time->value, 60u);
    EXPECT_TRUE(g.authoritative->value);
    EXPECT_EQ(g.authoritative->where.line, 5);
    EXPECT_EQ(g.next_server->value, ip(10, 0, 0, 1));
    EXPECT_EQ(g.filename->value, "pxelinux.0");
    EXPECT_EQ(g.server_name->value, "boot.lab");
    EXPECT_FALSE(g.allow_booting->value);
    EXPECT_FALSE(g.allow_bootp->value);
    EXPECT_FALSE(g.ping_check->value);
    EXPECT_EQ(c.ddns_update_style->value, "none");
    EXPECT_EQ(c.log_facility->value, "local7");
    EXPECT_EQ(c.log_facility->where.line, 12);
    EXPECT_TRUE(c.log_facility->where.file.ends_with("/dhcpd.conf"));
}

TEST_F(DhcpConfig, NotAuthoritativeAndAllow) {
    Config c = clean("not authoritative; allow booting; allow bootp; ping-check true;\n");
    EXPECT_FALSE(c.global().authoritative->value);
    EXPECT_TRUE(c.global().allow_booting->value);
    EXPECT_TRUE(c.global().allow_bootp->value);
    EXPECT_TRUE(c.global().ping_check->value);
}

TEST_F(DhcpConfig, OptionsEncodeToWireBytes) {
    Config c = clean(R"(
option subnet-mask 255.255.255.0;
option routers 10.0.0.1, 10.0.0.2;
option domain-name-servers 9.9.9.9;
option domain-name "lab.example";
option domain-search "lab.example", "example.";
option ntp-servers 10.0.0.5;
option broadcast-address 10.0.0.255;
option host-name "box";
option interface-mtu 1500;
option tftp-server-name "10.0.0.1";
option bootfile-name "pxelinux.0";
option classless-static-routes 10.10.0.0/16 10.0.0.1, 0.0.0.0/0 10.0.0.254;
)");
    auto value = [&](std::uint8_t code) {
        const OptionValue* o = c.global().find_option(code);
        return o ? o->value : Bytes{0xde, 0xad};
    };
    EXPECT_EQ(value(option::subnet_mask), (Bytes{255, 255, 255, 0}));
    EXPECT_EQ(value(option::routers), (Bytes{10, 0, 0, 1, 10, 0, 0, 2}));
    EXPECT_EQ(value(option::domain_name_servers), (Bytes{9, 9, 9, 9}));
    EXPECT_EQ(value(option::domain_name),
              (Bytes{'l', 'a', 'b', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e'}));
    EXPECT_EQ(value(option::domain_search),
              (Bytes{3, 'l', 'a', 'b', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, //
                     7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
    EXPECT_EQ(value(option::ntp_servers), (Bytes{10, 0, 0, 5}));
    EXPECT_EQ(value(option::broadcast_address), (Bytes{10, 0, 0, 255}));
    EXPECT_EQ(value(option::host_name), (Bytes{'b', 'o', 'x'}));
    EXPECT_EQ(value(option::interface_mtu), (Bytes{0x05, 0xdc}));
    EXPECT_EQ(value(option::tftp_server_name), (Bytes{'1', '0', '.', '0', '.', '0', '.', '1'}));
    EXPECT_EQ(value(option::bootfile_name),
              (Bytes{'p', 'x', 'e', 'l', 'i', 'n', 'u', 'x', '.', '0'}));
    // RFC 3442: 16 10.10 via 10.0.0.1, then the default route 0 via 10.0.0.254.
    EXPECT_EQ(value(option::classless_static_routes),
              (Bytes{16, 10, 10, 10, 0, 0, 1, 0, 10, 0, 0, 254}));
    const OptionValue* routers = c.global().find_option(option::routers);
    ASSERT_NE(routers, nullptr);
    EXPECT_EQ(routers->name, "routers");
    EXPECT_EQ(routers->where.line, 3);
}

TEST_F(DhcpConfig, IscClasslessRoutesDeclaration) {
    Config c = clean(R"(
option rfc3442-classless-static-routes code 121 = array of integer 8;
option ms-classless-static-routes code 249 = array of unsigned integer 8;
option rfc3442-classless-static-routes 24, 192, 168, 5, 10, 0, 0, 1, 0, 10, 0, 0, 254;
option ms-classless-static-routes 0, 10, 0, 0, 254;
)");
    const OptionValue* o = c.global().find_option(121);
    ASSERT_NE(o, nullptr);
    EXPECT_EQ(o->value, (Bytes{24, 192, 168, 5, 10, 0, 0, 1, 0, 10, 0, 0, 254}));
    ASSERT_NE(c.global().find_option(249), nullptr);

    load(R"(option rfc3442-classless-static-routes code 121 = array of integer 8;
option rfc3442-classless-static-routes 24, 192, 168;
option foo code 100 = array of unsigned integer 16;
)");
    EXPECT_EQ(messages(),
              (Messages{"dhcpd.conf:2: invalid classless static routes for "
                        "'rfc3442-classless-static-routes' (RFC 3442: LEN, significant octets, "
                        "router)",
                        "dhcpd.conf:3: unsupported option declaration for 'foo' (types: "
                        "[un]signed integer 8|16|32, array of [unsigned] integer 8, ip-address, "
                        "array of ip-address, text, string, boolean)"}));
}

TEST_F(DhcpConfig, Declarations) {
    Config c = clean(R"(
shared-network lab {
  subnet 10.0.0.0 netmask 255.255.255.0 {
    range 10.0.0.100 10.0.0.199;
    range dynamic-bootp 10.0.0.50;
    host inside { hardware ethernet 0:1:2:3:4:5; fixed-address 10.0.0.9; }
  }
  subnet 10.0.1.0 netmask 255.255.255.0 { }
  pool { range 10.0.1.10 10.0.1.20; allow known-clients; deny unknown-clients; }
}
group {
  filename "g.efi";
  host "quoted name" { hardware ethernet AA:BB:CC:DD:EE:FF; fixed-address 10.0.1.5, 10.0.0.6; }
}
)");
    ASSERT_EQ(c.shared_networks.size(), 1u);
    EXPECT_EQ(c.shared_networks[0].name, "lab");
    ASSERT_EQ(c.subnets.size(), 2u);
    const Subnet& s = c.subnets[0];
    EXPECT_EQ(s.network, ip(10, 0, 0, 0));
    EXPECT_EQ(s.prefix_length(), 24);
    EXPECT_EQ(s.shared_network, 0u);
    EXPECT_EQ(s.where.line, 3);
    ASSERT_EQ(s.ranges.size(), 2u);
    EXPECT_EQ(s.ranges[0].low, ip(10, 0, 0, 100));
    EXPECT_EQ(s.ranges[0].high, ip(10, 0, 0, 199));
    EXPECT_FALSE(s.ranges[0].dynamic_bootp);
    EXPECT_TRUE(s.ranges[1].dynamic_bootp);
    EXPECT_EQ(s.ranges[1].low, s.ranges[1].high);
    ASSERT_EQ(c.pools.size(), 1u);
    EXPECT_EQ(c.pools[0].shared_network, 0u);
    EXPECT_FALSE(c.pools[0].subnet);
    EXPECT_TRUE(c.pools[0].known_clients->value);
    EXPECT_FALSE(c.pools[0].unknown_clients->value);
    ASSERT_EQ(c.hosts.size(), 2u);
    EXPECT_EQ(c.hosts[0].subnet, 0u);
    EXPECT_EQ(to_string(c.hosts[0].hardware_ethernet->value), "00:01:02:03:04:05");
    EXPECT_EQ(c.hosts[1].name, "quoted name");
    EXPECT_EQ(c.hosts[1].fixed_addresses,
              (std::vector<std::uint32_t>{ip(10, 0, 1, 5), ip(10, 0, 0, 6)}));
    EXPECT_EQ(c.host_for({0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}), &c.hosts[1]);
    EXPECT_EQ(c.subnet_for(ip(10, 0, 1, 77)), &c.subnets[1]);
    EXPECT_EQ(c.subnet_for(ip(10, 0, 2, 1)), nullptr);
}

TEST_F(DhcpConfig, ScopeInheritance) {
    Config c = clean(R"(
default-lease-time 100; max-lease-time 1000; authoritative;
option domain-name-servers 1.1.1.1; option domain-name "global";
shared-network net {
  default-lease-time 200; option domain-name "shared";
  subnet 10.0.0.0 netmask 255.255.0.0 {
    default-lease-time 300; filename "subnet.0"; option routers 10.0.0.1;
    pool { default-lease-time 400; range 10.0.5.1 10.0.5.9; next-server 10.0.0.2; }
  }
}
group {
  max-lease-time 500; filename "group.0";
  host h { hardware ethernet 00:11:22:33:44:55; fixed-address 10.0.9.9; default-lease-time 600; }
}
)");
    const Subnet& s = c.subnets[0];
    EffectiveParameters e = effective_parameters(c, s);
    EXPECT_EQ(e.default_lease_time, 300u);
    EXPECT_EQ(e.max_lease_time, 1000u);
    EXPECT_EQ(e.min_lease_time, 0u); // ISC's default
    EXPECT_TRUE(e.authoritative);
    EXPECT_EQ(e.filename, "subnet.0");
    EXPECT_FALSE(e.next_server);
    EXPECT_EQ(e.find_option(option::domain_name)->value, (Bytes{'s', 'h', 'a', 'r', 'e', 'd'}));
    EXPECT_EQ(e.find_option(option::domain_name_servers)->value, (Bytes{1, 1, 1, 1}));
    // No scope sets option 1: the subnet's own mask, as ISC sends it.
    EXPECT_EQ(e.find_option(option::subnet_mask)->value, (Bytes{255, 255, 0, 0}));
    ASSERT_EQ(e.options.size(), 4u);
    EXPECT_TRUE(std::ranges::is_sorted(e.options, {}, &OptionValue::code));

    EffectiveParameters p = effective_parameters(c, s, &c.pools[0]);
    EXPECT_EQ(p.default_lease_time, 400u);
    EXPECT_EQ(p.next_server, ip(10, 0, 0, 2));

    EffectiveParameters h = effective_parameters(c, s, &c.pools[0], &c.hosts[0]);
    EXPECT_EQ(h.default_lease_time, 600u); // host
    EXPECT_EQ(h.max_lease_time, 500u);     // the host's group beats the global 1000
    EXPECT_EQ(h.filename, "group.0");      // the group beats the subnet
    EXPECT_EQ(h.next_server, ip(10, 0, 0, 2));

    EffectiveParameters defaults = effective_parameters(
        clean("subnet 1.0.0.0 netmask 255.0.0.0 {}"), Subnet{ip(1, 0, 0, 0), 0xff000000u, 1});
    EXPECT_EQ(defaults.default_lease_time, 43200u);
    EXPECT_EQ(defaults.max_lease_time, 86400u);
    EXPECT_FALSE(defaults.authoritative);
    EXPECT_TRUE(defaults.allow_booting && defaults.allow_bootp && defaults.ping_check);
}

TEST_F(DhcpConfig, HostDeclaredInSubnetRanksBelowPool) {
    Config c = clean(R"(
subnet 10.0.0.0 netmask 255.255.255.0 {
  default-lease-time 300;
  pool { default-lease-time 400; range 10.0.0.10 10.0.0.20; }
  host h { fixed-address 10.0.0.5; }
}
)");
    EffectiveParameters e = effective_parameters(c, c.subnets[0], &c.pools[0], &c.hosts[0]);
    EXPECT_EQ(e.default_lease_time, 400u);
}

TEST_F(DhcpConfig, IncludeIsRelativeToTheIncludingFile) {
    write("conf.d/hosts.conf", "include \"more/pxe.conf\";\nhost a { hardware ethernet "
                               "00:00:00:00:00:01; }\n");
    write("conf.d/more/pxe.conf", "filename \"pxe.0\";\nfailover peer \"x\" { }\n");
    Config c = load("default-lease-time 60;\ninclude \"conf.d/hosts.conf\";\n");
    EXPECT_EQ(messages(), (Messages{"conf.d/more/pxe.conf:2: unsupported statement 'failover'"}));
    EXPECT_EQ(c.global().filename->value, "pxe.0");
    EXPECT_TRUE(c.global().filename->where.file.ends_with("conf.d/more/pxe.conf"));
    ASSERT_EQ(c.hosts.size(), 1u);
    EXPECT_EQ(c.hosts[0].where.line, 2);

    load("\ninclude \"missing.conf\";\ninclude \"dhcpd.conf\";\n");
    EXPECT_EQ(messages(), (Messages{"dhcpd.conf:2: cannot include missing.conf: No such file or "
                                    "directory",
                                    "dhcpd.conf:3: include loop: 'dhcpd.conf' is already being "
                                    "read"}));
}

TEST_F(DhcpConfig, MissingFile) {
    common::Diagnostics diags;
    load_config(dir_ + "/nothing.conf", diags);
    ASSERT_EQ(diags.all().size(), 1u);
    EXPECT_EQ(diags.all()[0].str(), dir_ + "/nothing.conf: No such file or directory");
}

struct ErrorCase {
    const char* config;
    Messages expected;
};

TEST_F(DhcpConfig, EveryErrorIsReportedWithItsLine) {
    const ErrorCase cases[] = {
        {"authoritative;\n\nfailover peer \"dhcp\" { primary; }\n",
         {"dhcpd.conf:3: unsupported statement 'failover'"}},
        {"authritative;\n", {"dhcpd.conf:1: unknown statement 'authritative'"}},
        {"default-lease-time -5;\nmax-lease-time ten;\nmin-lease-time 99999999999;\n",
         {"dhcpd.conf:1: 'default-lease-time' must be a non-negative number of seconds, not '-5'",
          "dhcpd.conf:2: 'max-lease-time' must be a non-negative number of seconds, not 'ten'",
          "dhcpd.conf:3: 'min-lease-time' must be a non-negative number of seconds, not "
          "'99999999999'"}},
        {"default-lease-time 600\nmax-lease-time 7200;\n",
         {"dhcpd.conf:1: missing ';' after 'default-lease-time'"}},
        {"default-lease-time 600 700;\n",
         {"dhcpd.conf:1: unexpected '700' in 'default-lease-time'"}},
        {"subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.1 10.0.0.9;\n",
         {"dhcpd.conf:1: unbalanced braces: '{' of 'subnet' is never closed"}},
        {"authoritative;\n}\n", {"dhcpd.conf:2: unbalanced braces: unexpected '}'"}},
        {"subnet 10.0.0.0 netmask 255.0.255.0 { }\nsubnet 10.0.0.300 netmask 255.0.0.0 { }\n"
         "subnet 10.0.0.1 netmask 255.255.255.0 { }\nsubnet 10.1.0.0 netmask bogus { }\n",
         {"dhcpd.conf:1: netmask 255.0.255.0 is not contiguous",
          "dhcpd.conf:2: invalid IPv4 address '10.0.0.300'",
          "dhcpd.conf:3: subnet 10.0.0.1 has host bits set for netmask 255.255.255.0",
          "dhcpd.conf:4: invalid netmask 'bogus'"}},
        {"subnet 10.0.0.0 netmask 255.255.0.0 { }\nsubnet 10.0.1.0 netmask 255.255.255.0 { }\n",
         {"dhcpd.conf:2: subnet 10.0.1.0 netmask 255.255.255.0 overlaps subnet 10.0.0.0 netmask "
          "255.255.0.0 at dhcpd.conf:1"}},
        {"subnet 10.0.1.0 netmask 255.255.255.0 {\n range 10.0.2.1 10.0.2.9;\n"
         " pool { range 10.0.1.200 10.0.2.5; }\n}\n",
         {"dhcpd.conf:2: range 10.0.2.1 10.0.2.9 is outside subnet 10.0.1.0 netmask 255.255.255.0",
          "dhcpd.conf:3: range 10.0.1.200 10.0.2.5 is outside subnet 10.0.1.0 netmask "
          "255.255.255.0"}},
        {"host a { hardware ethernet 00:11:22:33:44:55; }\n"
         "host b {\n hardware ethernet 00:11:22:33:44:55;\n}\n",
         {"dhcpd.conf:3: hardware ethernet 00:11:22:33:44:55 of host 'b' is already used by "
          "host 'a' at dhcpd.conf:1"}},
        {"host a { fixed-address 192.168.9.9; }\n",
         {"dhcpd.conf:1: warning: fixed-address 192.168.9.9 of host 'a' is not in any declared "
          "subnet"}},
        {"option routers 10.0.0.1;\noption wpad-url \"x\";\noption netbios-name-servers 1.2.3.4;\n",
         {"dhcpd.conf:2: unknown option 'wpad-url'",
          "dhcpd.conf:3: unsupported option 'netbios-name-servers'"}},
        {"option routers 10.0.0;\noption interface-mtu 20;\noption domain-search \"a..b\";\n"
         "option classless-static-routes 10.0.0.1/8 10.0.0.1;\noption routers;\n",
         {"dhcpd.conf:1: invalid IPv4 address '10.0.0'",
          "dhcpd.conf:2: interface-mtu must be at least 68",
          "dhcpd.conf:3: invalid domain name 'a..b'",
          "dhcpd.conf:4: route destination '10.0.0.1/8' has host bits set",
          "dhcpd.conf:5: invalid IPv4 address ';'"}},
        {"ddns-update-style interim;\nlog-facility nowhere;\nping-check maybe;\n",
         {"dhcpd.conf:1: ddns-update-style 'interim' is not supported (only 'none')",
          "dhcpd.conf:2: unknown log-facility 'nowhere'",
          "dhcpd.conf:3: 'ping-check' must be true or false, not 'maybe'"}},
        {"range 10.0.0.1 10.0.0.2;\nhost h { hardware token-ring 00:11:22:33:44:55; }\n"
         "host i { hardware ethernet 00:11:22:33:44; }\nsubnet 10.0.0.0 netmask 255.0.0.0 {\n"
         " deny known-clients;\n allow members of \"x\";\n}\nfilename pxe;\n",
         {"dhcpd.conf:1: 'range' is not allowed at the top level",
          "dhcpd.conf:2: unsupported hardware type 'token-ring'",
          "dhcpd.conf:3: invalid hardware address '00:11:22:33:44'",
          "dhcpd.conf:5: 'deny known-clients' is only allowed inside a pool",
          "dhcpd.conf:6: unsupported statement 'allow members'",
          "dhcpd.conf:8: 'filename' needs a quoted string, not 'pxe'"}},
        {"filename \"unterminated;\n",
         {"dhcpd.conf:1: unterminated string", "dhcpd.conf:1: missing ';' after 'filename'"}},
    };
    for (const auto& test : cases) {
        SCOPED_TRACE(test.config);
        load(test.config);
        EXPECT_EQ(messages(), test.expected);
        bool only_warnings =
            test.expected.size() == 1 && test.expected[0].find("warning:") != std::string::npos;
        EXPECT_EQ(diags_.has_errors(), !only_warnings);
    }
}

TEST_F(DhcpConfig, ErrorsAreAllCollectedAndParsingGoesOn) {
    Config c = load(R"(authritative;
default-lease-time -1;
subnet 10.0.0.0 netmask 255.255.255.0 {
  option nonsense 1;
  range 10.0.0.10 10.0.0.20;
  on commit { set x = 1; }
}
max-lease-time 900;
)");
    EXPECT_EQ(messages(), (Messages{"dhcpd.conf:1: unknown statement 'authritative'",
                                    "dhcpd.conf:2: 'default-lease-time' must be a non-negative "
                                    "number of seconds, not '-1'",
                                    "dhcpd.conf:4: unknown option 'nonsense'",
                                    "dhcpd.conf:6: unsupported statement 'on'"}));
    EXPECT_EQ(diags_.error_count(), 4u);
    ASSERT_EQ(c.subnets.size(), 1u);
    EXPECT_EQ(c.subnets[0].ranges.size(), 1u);
    EXPECT_EQ(c.global().max_lease_time->value, 900u);
}

TEST_F(DhcpConfig, DeepNestingIsBounded) {
    std::string text;
    for (int i = 0; i < 100; ++i)
        text += "group {\n";
    for (int i = 0; i < 100; ++i)
        text += "}\n";
    load(text);
    EXPECT_EQ(messages(), (Messages{"dhcpd.conf:17: blocks nested more than 16 deep"}));
}

// A realistic lab: two subnets, a PXE host, a pool that only serves known clients.
TEST_F(DhcpConfig, LabConfig) {
    Config c = clean(R"(# /etc/dhcp/dhcpd.conf for the lab
ddns-update-style none;
authoritative;
log-facility local7;
default-lease-time 3600;
max-lease-time 86400;
option domain-name "lab.example";
option domain-name-servers 192.168.10.1, 192.168.20.1;

subnet 192.168.10.0 netmask 255.255.255.0 {
    option routers 192.168.10.1;
    option broadcast-address 192.168.10.255;
    range 192.168.10.100 192.168.10.200;
}

subnet 192.168.20.0 netmask 255.255.255.0 {
    option routers 192.168.20.1;
    next-server 192.168.20.2;
    pool {
        deny unknown-clients;
        range 192.168.20.50 192.168.20.99;
    }
}

host pxe-node1 {
    hardware ethernet 52:54:00:12:34:56;
    fixed-address 192.168.20.10;
    filename "pxelinux.0";
    option host-name "node1";
}
)");
    ASSERT_EQ(c.subnets.size(), 2u);
    ASSERT_EQ(c.pools.size(), 1u);
    EXPECT_FALSE(c.pools[0].unknown_clients->value);
    EXPECT_EQ(c.pools[0].unknown_clients->where.line, 20);
    const Host* host = c.host_for({0x52, 0x54, 0x00, 0x12, 0x34, 0x56});
    ASSERT_NE(host, nullptr);
    const Subnet* subnet = c.subnet_for(host->fixed_addresses.at(0));
    ASSERT_EQ(subnet, &c.subnets[1]);
    EffectiveParameters e = effective_parameters(c, *subnet, nullptr, host);
    EXPECT_EQ(e.filename, "pxelinux.0");
    EXPECT_EQ(e.next_server, ip(192, 168, 20, 2));
    EXPECT_TRUE(e.authoritative);
    EXPECT_EQ(e.default_lease_time, 3600u);
    EXPECT_EQ(e.find_option(option::routers)->value, (Bytes{192, 168, 20, 1}));
    EXPECT_EQ(e.find_option(option::host_name)->value, (Bytes{'n', 'o', 'd', 'e', '1'}));
    EXPECT_EQ(e.find_option(option::domain_name_servers)->value,
              (Bytes{192, 168, 10, 1, 192, 168, 20, 1}));
    EffectiveParameters first = effective_parameters(c, c.subnets[0]);
    EXPECT_EQ(first.find_option(option::broadcast_address)->value, (Bytes{192, 168, 10, 255}));
    EXPECT_FALSE(first.filename);
}

} // namespace
} // namespace superd::dhcp
