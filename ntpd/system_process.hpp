#pragma once
// The client side's system process (RFC 5905 section 11 and appendix A.5.5): from every
// association's clock filter, the candidates; select_clock() (selection.hpp) finds the
// truechimers, the survivors and the system peer; from the system peer, what this server then
// publishes (SystemState) and shows (SystemDetails, each PeerStatus with its selection code).
// Pure: the associations and the time in, a ClientView out.
//
// Without a system peer, as ntpd 4.2.8 does it:
//   - the local clock (127.127.1.u) if configured: stratum fudge + 1, refid "LOCL";
//   - else orphan mode (`tos orphan N`) once `tos orphanwait` has passed since start-up:
//     stratum N, leap none, refid 127.0.0.1 (the loopback address; "LOOP" when N is 1), root
//     delay and dispersion 0 (ntpd's ntp_timer.c);
//   - else unsynchronized: stratum 16, LI 3, refid "INIT" (ntpd's init_proto; a client reads
//     stratum 0 + INIT as RFC 5905's "not yet synchronized" kiss).
// The local clock is also preferred over a real system peer of a higher stratum than its own:
// ntpd orders candidates by stratum first; a real upstream of a lower (or equal) stratum wins.
// It never enters the intersection itself, since its offset of 0 by definition would make it a
// falseticker against any upstream (ntpd's clock_select keeps it apart the same way).
#include "ntpd/association.hpp"
#include "ntpd/config.hpp"
#include "ntpd/peer_status.hpp"
#include "ntpd/selection.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

namespace superd::ntp {

struct SystemOptions {
    SelectionLimits limits;                // tos minclock, minsane, maxdist
    double mindist = 0.001;                // tos mindist: least correctness interval
    int orphan_stratum = 16;               // tos orphan; 16: off
    std::chrono::seconds orphan_wait{300}; // tos orphanwait
    std::int8_t precision = -20;           // ours (measure_precision())
};

class SystemProcess {
  public:
    // Orphan mode waits `orphan_wait` from `start_mono_ns`.
    SystemProcess(SystemOptions options, std::int64_t start_mono_ns);

    // Runs the selection over all associations at this moment.
    ClientView update(std::span<const Association> associations, std::int64_t mono_ns,
                      UnixNanos wall_ns);
    const SystemOptions& options() const { return options_; }

  private:
    void track_frequency(std::uint16_t peer, UnixNanos sample_time, double offset, double mono_s);

    SystemOptions options_;
    std::int64_t start_mono_ns_;
    // The system offset over time while one system peer lasts: its slope is the local clock's
    // frequency error (we measure it; we do not discipline the clock).
    struct Point {
        double time;
        double offset;
    };
    std::deque<Point> history_;
    std::uint16_t history_peer_ = 0;
    UnixNanos history_last_sample_ = 0;
    double frequency_ppm_ = 0;
    double clock_jitter_ = 0;
    double wander_ppm_ = 0;
};

// The reference id a server publishes when synchronised to `address` (RFC 5905 7.3): an IPv4
// address itself; for IPv6 the first four octets of the MD5 digest of the address.
std::uint32_t reference_id_for(const common::IpAddress& address);

// The upstreams of a config: every server, pool and peer line in file order, the local clock
// included. Host names keep `address` empty: the shell resolves them (never the core). `pool`
// is resolved once, like a server, and its first address used (no pool growth); `peer` lines are
// polled in client mode (we do not speak symmetric mode); `true` (truechimer) is not honoured.
std::vector<UpstreamConfig> upstreams_from(const Config& config);
// tos minclock/minsane/maxdist/mindist/orphan/orphanwait, with ntpd's defaults.
SystemOptions system_options_from(const Config& config, std::int8_t precision);

} // namespace superd::ntp
