#pragma once
// One upstream association of the client side (RFC 5905 sections 9 to 13, client mode only), as
// a state machine with the time passed in: the poll process (when to send, the reach register,
// bursts, the poll interval between minpoll and maxpoll), the mode 3 request, and the packet
// tests on each reply before its offset/delay/dispersion go into the clock filter. No sockets,
// no clock reads, no logging: the shell (client.hpp) sends, reads the clocks, logs the
// ReplyResult and counts it.
//
// Two clocks, never mixed: `mono_ns` (CLOCK_MONOTONIC) schedules polls and ages the filter;
// `UnixNanos` (CLOCK_REALTIME) are the on-wire times T1 and T4 and the update times shown.
#include "ntpd/config.hpp"
#include "ntpd/keys.hpp"
#include "ntpd/packet.hpp"
#include "ntpd/peer_status.hpp"
#include "ntpd/selection.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace superd::ntp {

// What the daemon configured for one upstream (a server/pool/peer line, or the local clock).
struct UpstreamConfig {
    std::string name;                         // as written: an address or a host name
    std::optional<common::IpAddress> address; // none: a host name the shell resolves
    std::uint16_t port = 123;
    Family family = Family::any; // `-4` / `-6`: which of a name's addresses to use
    bool configured = true;      // a server line; pool members are not
    bool local_clock = false;    // 127.127.1.u: ntpd's LOCAL driver, no packets
    int local_stratum = 5;       // the local clock's (fudge) stratum; the server serves one more
    std::uint32_t local_refid = ascii_id("LOCL");
    bool iburst = false;
    bool burst = false;
    bool prefer = false;
    bool noselect = false;
    int minpoll = 6; // log2 s
    int maxpoll = 10;
    std::optional<std::uint32_t> key; // sign requests, accept only replies signed with it
    int version = 4;
};

struct AssociationOptions {
    // Between the packets of a burst (ntpd: about 2 s); tests use less.
    std::chrono::nanoseconds burst_spacing = std::chrono::seconds(2);
    std::int8_t precision = -20; // ours, log2 s: part of each sample's dispersion
    // `tos maxdist`: a server whose own root distance (root delay / 2 + root dispersion) is
    // already beyond it gives no usable sample (ntpd's TEST11).
    double maxdist = 1.5;
    const KeyTable* keys = nullptr; // for associations with a key; must outlive them
};

// What became of a reply. `accepted` is the only one that adds a sample.
enum class ReplyResult {
    accepted,
    bad_format,     // did not decode
    not_server,     // not mode 4
    duplicate,      // the same transmit timestamp as the last reply (RFC 5905 "duplicate")
    bogus,          // origin is not our outstanding request's transmit timestamp
    not_expected,   // the local clock, or an association stopped by a DENY/RSTR kiss
    auth_failed,    // keyed association: no MAC, an unknown key id, or a MAC that did not verify
    crypto_nak,     // keyed association: the server answered with a crypto-NAK
    kiss_rate,      // KoD RATE: the poll interval was raised
    kiss_deny,      // KoD DENY or RSTR: polling stopped
    kiss_other,     // any other kiss code: no sample
    unsynchronized, // LI 3 or stratum 16: reachable, not usable
    bad_time,       // zero receive/transmit timestamp, or a reference time after transmit
    too_far,        // the server's own root distance is beyond maxdist
};
std::string_view to_string(ReplyResult result);

// RFC 9327's peer event codes (the low nibble of the peer status word).
enum class PeerEvent : std::uint8_t {
    unreachable = 3,
    reachable = 4,
    rate_exceeded = 7,
    access_denied = 8,
    bad_auth = 12,
};

class Association {
  public:
    static constexpr int burst_size = 8;     // packets in a burst (RFC 5905: NSTAGE)
    static constexpr int unreach_limit = 10; // polls without reply before backing off (ntpd)
    static constexpr double local_dispersion = 1.0 / 128; // the LOCAL driver's precision, -7

    // The first poll is due at once (`mono_ns`).
    Association(std::uint16_t id, UpstreamConfig config, AssociationOptions options,
                std::int64_t mono_ns);

    std::uint16_t id() const { return id_; }
    const UpstreamConfig& config() const { return config_; }
    // Sets the address of a host name once the shell has resolved it.
    void set_address(const common::IpAddress& address) { config_.address = address; }

    // When the next request is due (CLOCK_MONOTONIC ns); none: never (the local clock, a server
    // that denied us, a host name that did not resolve).
    std::optional<std::int64_t> next_poll_ns() const;
    // The request to send now (call when next_poll_ns() has come): mode 3 with `nonce` as its
    // transmit timestamp, signed when the association has a key. Advances the poll process
    // (reach register, bursts, the next poll time).
    std::vector<std::uint8_t> poll(std::int64_t mono_ns, std::uint64_t nonce);
    // The request went out; `t1` is CLOCK_REALTIME read just before the send. Until this is
    // called the request's reply is not expected.
    void sent(UnixNanos t1);
    // A datagram from the upstream's address and port. `t4`: the kernel's receive time.
    ReplyResult receive(std::span<const std::uint8_t> bytes, UnixNanos t4, std::int64_t mono_ns);

    std::uint8_t reach() const { return local() ? 0xff : reach_; }
    int hpoll() const { return hpoll_; }
    bool denied() const { return denied_; }
    bool local() const { return config_.local_clock; }
    // The clock filter's best sample, aged to `mono_ns`; none before the first.
    std::optional<Sample> best(std::int64_t mono_ns) const;
    // Everything about it except the selection code, which the system process sets.
    PeerStatus status(std::int64_t mono_ns) const;

  private:
    ReplyResult check_auth(const Packet& p, std::span<const std::uint8_t> bytes);
    ReplyResult handle_kiss(const Packet& p, std::int64_t mono_ns);
    void take_header(const Packet& p);
    double add_sample(const Packet& p, UnixNanos t4, std::int64_t mono_ns); // the offset
    void adjust_poll(double change, double jitter);
    void event(PeerEvent e);
    std::int64_t poll_interval_ns() const;

    std::uint16_t id_;
    UpstreamConfig config_;
    AssociationOptions options_;
    int hpoll_;
    std::uint8_t reach_ = 0;
    int unreach_ = 0;    // regular polls since the last reply
    int burst_left_ = 0; // packets of the current burst still to send
    int jiggle_ = 0;     // RFC 5905's poll-adjust counter
    bool denied_ = false;
    std::int64_t next_poll_ns_;

    std::uint64_t pending_nonce_ = 0;     // built by poll(), not yet sent
    bool pending_regular_ = false;        // ...and it was a regular poll, not a burst's extra
    std::uint64_t outstanding_nonce_ = 0; // sent, its reply not yet seen; 0: none
    bool outstanding_regular_ = false;
    UnixNanos t1_ = 0;
    Timestamp last_xmt_; // the last accepted reply's transmit timestamp (duplicates)

    ClockFilter filter_;
    PeerStatus peer_; // the header fields of the last reply, events, auth_ok
};

} // namespace superd::ntp
