#pragma once
// `restrict` matching with ntpd's semantics (ntp_restrict.c): among the entries whose network
// holds the peer's address, the most specific one (the longest mask) wins, and its flags are the
// answer; `default` is the /0 entry of its family (`restrict default` sets both, `-4` / `-6` one
// of them). With no matching entry, and no default, nothing is restricted. A v4-mapped IPv6
// peer (::ffff:a.b.c.d) matches the IPv4 entries. Two lines for the same network (and the same
// `ntpport`) merge: their flags add up, as ntpd's do. An `ntpport` entry matches only packets
// from source port 123, and comes before an entry for the same network without it.
//
// This runs for every packet: the table is built once from the config, sorted most specific
// first, and a lookup is a scan over precomputed masks with no allocation.
#include "common/address.hpp"
#include "ntpd/config.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace superd::ntp {

class RestrictTable {
  public:
    RestrictTable() = default; // nothing restricted
    explicit RestrictTable(const std::vector<Restrict>& entries);
    // The config's restrict lines, plus `restrict source` for every numeric server address.
    static RestrictTable from_config(const Config& config);

    // `restrict source`: the address of a server (a host name's, once resolved) gets a host
    // entry with the source flags, unless the config has a host entry for it already. Nothing
    // happens without a `restrict source` line.
    void add_source(const common::IpAddress& server);

    // The flags for a packet from `peer`; `source_port` matters only to `ntpport` entries (0:
    // unknown, which such entries never match).
    RestrictFlags match(const common::IpAddress& peer, std::uint16_t source_port = 0) const;

    std::size_t size() const { return v4_.size() + v6_.size(); }
    const std::optional<RestrictFlags>& source_flags() const { return source_; }

  private:
    struct Entry4 {
        std::uint32_t network = 0, mask = 0;
        int prefix = 0;
        bool ntpport = false;
        RestrictFlags flags;
    };
    struct Entry6 {
        std::uint64_t network_hi = 0, network_lo = 0, mask_hi = 0, mask_lo = 0;
        int prefix = 0;
        bool ntpport = false;
        RestrictFlags flags;
    };

    void add(const common::Cidr& network, RestrictFlags flags);
    bool has_host_entry(const common::IpAddress& address) const;

    std::vector<Entry4> v4_; // most specific first
    std::vector<Entry6> v6_; // most specific first
    std::optional<RestrictFlags> source_;
};

// One-off matching for tools and tests (builds a table each call); the server keeps a
// RestrictTable.
RestrictFlags match_restrict(const std::vector<Restrict>& entries, const common::IpAddress& peer);

} // namespace superd::ntp
