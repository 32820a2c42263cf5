#include "common/address.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace superd::common {
namespace {

IpAddress ip(std::string_view text) {
    auto a = IpAddress::parse(text);
    EXPECT_TRUE(a.has_value()) << text;
    return a.value_or(IpAddress{});
}

Cidr cidr(std::string_view text) {
    auto c = Cidr::parse(text);
    EXPECT_TRUE(c.has_value()) << text;
    return c.value_or(Cidr{});
}

TEST(IpAddress, DefaultIsV4Unspecified) {
    IpAddress a;
    EXPECT_TRUE(a.is_v4());
    EXPECT_FALSE(a.is_v6());
    EXPECT_TRUE(a.is_unspecified());
    EXPECT_EQ(a.v4_host_order(), 0u);
    EXPECT_EQ(a.str(), "0.0.0.0");
}

TEST(IpAddress, V4FromHostOrder) {
    IpAddress a = IpAddress::v4(0xC0A80102);
    EXPECT_TRUE(a.is_v4());
    EXPECT_EQ(a.str(), "192.168.1.2");
    EXPECT_EQ(a.v4_host_order(), 0xC0A80102u);
    // Network order in the first four bytes, the rest zero.
    std::array<std::uint8_t, 16> expected{0xC0, 0xA8, 0x01, 0x02};
    EXPECT_EQ(a.v6_bytes(), expected);
}

TEST(IpAddress, ParseV4) {
    IpAddress a = ip("10.1.2.3");
    EXPECT_TRUE(a.is_v4());
    EXPECT_EQ(a.v4_host_order(), 0x0A010203u);
    EXPECT_EQ(a.str(), "10.1.2.3");
    EXPECT_EQ(ip("255.255.255.255").v4_host_order(), 0xFFFFFFFFu);
    EXPECT_EQ(ip("0.0.0.0").v4_host_order(), 0u);
    EXPECT_TRUE(ip("0.0.0.0").is_unspecified());
    EXPECT_FALSE(ip("0.0.0.1").is_unspecified());
    EXPECT_EQ(a, IpAddress::v4(0x0A010203));
}

TEST(IpAddress, ParseV6) {
    IpAddress a = ip("2001:db8::1");
    EXPECT_TRUE(a.is_v6());
    std::array<std::uint8_t, 16> expected{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                          0,    0,    0,    0,    0, 0, 0, 1};
    EXPECT_EQ(a.v6_bytes(), expected);
    EXPECT_EQ(a.str(), "2001:db8::1");
    EXPECT_EQ(a, IpAddress::v6(expected));

    EXPECT_EQ(ip("::1").str(), "::1");
    EXPECT_TRUE(ip("::").is_unspecified());
    EXPECT_TRUE(ip("::").is_v6());
    EXPECT_EQ(ip("2001:DB8:0:0:0:0:0:1").str(), "2001:db8::1");
    EXPECT_EQ(ip("fe80::1:2:3:4").str(), "fe80::1:2:3:4");
}

TEST(IpAddress, ParseRejectsJunk) {
    for (std::string_view bad : {"",
                                 " ",
                                 "1.2.3",
                                 "1.2.3.4.5",
                                 "256.1.1.1",
                                 "1.2.3.4 ",
                                 " 1.2.3.4",
                                 "1.2.3.-4",
                                 "a.b.c.d",
                                 "1.2.3.4/24",
                                 "0x7f.0.0.1",
                                 "127.1",
                                 "[::1]",
                                 "::1%lo",
                                 "fe80::1%eth0",
                                 ":::",
                                 "1::2::3",
                                 "12345::",
                                 "::ffff:1.2.3.256",
                                 "localhost",
                                 "1111:2222:3333:4444:5555:6666:7777:8888:9999"}) {
        EXPECT_FALSE(IpAddress::parse(bad).has_value()) << '"' << bad << '"';
    }
    // An embedded NUL must not truncate the text into something valid.
    EXPECT_FALSE(IpAddress::parse(std::string_view("1.2.3.4\0junk", 12)).has_value());
    // Longer than any address.
    EXPECT_FALSE(IpAddress::parse(std::string(100, '1')).has_value());
}

TEST(IpAddress, V4Mapped) {
    IpAddress mapped = ip("::ffff:192.0.2.1");
    EXPECT_TRUE(mapped.is_v6());
    EXPECT_TRUE(mapped.is_v4_mapped());
    EXPECT_EQ(mapped.str(), "::ffff:192.0.2.1");
    IpAddress plain = mapped.unmapped();
    EXPECT_TRUE(plain.is_v4());
    EXPECT_EQ(plain, ip("192.0.2.1"));
    EXPECT_EQ(plain.str(), "192.0.2.1");

    // Not v4-mapped: the v4-compatible form, NAT64, a plain v4, a plain v6.
    EXPECT_FALSE(ip("::192.0.2.1").is_v4_mapped());
    EXPECT_FALSE(ip("64:ff9b::192.0.2.1").is_v4_mapped());
    EXPECT_FALSE(ip("192.0.2.1").is_v4_mapped());
    EXPECT_EQ(ip("2001:db8::1").unmapped(), ip("2001:db8::1"));
    EXPECT_EQ(ip("10.0.0.1").unmapped(), ip("10.0.0.1"));
}

TEST(IpAddress, V4AndV6AreDifferent) {
    EXPECT_NE(ip("0.0.0.0"), ip("::"));
    EXPECT_NE(ip("192.0.2.1"), ip("::ffff:192.0.2.1"));
    EXPECT_NE(ip("10.0.0.1"), ip("10.0.0.2"));
    EXPECT_LT(ip("10.0.0.1"), ip("10.0.0.2"));
}

TEST(IpAddress, FromSockaddr) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(53);
    sin.sin_addr.s_addr = htonl(0x7F000001);
    auto a = IpAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&sin), sizeof sin);
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, ip("127.0.0.1"));
    // Too short for its family.
    EXPECT_FALSE(IpAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&sin), sizeof sin - 1));
    EXPECT_FALSE(IpAddress::from_sockaddr(nullptr, 0));

    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    ASSERT_EQ(::inet_pton(AF_INET6, "2001:db8::42", &sin6.sin6_addr), 1);
    a = IpAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&sin6), sizeof sin6);
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, ip("2001:db8::42"));

    sockaddr_storage other{};
    other.ss_family = AF_UNIX;
    EXPECT_FALSE(IpAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&other), sizeof other));
}

