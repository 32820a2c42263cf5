#pragma once
// The client side's mitigation (RFC 5905 section 11.2 and appendix A.5.5): from the candidates
// (one per upstream server, each with its filtered offset and its root distance) find the
// truechimers by intersecting their correctness intervals (Marzullo's algorithm as RFC 5905
// refines it), prune outliers by clustering, and combine the survivors into the system offset.
// Pure arithmetic on numbers in seconds: unit-tested with synthetic samples.
#include <cstdint>
#include <optional>
#include <vector>

namespace superd::ntp {

// The clock filter of one association (RFC 5905 A.5.2): the last eight samples; the one with
// the lowest delay is the best estimate, the spread of the others its jitter.
struct Sample {
    double offset = 0;     // s
    double delay = 0;      // s, round trip
    double dispersion = 0; // s
    double time = 0;       // when taken (s, any monotonic origin)
};

class ClockFilter {
  public:
    static constexpr std::size_t stages = 8;
    void add(const Sample& s);
    // The sample with the lowest delay among those kept (dispersion grown with age at
    // 15 ppm), or nothing before the first.
    std::optional<Sample> best(double now) const;
    // RMS of the offsets' differences from the best one's.
    double jitter(double now) const;
    std::size_t size() const { return samples_.size(); }

  private:
    std::vector<Sample> samples_; // newest last, at most `stages`
};

struct Candidate {
    int id = 0; // the caller's association number
    double offset = 0;
    double root_distance = 0; // delay/2 + dispersion + the server's own root distance
    double jitter = 0;
    int stratum = 16;
    bool prefer = false;
};

struct Selection {
    std::vector<int> truechimers; // ids whose interval contains the intersection's midpoint
    std::vector<int> survivors;   // after clustering, best first
    std::optional<int> system_peer;
    double offset = 0; // the combined offset of the survivors (s)
    double jitter = 0; // the system jitter (s)
};

struct SelectionLimits {
    int minclock = 3;     // `tos minclock`: clustering stops at this many survivors
    int minsane = 1;      // `tos minsane`: fewer truechimers than this is no synchronisation
    double maxdist = 1.5; // `tos maxdist`: candidates farther than this are not considered
};

// No system peer when there are fewer than `minsane` truechimers (a majority cannot be found).
Selection select_clock(const std::vector<Candidate>& candidates,
                       const SelectionLimits& limits = {});

} // namespace superd::ntp
