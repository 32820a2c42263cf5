#include "ntpd/restrict.hpp"

#include <algorithm>

namespace superd::ntp {

namespace {

constexpr std::uint16_t ntp_port = 123;

std::uint32_t mask4(int prefix) {
    return prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
}

// Bits [0, 64) of a 128-bit mask of `prefix` ones starting at bit `offset`.
std::uint64_t mask64(int prefix, int offset) {
    int bits = std::clamp(prefix - offset, 0, 64);
    return bits == 0 ? 0 : ~std::uint64_t{0} << (64 - bits);
}

std::uint64_t load64(const std::array<std::uint8_t, 16>& bytes, std::size_t at) {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < 8; ++i)
        value = value << 8 | bytes[at + i];
    return value;
}

// More specific first: a longer prefix, then `ntpport` before the same network without it.
template <class Entry> bool more_specific(const Entry& a, const Entry& b) {
    if (a.prefix != b.prefix) return a.prefix > b.prefix;
    return a.ntpport && !b.ntpport;
}

template <class Entry> void insert_sorted(std::vector<Entry>& entries, const Entry& entry) {
    auto at = std::upper_bound(entries.begin(), entries.end(), entry, more_specific<Entry>);
    entries.insert(at, entry);
}

} // namespace

RestrictTable::RestrictTable(const std::vector<Restrict>& entries) {
    for (const auto& e : entries) {
        if (e.is_source) {
            source_ = source_.value_or(RestrictFlags{}) | e.flags;
        } else if (e.is_default) {
            if (e.family != Family::ipv6) add(common::Cidr(common::IpAddress::v4(0), 0), e.flags);
            if (e.family != Family::ipv4) add(common::Cidr(common::IpAddress::v6({}), 0), e.flags);
        } else {
            add(e.network, e.flags);
        }
    }
}

RestrictTable RestrictTable::from_config(const Config& config) {
    RestrictTable table(config.restricts);
    for (const auto& server : config.servers)
        if (server.ip && !server.is_local_clock()) table.add_source(*server.ip);
    return table;
}

void RestrictTable::add(const common::Cidr& network, RestrictFlags flags) {
    const bool ntpport = flags.has(RestrictFlag::ntpport);
    const int prefix = network.prefix_len();
    const common::IpAddress& ip = network.network();
    if (ip.is_v4()) {
        Entry4 entry{ip.v4_host_order(), mask4(prefix), prefix, ntpport, flags};
        for (auto& e : v4_) {
            if (e.network == entry.network && e.prefix == prefix && e.ntpport == ntpport) {
                e.flags |= flags;
                return;
            }
        }
        insert_sorted(v4_, entry);
        return;
    }
    const auto& bytes = ip.v6_bytes();
    Entry6 entry{load64(bytes, 0),
                 load64(bytes, 8),
                 mask64(prefix, 0),
                 mask64(prefix, 64),
                 prefix,
                 ntpport,
                 flags};
    for (auto& e : v6_) {
        if (e.network_hi == entry.network_hi && e.network_lo == entry.network_lo &&
            e.prefix == prefix && e.ntpport == ntpport) {
            e.flags |= flags;
            return;
        }
    }
    insert_sorted(v6_, entry);
}

bool RestrictTable::has_host_entry(const common::IpAddress& address) const {
    if (address.is_v4()) {
        std::uint32_t a = address.v4_host_order();
        return std::ranges::any_of(
            v4_, [a](const Entry4& e) { return e.prefix == 32 && e.network == a; });
    }
    std::uint64_t hi = load64(address.v6_bytes(), 0), lo = load64(address.v6_bytes(), 8);
    return std::ranges::any_of(v6_, [hi, lo](const Entry6& e) {
        return e.prefix == 128 && e.network_hi == hi && e.network_lo == lo;
    });
}

void RestrictTable::add_source(const common::IpAddress& server) {
    if (!source_) return;
    common::IpAddress address = server.unmapped();
    if (has_host_entry(address)) return; // the operator's own entry is more specific
    add(common::Cidr(address, address.is_v4() ? 32 : 128), *source_);
}

RestrictFlags RestrictTable::match(const common::IpAddress& peer, std::uint16_t source_port) const {
    const bool from_ntp_port = source_port == ntp_port;
    const common::IpAddress address = peer.unmapped();
    if (address.is_v4()) {
        const std::uint32_t a = address.v4_host_order();
        for (const auto& e : v4_)
            if ((a & e.mask) == e.network && (!e.ntpport || from_ntp_port)) return e.flags;
        return {};
    }
    const std::uint64_t hi = load64(address.v6_bytes(), 0);
    const std::uint64_t lo = load64(address.v6_bytes(), 8);
    for (const auto& e : v6_)
        if ((hi & e.mask_hi) == e.network_hi && (lo & e.mask_lo) == e.network_lo &&
            (!e.ntpport || from_ntp_port))
            return e.flags;
    return {};
}

RestrictFlags match_restrict(const std::vector<Restrict>& entries, const common::IpAddress& peer) {
    return RestrictTable(entries).match(peer);
}

} // namespace superd::ntp
