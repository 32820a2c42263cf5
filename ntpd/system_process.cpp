#include "ntpd/system_process.hpp"

#include <algorithm>
#include <cmath>

#include <openssl/evp.h>

namespace superd::ntp {

namespace {

constexpr double min_dispersion = 0.01;   // RFC 5905: MINDISP, the least root dispersion increment
constexpr double max_frequency_ppm = 500; // ntpd's NTP_MAXFREQ: beyond it the estimate is noise
constexpr std::size_t frequency_points = 64;
constexpr double clock_average = 8; // RFC 5905: AVG, the averaging constant of the jitters

std::int64_t nanos(double s) {
    return static_cast<std::int64_t>(std::llround(s * 1e9));
}

// RFC 5905 A.5.5.2 root_dist(): half the round trip to the root plus every dispersion on the
// way, never less than half of mindist.
double root_distance(const PeerStatus& p, double mindist) {
    return std::max(mindist, p.root_delay + p.delay) / 2 + p.root_dispersion + p.dispersion +
           p.jitter;
}

// RFC 5905 A.5.5.3 fit(): reachable, synchronised, near enough, selectable.
bool fit(const Association& a, const PeerStatus& p, double distance, const SystemOptions& o) {
    return !a.config().noselect && !a.denied() && p.reach != 0 && p.last_update_ns != 0 &&
           p.leap != Leap::unsynchronized && p.stratum < 16 && distance < o.limits.maxdist;
}

} // namespace

std::uint32_t reference_id_for(const common::IpAddress& address) {
    const common::IpAddress a = address.unmapped();
    if (a.is_v4()) return a.v4_host_order();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(a.v6_bytes().data(), a.v6_bytes().size(), digest, &size, EVP_md5(), nullptr) !=
            1 ||
        size < 4)
        return 0; // MD5 refused (a FIPS-only OpenSSL): the id is informational only
    return std::uint32_t{digest[0]} << 24 | std::uint32_t{digest[1]} << 16 |
           std::uint32_t{digest[2]} << 8 | std::uint32_t{digest[3]};
}

SystemProcess::SystemProcess(SystemOptions options, std::int64_t start_mono_ns)
    : options_(options)
    , start_mono_ns_(start_mono_ns) {}

ClientView SystemProcess::update(std::span<const Association> associations, std::int64_t mono_ns,
                                 UnixNanos wall_ns) {
    ClientView view;
    std::vector<Candidate> candidates;
    std::optional<std::size_t> local;
    for (std::size_t i = 0; i < associations.size(); ++i) {
        const Association& a = associations[i];
        view.peers.push_back(a.status(mono_ns));
        const PeerStatus& p = view.peers.back();
        if (a.local()) {
            if (!a.config().noselect && !local) local = i;
            continue;
        }
        const double distance = root_distance(p, options_.mindist);
        if (!fit(a, p, distance, options_)) continue;
        candidates.push_back(
            {static_cast<int>(i), p.offset, distance, p.jitter, p.stratum, p.prefer});
    }

    const Selection selection = select_clock(candidates, options_.limits);
    for (const Candidate& c : candidates)
        view.peers[static_cast<std::size_t>(c.id)].selection = PeerSelection::falsetick;
    for (int id : selection.truechimers)
        view.peers[static_cast<std::size_t>(id)].selection = PeerSelection::outlier;
    for (int id : selection.survivors)
        view.peers[static_cast<std::size_t>(id)].selection = PeerSelection::candidate;

    std::optional<std::size_t> system_peer;
    if (selection.system_peer) system_peer = static_cast<std::size_t>(*selection.system_peer);
    double offset = selection.offset, jitter = selection.jitter;
    if (local) {
        // ntpd orders by stratum first: the local clock wins over a real upstream only when
        // that one is of a higher stratum, and stands in when there is none.
        if (!system_peer || view.peers[*local].stratum < view.peers[*system_peer].stratum) {
            system_peer = local;
            offset = jitter = 0;
        } else {
            view.peers[*local].selection = PeerSelection::backup;
        }
    }

    SystemState& state = view.state;
    SystemDetails& details = view.details;
    state.precision = options_.precision;
    details.time_constant = associations.empty() ? 6 : associations.front().config().minpoll;
    if (system_peer) {
        PeerStatus& p = view.peers[*system_peer];
        p.selection = PeerSelection::sys_peer;
        state.leap = p.leap;
        state.stratum = static_cast<std::uint8_t>(std::min(p.stratum + 1, 16));
        if (state.stratum >= 16) state.leap = Leap::unsynchronized;
        state.reference_id = p.local_clock ? p.reference_id : reference_id_for(p.address);
        state.reference_time = to_ntp(p.local_clock ? wall_ns : p.last_update_ns);
        // RFC 5905 A.5.5.4 (clock_update): the path to the root is the peer's plus ours. The
        // dispersion also takes our offset from the peer, since we do not steer the clock:
        // what we serve is off by that much.
        state.root_delay = to_short(nanos(p.root_delay + p.delay));
        state.root_dispersion =
            to_short(nanos(p.root_dispersion + std::hypot(p.jitter, jitter) +
                           std::max(p.dispersion + std::abs(offset), min_dispersion)));
        details.system_peer_id = p.association_id;
        details.offset = offset;
        details.system_jitter = jitter;
        details.time_constant = p.hpoll;
        if (!p.local_clock)
            track_frequency(p.association_id, p.last_update_ns, offset,
                            static_cast<double>(mono_ns) * 1e-9);
    } else if (options_.orphan_stratum < 16 &&
               mono_ns - start_mono_ns_ >=
                   std::chrono::duration_cast<std::chrono::nanoseconds>(options_.orphan_wait)
                       .count()) {
        // ntpd's ntp_timer.c: an orphan shows offset zero and the loopback address.
        state.leap = Leap::none;
        state.stratum = static_cast<std::uint8_t>(options_.orphan_stratum);
        state.reference_id = options_.orphan_stratum > 1 ? 0x7f000001u : ascii_id("LOOP");
        state.reference_time = to_ntp(wall_ns);
        state.root_delay = state.root_dispersion = 0;
    } else {
        state.leap = Leap::unsynchronized;
        state.stratum = 16;
        state.reference_id = ascii_id("INIT");
    }
    details.frequency_ppm = frequency_ppm_;
    details.clock_jitter = clock_jitter_;
    details.clock_wander_ppm = wander_ppm_;
    return view;
}

