#pragma once
// Who gets what: the restrict table, the rate limiter of `restrict ... limited` and the
// symmetric keys of `keys` / `trustedkey`, turned into the decision for each request, in the
// order ntpd's receive() makes it (ntp_proto.c):
//
//   ignore                          -> dropped (mode 6 too)
//   mode 6: noquery                 -> dropped
//   version, not NTPv4              -> dropped
//   noserve                         -> KoD DENY with `kod`, else dropped
//   mode 1 and nopeer, not signed   -> KoD RSTR with `kod`, else dropped
//   limited and over the rate       -> KoD RATE with `kod`, else dropped
//   a MAC whose key is unknown, untrusted or whose digest is wrong -> crypto-NAK
//   notrust and not signed          -> dropped
//   otherwise                       -> served (signed with the request's key when it had one)
//
// Sans-I/O: the time comes in; the server owns one Policy and calls it for every datagram.
#include "ntpd/config.hpp"
#include "ntpd/keys.hpp"
#include "ntpd/packet.hpp"
#include "ntpd/rate_limit.hpp"
#include "ntpd/responder.hpp"
#include "ntpd/restrict.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace superd::ntp {

// A request's MAC, checked against the key table and the trusted keys.
enum class MacCheck { none, good, bad };

class Policy {
  public:
    Policy(RestrictTable restricts, DiscardPolicy discard, KeyTable keys,
           std::vector<KeyRange> trusted);
    static Policy from_config(const Config& config, KeyTable keys);

    // For a time request (mode 1 or 3). `now_ns`: a monotonic clock, for the rate limit.
    Access decide(const common::IpAddress& peer, std::uint16_t port, const Packet& request,
                  std::int64_t now_ns);
    // For a mode 6 query: answered, or dropped without a word.
    bool control_allowed(const common::IpAddress& peer, std::uint16_t port) const;
    // The digest of a reply with the request's key; empty when the key is unknown.
    std::vector<std::uint8_t> sign(std::uint32_t key_id,
                                   std::span<const std::uint8_t> covered) const;

    // `restrict source` for an upstream whose name the client resolved.
    void add_source(const common::IpAddress& server) { restricts_.add_source(server); }

    MacCheck check_mac(const Packet& request) const;
    const RestrictTable& restricts() const { return restricts_; }
    const KeyTable& keys() const { return keys_; }
    bool trusted(std::uint32_t key_id) const;

  private:
    RestrictTable restricts_;
    RateLimiter limiter_;
    KeyTable keys_;
    std::vector<KeyRange> trusted_;
};

} // namespace superd::ntp