TEST(Cidr, Default) {
    Cidr c;
    EXPECT_EQ(c.str(), "0.0.0.0/32");
    EXPECT_EQ(c.prefix_len(), 32);
}

TEST(Cidr, ParseAndStr) {
    EXPECT_EQ(cidr("10.0.0.0/8").str(), "10.0.0.0/8");
    EXPECT_EQ(cidr("10.0.0.0/8").prefix_len(), 8);
    // Host bits are cleared.
    EXPECT_EQ(cidr("10.1.2.3/8").str(), "10.0.0.0/8");
    EXPECT_EQ(cidr("192.168.1.255/23").str(), "192.168.0.0/23");
    EXPECT_EQ(cidr("10.1.2.3/0").str(), "0.0.0.0/0");
    EXPECT_EQ(cidr("10.1.2.3/32").str(), "10.1.2.3/32");
    EXPECT_EQ(cidr("10.1.2.3/31").str(), "10.1.2.2/31");
    // A bare address is a full-length prefix.
    EXPECT_EQ(cidr("10.1.2.3").str(), "10.1.2.3/32");
    EXPECT_EQ(cidr("2001:db8::1").str(), "2001:db8::1/128");
    EXPECT_EQ(cidr("2001:db8:ffff::1/32").str(), "2001:db8::/32");
    EXPECT_EQ(cidr("2001:db8::ff/121").str(), "2001:db8::80/121");
    EXPECT_EQ(cidr("::/0").str(), "::/0");
    EXPECT_EQ(cidr("ffff::1/0").str(), "::/0");
    EXPECT_EQ(cidr("2001:db8::1/128").str(), "2001:db8::1/128");
    EXPECT_EQ(cidr("::ffff:10.1.2.3/104").str(), "::ffff:10.0.0.0/104");
    EXPECT_EQ(cidr("10.0.0.0/024").prefix_len(), 24);
}

TEST(Cidr, ConstructorClearsHostBits) {
    Cidr c(ip("172.16.5.4"), 12);
    EXPECT_EQ(c.network(), ip("172.16.0.0"));
    EXPECT_EQ(c.prefix_len(), 12);
    EXPECT_EQ(Cidr(ip("172.31.255.255"), 12), c);
}

TEST(Cidr, ParseRejects) {
    for (std::string_view bad : {"",
                                 "/",
                                 "/8",
                                 "10.0.0.0/",
                                 "10.0.0.0/33",
                                 "10.0.0.0/-1",
                                 "10.0.0.0/+8",
                                 "10.0.0.0/ 8",
                                 "10.0.0.0/8 ",
                                 "10.0.0.0/8/8",
                                 "10.0.0.0/a",
                                 "10.0.0.0/0x8",
                                 "10.0.0/8",
                                 "::/129",
                                 "::/1280",
                                 "2001:db8::/",
                                 "junk",
                                 "junk/8",
                                 "10.0.0.0//8",
                                 "10.0.0.0/99999999999"}) {
        EXPECT_FALSE(Cidr::parse(bad).has_value()) << '"' << bad << '"';
    }
    EXPECT_TRUE(Cidr::parse("::/128"));
    EXPECT_TRUE(Cidr::parse("1.2.3.4/32"));
}

