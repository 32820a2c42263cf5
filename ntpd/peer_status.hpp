#pragma once
// What the client side knows about each upstream association and about the system as a whole,
// beyond what goes on the wire (SystemState): the producer is the client (client.hpp), the
// consumers are mode 6 (ntpq -p, ntpq -c rv, ntptrace), the state file and the logs. Plain data.
#include "ntpd/packet.hpp"
#include "ntpd/responder.hpp"

#include "common/address.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace superd::ntp {

// The peer status word's selection code (RFC 9327 3.3.2; ntpq -p's tally character).
enum class PeerSelection : std::uint8_t {
    reject = 0,    // ' ': unreachable, or not usable
    falsetick = 1, // 'x': outside the intersection
    excess = 2,    // '.': beyond maxclock
    outlier = 3,   // '-': dropped by the clustering
    candidate = 4, // '+': survived the clustering
    backup = 5,    // '#': survivor, not combined
    sys_peer = 6,  // '*': the system peer
    pps_peer = 7,  // 'o'
};

struct PeerStatus {
    std::uint16_t association_id = 0; // 1.., stable for the life of the process
    std::string name;                 // as configured: the address, or a pool/host name
    common::IpAddress address;        // the upstream's address (127.127.1.u for the local clock)
    std::uint16_t port = 123;
    bool local_clock = false; // ntpd's LOCAL driver: refid "LOCL", no packets
    bool configured = true;   // from a server line (pool members are not)
    bool prefer = false;
    bool authenticated = false; // has a key; auth_ok tells whether its last reply verified
    bool auth_ok = false;
    std::uint32_t key_id = 0;

    std::uint8_t reach = 0; // the 8-bit reachability shift register
    int hpoll = 6;          // the poll interval we use, log2 s
    int ppoll = 0;          // the peer's poll interval from its last packet
    PeerSelection selection = PeerSelection::reject;
    std::uint8_t event_count = 0; // the peer status word's event counter and last event code
    std::uint8_t last_event = 0;

    // From the peer's last valid reply.
    Leap leap = Leap::unsynchronized;
    std::uint8_t stratum = 16;
    std::uint32_t reference_id = 0;
    std::int8_t precision = 0;
    double root_delay = 0;      // s
    double root_dispersion = 0; // s
    Timestamp reference_time;
    Timestamp org, rec, xmt; // the last on-wire exchange (RFC 5905 names)

    // The clock filter's output.
    double offset = 0;               // s
    double delay = 0;                // s
    double dispersion = 0;           // s
    double jitter = 0;               // s
    std::int64_t last_update_ns = 0; // CLOCK_REALTIME of the last valid reply; 0: never
};

// The system variables beyond SystemState (ntpq -c rv).
struct SystemDetails {
    std::uint16_t system_peer_id = 0; // association id of the system peer; 0: none
    double offset = 0;                // s, the combined offset
    double system_jitter = 0;         // s
    double clock_jitter = 0;          // s
    double frequency_ppm = 0;         // the local clock's frequency error estimate (driftfile)
    double clock_wander_ppm = 0;
    int time_constant = 0; // tc: the poll exponent the discipline runs at
};

// What the client publishes after each update: the wire state, the details, every association.
struct ClientView {
    SystemState state;
    SystemDetails details;
    std::vector<PeerStatus> peers;
};

} // namespace superd::ntp