void SystemProcess::track_frequency(std::uint16_t peer, UnixNanos sample_time, double offset,
                                    double mono_s) {
    if (peer != history_peer_) {
        // Another peer's offsets are on another line: start over.
        history_.clear();
        history_peer_ = peer;
        history_last_sample_ = 0;
    }
    if (sample_time == history_last_sample_) return; // nothing new since the last update
    history_last_sample_ = sample_time;
    if (!history_.empty()) {
        const double step = offset - history_.back().offset;
        clock_jitter_ = std::sqrt(clock_jitter_ * clock_jitter_ +
                                  (step * step - clock_jitter_ * clock_jitter_) / clock_average);
    }
    history_.push_back({mono_s, offset});
    if (history_.size() > frequency_points) history_.pop_front();
    if (history_.size() < 2) return;

    // Least-squares slope of offset (server minus us) over time: a clock that runs fast by
    // x ppm sees the offset fall by x us per second, and needs a correction of -x ppm, which
    // is what ntpd's frequency (and its drift file) states.
    double mt = 0, mo = 0;
    for (const Point& p : history_)
        mt += p.time, mo += p.offset;
    mt /= static_cast<double>(history_.size());
    mo /= static_cast<double>(history_.size());
    double sto = 0, stt = 0;
    for (const Point& p : history_) {
        sto += (p.time - mt) * (p.offset - mo);
        stt += (p.time - mt) * (p.time - mt);
    }
    if (stt <= 0) return;
    const double ppm = std::clamp(sto / stt * 1e6, -max_frequency_ppm, max_frequency_ppm);
    const double change = ppm - frequency_ppm_;
    wander_ppm_ = std::sqrt(wander_ppm_ * wander_ppm_ +
                            (change * change - wander_ppm_ * wander_ppm_) / clock_average);
    frequency_ppm_ = ppm;
}

std::vector<UpstreamConfig> upstreams_from(const Config& config) {
    std::vector<UpstreamConfig> out;
    for (const ServerLine& s : config.servers) {
        UpstreamConfig u;
        u.name = s.address;
        u.address = s.ip;
        u.family = s.family;
        u.configured = s.kind != ServerKind::pool;
        u.local_clock = s.is_local_clock();
        if (u.local_clock) {
            u.local_stratum = s.local_clock_stratum();
            if (s.fudge && s.fudge->refid) {
                // Up to four characters, left-aligned and zero-padded, as ntpd stores it.
                std::uint32_t id = 0;
                for (std::size_t i = 0; i < 4; ++i) {
                    const char c = i < s.fudge->refid->size() ? (*s.fudge->refid)[i] : '\0';
                    id = id << 8 | static_cast<std::uint8_t>(c);
                }
                u.local_refid = id;
            }
        }
        u.iburst = s.iburst;
        u.burst = s.burst;
        u.prefer = s.prefer;
        u.noselect = s.noselect;
        u.minpoll = s.minpoll;
        u.maxpoll = s.maxpoll;
        u.key = s.key;
        u.version = s.version;
        out.push_back(std::move(u));
    }
    return out;
}

SystemOptions system_options_from(const Config& config, std::int8_t precision) {
    SystemOptions o;
    const Tos& tos = config.tos;
    if (tos.minclock) o.limits.minclock = tos.minclock->value;
    if (tos.minsane) o.limits.minsane = tos.minsane->value;
    if (tos.maxdist) o.limits.maxdist = tos.maxdist->value;
    if (tos.mindist) o.mindist = tos.mindist->value;
    if (tos.orphan) o.orphan_stratum = tos.orphan->value;
    if (tos.orphanwait) o.orphan_wait = std::chrono::seconds(tos.orphanwait->value);
    o.precision = precision;
    return o;
}

} // namespace superd::ntp