TEST(Cidr, ContainsV4) {
    Cidr net = cidr("192.168.1.0/24");
    EXPECT_TRUE(net.contains(ip("192.168.1.0")));
    EXPECT_TRUE(net.contains(ip("192.168.1.1")));
    EXPECT_TRUE(net.contains(ip("192.168.1.255")));
    EXPECT_FALSE(net.contains(ip("192.168.2.1")));
    EXPECT_FALSE(net.contains(ip("192.168.0.255")));
    EXPECT_FALSE(net.contains(ip("10.0.0.1")));

    Cidr odd = cidr("10.0.0.64/26");
    EXPECT_FALSE(odd.contains(ip("10.0.0.63")));
    EXPECT_TRUE(odd.contains(ip("10.0.0.64")));
    EXPECT_TRUE(odd.contains(ip("10.0.0.127")));
    EXPECT_FALSE(odd.contains(ip("10.0.0.128")));
}

TEST(Cidr, ContainsV4HostAndAll) {
    Cidr host = cidr("127.0.0.1/32");
    EXPECT_TRUE(host.contains(ip("127.0.0.1")));
    EXPECT_FALSE(host.contains(ip("127.0.0.2")));

    Cidr all = cidr("0.0.0.0/0");
    EXPECT_TRUE(all.contains(ip("0.0.0.0")));
    EXPECT_TRUE(all.contains(ip("255.255.255.255")));
    EXPECT_TRUE(all.contains(ip("::ffff:8.8.8.8")));
    // An IPv4 prefix, even /0, does not match native IPv6 peers.
    EXPECT_FALSE(all.contains(ip("::1")));
    EXPECT_FALSE(all.contains(ip("2001:db8::1")));
    EXPECT_FALSE(all.contains(ip("::")));
}

TEST(Cidr, V4PrefixMatchesMappedPeer) {
    Cidr net = cidr("192.168.1.0/24");
    EXPECT_TRUE(net.contains(ip("::ffff:192.168.1.77")));
    EXPECT_FALSE(net.contains(ip("::ffff:192.168.2.77")));
    // Only the v4-mapped form, not v4-compatible or NAT64.
    EXPECT_FALSE(net.contains(ip("::192.168.1.77")));
    EXPECT_FALSE(net.contains(ip("64:ff9b::192.168.1.77")));
    EXPECT_TRUE(cidr("127.0.0.1").contains(ip("::ffff:127.0.0.1")));
}

TEST(Cidr, ContainsV6) {
    Cidr net = cidr("2001:db8::/32");
    EXPECT_TRUE(net.contains(ip("2001:db8::1")));
    EXPECT_TRUE(net.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
    EXPECT_FALSE(net.contains(ip("2001:db9::1")));
    EXPECT_FALSE(net.contains(ip("32.1.13.184"))); // 0x20010db8 as IPv4

    Cidr host = cidr("::1/128");
    EXPECT_TRUE(host.contains(ip("::1")));
    EXPECT_FALSE(host.contains(ip("::2")));
    EXPECT_FALSE(host.contains(ip("127.0.0.1")));

    Cidr odd = cidr("fe80::/10");
    EXPECT_TRUE(odd.contains(ip("fe80::1")));
    EXPECT_TRUE(odd.contains(ip("febf::1")));
    EXPECT_FALSE(odd.contains(ip("fec0::1")));
}

TEST(Cidr, V6PrefixMatchesIPv6Only) {
    Cidr all = cidr("::/0");
    EXPECT_TRUE(all.contains(ip("::")));
    EXPECT_TRUE(all.contains(ip("2001:db8::1")));
    EXPECT_TRUE(all.contains(ip("::ffff:10.0.0.1"))); // it is an IPv6 address
    EXPECT_FALSE(all.contains(ip("10.0.0.1")));
    EXPECT_FALSE(all.contains(ip("0.0.0.0")));

    Cidr mapped = cidr("::ffff:0:0/96");
    EXPECT_TRUE(mapped.contains(ip("::ffff:10.0.0.1")));
    EXPECT_FALSE(mapped.contains(ip("10.0.0.1")));
}

TEST(Endpoint, ParseV4) {
    auto e = Endpoint::parse("1.2.3.4:80");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->address, ip("1.2.3.4"));
    EXPECT_EQ(e->port, 80);
    EXPECT_EQ(e->str(), "1.2.3.4:80");

    e = Endpoint::parse("0.0.0.0:0");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->port, 0);
    e = Endpoint::parse("255.255.255.255:65535");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->port, 65535);
}

