// restrict matching: the most specific entry wins, defaults per family, v4-mapped peers, masks
// across the IPv6 64-bit halves, merged duplicates, ntpport, `restrict source`, and a randomised
// comparison with a brute-force reading of ntpd's rule.
#include "ntpd/restrict.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <random>

namespace superd::ntp {

// gtest prints flags as ntp.conf spells them.
void PrintTo(const RestrictFlags& flags, std::ostream* os) {
    *os << "{" << to_string(flags) << "}";
}

namespace {

using enum RestrictFlag;

common::IpAddress ip(std::string_view text) {
    auto a = common::IpAddress::parse(text);
    EXPECT_TRUE(a) << text;
    return a.value_or(common::IpAddress{});
}

Restrict net(std::string_view cidr, RestrictFlags flags = {}) {
    Restrict r;
    auto c = common::Cidr::parse(cidr);
    EXPECT_TRUE(c) << cidr;
    r.network = c.value_or(common::Cidr{});
    r.family = r.network.network().is_v4() ? Family::ipv4 : Family::ipv6;
    r.flags = flags;
    return r;
}

Restrict by_default(RestrictFlags flags, Family family = Family::any) {
    Restrict r;
    r.is_default = true;
    r.family = family;
    r.flags = flags;
    return r;
}

Restrict source(RestrictFlags flags) {
    Restrict r;
    r.is_source = true;
    r.flags = flags;
    return r;
}

RestrictFlags flags(RestrictFlag f) {
    return RestrictFlags{} | f;
}

TEST(RestrictTable, EmptyRestrictsNothing) {
    RestrictTable table;
    EXPECT_TRUE(table.match(ip("192.0.2.1")).empty());
    EXPECT_TRUE(table.match(ip("2001:db8::1")).empty());
    EXPECT_TRUE(match_restrict({}, ip("10.0.0.1")).empty());
}

TEST(RestrictTable, DefaultCoversBothFamilies) {
    RestrictTable table({by_default(kod | limited)});
    EXPECT_EQ(table.match(ip("192.0.2.1")), kod | limited);
    EXPECT_EQ(table.match(ip("2001:db8::1")), kod | limited);
    EXPECT_EQ(table.match(ip("::ffff:192.0.2.1")), kod | limited);
    EXPECT_EQ(table.size(), 2u);
}

TEST(RestrictTable, DefaultPerFamily) {
    RestrictTable v4_only({by_default(flags(ignore), Family::ipv4)});
    EXPECT_EQ(v4_only.match(ip("192.0.2.1")), flags(ignore));
    EXPECT_TRUE(v4_only.match(ip("2001:db8::1")).empty());

    RestrictTable both(
        {by_default(flags(noquery), Family::ipv4), by_default(flags(noserve), Family::ipv6)});
    EXPECT_EQ(both.match(ip("192.0.2.1")), flags(noquery));
    EXPECT_EQ(both.match(ip("2001:db8::1")), flags(noserve));
    // A v4-mapped peer is an IPv4 peer: the IPv6 default does not apply to it.
    EXPECT_EQ(both.match(ip("::ffff:192.0.2.1")), flags(noquery));
    RestrictTable v6_only({by_default(flags(noserve), Family::ipv6)});
    EXPECT_TRUE(v6_only.match(ip("::ffff:192.0.2.1")).empty());
}

TEST(RestrictTable, LongestMaskWinsWhateverTheOrder) {
    std::vector<Restrict> entries = {
        by_default(flags(ignore)),
        net("10.0.0.0/8", flags(noquery)),
        net("10.1.0.0/16", flags(nomodify)),
        net("10.1.2.3", {}),
    };
    for (int pass = 0; pass < 2; ++pass) {
        RestrictTable table(entries);
        EXPECT_TRUE(table.match(ip("10.1.2.3")).empty());
        EXPECT_EQ(table.match(ip("10.1.2.4")), flags(nomodify));
        EXPECT_EQ(table.match(ip("10.1.255.255")), flags(nomodify));
        EXPECT_EQ(table.match(ip("10.2.0.0")), flags(noquery));
        EXPECT_EQ(table.match(ip("10.255.255.255")), flags(noquery));
        EXPECT_EQ(table.match(ip("11.0.0.0")), flags(ignore));
        EXPECT_EQ(table.match(ip("9.255.255.255")), flags(ignore));
        std::reverse(entries.begin(), entries.end());
    }
}

TEST(RestrictTable, MappedPeersMatchIpv4Entries) {
    RestrictTable table({by_default(flags(ignore)), net("192.168.0.0/16", flags(nopeer)),
                         net("::ffff:0:0/96", flags(noserve))});
    EXPECT_EQ(table.match(ip("::ffff:192.168.7.7")), flags(nopeer));
    EXPECT_EQ(table.match(ip("::ffff:10.0.0.1")), flags(ignore));
    EXPECT_EQ(table.match(ip("::192.168.7.7")), flags(ignore)); // v4-compatible is not mapped
}

TEST(RestrictTable, Ipv6PrefixesAcrossBothHalves) {
    RestrictTable table({by_default(flags(ignore)), net("2001:db8::/32", flags(noquery)),
                         net("2001:db8:1::/48", flags(nomodify)),
                         net("2001:db8:1:2:ff00::/72", flags(notrap)),
                         net("2001:db8:1:2:ffaa::1", flags(kod))});
    EXPECT_EQ(table.match(ip("2001:db8:ffff::1")), flags(noquery));
    EXPECT_EQ(table.match(ip("2001:db8:1:3::1")), flags(nomodify));
    EXPECT_EQ(table.match(ip("2001:db8:1:2:ff12::1")), flags(notrap));
    EXPECT_EQ(table.match(ip("2001:db8:1:2:fe00::1")), flags(nomodify));
    EXPECT_EQ(table.match(ip("2001:db8:1:2:ffaa::1")), flags(kod));
    EXPECT_EQ(table.match(ip("2001:db8:1:2:ffaa::2")), flags(notrap));
    EXPECT_EQ(table.match(ip("2001:db9::1")), flags(ignore));
    EXPECT_EQ(table.match(ip("192.0.2.1")), flags(ignore));
}

TEST(RestrictTable, SameNetworkTwiceAddsTheFlags) {
    RestrictTable table({net("10.0.0.0/8", flags(noquery)), net("10.0.0.0/8", flags(nomodify)),
                         by_default(flags(kod)), by_default(flags(limited), Family::ipv4),
                         // An explicit /0 is the default of its family.
                         net("0.0.0.0/0", flags(notrap))});
    EXPECT_EQ(table.match(ip("10.9.9.9")), noquery | nomodify);
    EXPECT_EQ(table.match(ip("192.0.2.1")), kod | limited | notrap);
    EXPECT_EQ(table.match(ip("2001:db8::1")), flags(kod));
    EXPECT_EQ(table.size(), 3u);
}

TEST(RestrictTable, NtpportEntriesMatchOnlyPort123) {
    RestrictTable table({by_default(flags(ignore)), net("10.0.0.0/8", flags(noquery)),
                         net("10.0.0.0/8", ntpport | nomodify)});
    EXPECT_EQ(table.match(ip("10.1.1.1"), 123), ntpport | nomodify);
    EXPECT_EQ(table.match(ip("10.1.1.1"), 50000), flags(noquery));
    EXPECT_EQ(table.match(ip("10.1.1.1")), flags(noquery)); // port unknown
    EXPECT_EQ(table.match(ip("11.1.1.1"), 123), flags(ignore));
}

TEST(RestrictTable, SourceAppliesToServerAddresses) {
    Config config;
    config.restricts = {by_default(kod | limited | nomodify | nopeer | noquery),
                        source(notrap | nomodify | noquery), net("192.0.2.2", {})};
    ServerLine numeric;
    numeric.address = "192.0.2.1";
    numeric.ip = ip("192.0.2.1");
    ServerLine named;
    named.address = "ntp.example.org";
    ServerLine own_entry;
    own_entry.address = "192.0.2.2";
    own_entry.ip = ip("192.0.2.2");
    ServerLine local;
    local.address = "127.127.1.0";
    local.ip = ip("127.127.1.0");
    config.servers = {numeric, named, own_entry, local};

    RestrictTable table = RestrictTable::from_config(config);
    ASSERT_TRUE(table.source_flags());
    EXPECT_EQ(table.match(ip("192.0.2.1")), notrap | nomodify | noquery);
    EXPECT_TRUE(table.match(ip("192.0.2.2")).empty()); // the operator's own host entry stays
    EXPECT_EQ(table.match(ip("127.127.1.0")), kod | limited | nomodify | nopeer | noquery);
    // A name's addresses get the source flags once resolved.
    table.add_source(ip("2001:db8::123"));
    table.add_source(ip("::ffff:198.51.100.7"));
    EXPECT_EQ(table.match(ip("2001:db8::123")), notrap | nomodify | noquery);
    EXPECT_EQ(table.match(ip("198.51.100.7")), notrap | nomodify | noquery);

    RestrictTable no_source({by_default(flags(ignore))});
    no_source.add_source(ip("192.0.2.1"));
    EXPECT_EQ(no_source.match(ip("192.0.2.1")), flags(ignore));
    EXPECT_FALSE(no_source.source_flags());
}

// Debian's ntp.conf: everyone is served but may not query or change the server; localhost may.
TEST(RestrictTable, DebianDefaults) {
    RestrictFlags limits = kod | notrap | nomodify | nopeer | noquery | limited;
    RestrictTable table({by_default(limits, Family::ipv4), by_default(limits, Family::ipv6),
                         net("127.0.0.1"), net("::1")});
    EXPECT_TRUE(table.match(ip("127.0.0.1")).empty());
    EXPECT_TRUE(table.match(ip("::1")).empty());
    EXPECT_TRUE(table.match(ip("::ffff:127.0.0.1")).empty());
    EXPECT_EQ(table.match(ip("127.0.0.2")), limits);
    EXPECT_EQ(table.match(ip("203.0.113.9")), limits);
    EXPECT_TRUE(table.match(ip("203.0.113.9")).has(kod));
    EXPECT_FALSE(table.match(ip("203.0.113.9")).has(noserve));
}

// ntpd's rule read literally: of the entries containing the address (ports aside), those with
// the longest prefix; their flags merged.
RestrictFlags brute_force(const std::vector<Restrict>& entries, const common::IpAddress& peer) {
    common::IpAddress a = peer.unmapped();
    int best = -1;
    RestrictFlags out;
    for (const auto& e : entries) {
        common::Cidr network = e.network;
        if (e.is_default) {
            if ((e.family == Family::ipv4 && !a.is_v4()) || (e.family == Family::ipv6 && a.is_v4()))
                continue;
            network = a.is_v4() ? common::Cidr(common::IpAddress::v4(0), 0)
                                : common::Cidr(common::IpAddress::v6({}), 0);
        }
        if (network.network().is_v4() != a.is_v4() || !network.contains(a)) continue;
        if (network.prefix_len() > best) {
            best = network.prefix_len();
            out = e.flags;
        } else if (network.prefix_len() == best) {
            out |= e.flags;
        }
    }
    return out;
}

TEST(RestrictTable, RandomisedAgainstBruteForce) {
    std::random_device rd;
    const unsigned seed = rd();
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::printf("RestrictTable randomised test: seed %u\n", seed);
    std::mt19937 rng(seed);
    auto random_address = [&](bool v4) {
        if (v4) return common::IpAddress::v4(0x0A000000u | (rng() & 0x00FF00FFu)); // 10.x.0.y
        std::array<std::uint8_t, 16> bytes{0x20, 0x01, 0x0d, 0xb8};
        for (std::size_t i : {4u, 8u, 9u, 15u})
            bytes[i] = static_cast<std::uint8_t>(rng() & 0x3);
        return common::IpAddress::v6(bytes);
    };
    for (int round = 0; round < 200; ++round) {
        std::vector<Restrict> entries;
        int count = static_cast<int>(rng() % 12);
        for (int i = 0; i < count; ++i) {
            RestrictFlags f{(1u << (rng() % 13)) & ~static_cast<std::uint32_t>(ntpport)};
            if (rng() % 6 == 0) {
                entries.push_back(by_default(f, static_cast<Family>(rng() % 3)));
                continue;
            }
            bool v4 = rng() % 2 == 0;
            int prefix = static_cast<int>(rng() % (v4 ? 33 : 129));
            Restrict r;
            r.network = common::Cidr(random_address(v4), prefix);
            r.family = v4 ? Family::ipv4 : Family::ipv6;
            r.flags = f;
            entries.push_back(r);
        }
        RestrictTable table(entries);
        for (int probe = 0; probe < 50; ++probe) {
            common::IpAddress peer = random_address(rng() % 2 == 0);
            ASSERT_EQ(table.match(peer).bits, brute_force(entries, peer).bits)
                << "round " << round << " peer " << peer.str();
        }
    }
}

} // namespace
} // namespace superd::ntp
