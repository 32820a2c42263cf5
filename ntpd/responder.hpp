#pragma once
// The server side of RFC 5905 (section 8, "fast_xmit"), as a pure function: a decoded request,
// what access control decided, the kernel's receive time and the system's synchronisation state
// in; the reply to send (or none) out. The caller writes the transmit timestamp into the
// encoded reply last, just before the send (and the MAC after it), so that it is as late as
// possible.
#include "ntpd/packet.hpp"

#include <optional>

namespace superd::ntp {

// What this server publishes about its own time.
struct SystemState {
    Leap leap = Leap::unsynchronized;
    std::uint8_t stratum = 16; // 16: unsynchronized; goes on the wire as 0 (with LI 3)
    std::uint32_t reference_id = 0;
    Timestamp reference_time;
    std::uint32_t root_delay = 0;      // 16.16
    std::uint32_t root_dispersion = 0; // 16.16
    std::int8_t precision = -20;
};

// What restrict, the rate limiter and authentication decided about the request.
enum class Access {
    serve,      // answer
    ignore,     // `ignore`, `noserve` without `kod`, over the rate without `kod`: no answer
    kiss_deny,  // `noserve` (or `ignore` is never kissed) with `kod`: KoD DENY
    kiss_rstr,  // refused by policy other than noserve (e.g. `nopeer` for mode 1) with `kod`
    kiss_rate,  // over the rate limit with `limited kod`: KoD RATE
    crypto_nak, // its MAC did not verify (or the key is unknown/untrusted): a crypto-NAK
};

enum class Outcome { reply, kiss, crypto_nak, drop };

struct Response {
    Outcome outcome = Outcome::drop;
    Packet packet; // when not dropped; transmit is left 0 for the caller to fill in
    // The reply's MAC uses the request's key (the caller computes it over the encoded reply).
    std::optional<std::uint32_t> mac_key;
};

// `symmetric_allowed`: mode 1 (symmetric active) requests get a mode 2 answer (RFC 5905's
// ephemeral passive association); otherwise they are treated as refused (`nopeer`).
Response respond(const Packet& request, Timestamp receive, const SystemState& state, Access access,
                 bool symmetric_allowed = true);

} // namespace superd::ntp