TEST(Endpoint, ParseV6) {
    auto e = Endpoint::parse("[::1]:80");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->address, ip("::1"));
    EXPECT_EQ(e->port, 80);
    EXPECT_EQ(e->str(), "[::1]:80");

    e = Endpoint::parse("[2001:DB8::1]:8080");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->str(), "[2001:db8::1]:8080");
    e = Endpoint::parse("[::ffff:1.2.3.4]:7");
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->address.is_v4_mapped());
    EXPECT_EQ(e->str(), "[::ffff:1.2.3.4]:7");
}

TEST(Endpoint, ParseRejects) {
    for (std::string_view bad : {"",
                                 ":",
                                 "1.2.3.4",
                                 "1.2.3.4:",
                                 ":80",
                                 "1.2.3.4:65536",
                                 "1.2.3.4:-1",
                                 "1.2.3.4:+80",
                                 "1.2.3.4:80 ",
                                 " 1.2.3.4:80",
                                 "1.2.3.4:8a",
                                 "1.2.3.4:123456",
                                 "::1:80",
                                 "[::1]",
                                 "[::1]:",
                                 "[::1]80",
                                 "[::1:80",
                                 "::1]:80",
                                 "[1.2.3.4]:80",
                                 "[]:80",
                                 "[::1]:80:80",
                                 "host:80",
                                 "1.2.3.4:80:90",
                                 "[[::1]]:80",
                                 "[fe80::1%eth0]:80"}) {
        EXPECT_FALSE(Endpoint::parse(bad).has_value()) << '"' << bad << '"';
    }
}

TEST(Endpoint, StrParseRoundTrip) {
    for (std::string_view text : {"1.2.3.4:80", "0.0.0.0:0", "[::]:0", "[::1]:65535",
                                  "[2001:db8::1]:443", "[::ffff:10.0.0.1]:53", "10.0.0.1:65535"}) {
        auto e = Endpoint::parse(text);
        ASSERT_TRUE(e) << text;
        EXPECT_EQ(e->str(), text);
        auto again = Endpoint::parse(e->str());
        ASSERT_TRUE(again);
        EXPECT_EQ(again->address, e->address);
        EXPECT_EQ(again->port, e->port);
    }
}

TEST(Endpoint, ToSockaddrV4) {
    auto e = Endpoint::parse("192.0.2.10:8080");
    ASSERT_TRUE(e);
    sockaddr_storage storage;
    std::memset(&storage, 0xAB, sizeof storage);
    socklen_t len = e->to_sockaddr(storage);
    ASSERT_EQ(len, sizeof(sockaddr_in));
    sockaddr_in sin{};
    std::memcpy(&sin, &storage, sizeof sin);
    EXPECT_EQ(sin.sin_family, AF_INET);
    EXPECT_EQ(ntohs(sin.sin_port), 8080);
    EXPECT_EQ(ntohl(sin.sin_addr.s_addr), 0xC000020Au);
    // The rest of the storage is zeroed.
    const auto* raw = reinterpret_cast<const unsigned char*>(&storage);
    for (std::size_t i = sizeof sin; i < sizeof storage; ++i)
        ASSERT_EQ(raw[i], 0) << i;

    auto back = Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->address, e->address);
    EXPECT_EQ(back->port, 8080);
}

TEST(Endpoint, ToSockaddrV6) {
    auto e = Endpoint::parse("[2001:db8::7]:53");
    ASSERT_TRUE(e);
    sockaddr_storage storage{};
    socklen_t len = e->to_sockaddr(storage);
    ASSERT_EQ(len, sizeof(sockaddr_in6));
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, &storage, sizeof sin6);
    EXPECT_EQ(sin6.sin6_family, AF_INET6);
    EXPECT_EQ(ntohs(sin6.sin6_port), 53);
    EXPECT_EQ(sin6.sin6_scope_id, 0u);
    EXPECT_EQ(sin6.sin6_flowinfo, 0u);
    EXPECT_EQ(std::memcmp(&sin6.sin6_addr, ip("2001:db8::7").v6_bytes().data(), 16), 0);

    auto back = Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->str(), "[2001:db8::7]:53");
    EXPECT_FALSE(Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&storage), len - 1));
}

} // namespace
} // namespace superd::common
