#include "ntpd/selection.hpp"

#include <algorithm>
#include <cmath>

namespace superd::ntp {

namespace {
constexpr double phi = 15e-6; // frequency tolerance: dispersion grows 15 us per second
} // namespace

void ClockFilter::add(const Sample& s) {
    samples_.push_back(s);
    if (samples_.size() > stages) samples_.erase(samples_.begin());
}

std::optional<Sample> ClockFilter::best(double now) const {
    if (samples_.empty()) return std::nullopt;
    auto it = std::ranges::min_element(samples_, {}, &Sample::delay);
    Sample b = *it;
    b.dispersion += phi * std::max(0.0, now - b.time);
    return b;
}

double ClockFilter::jitter(double now) const {
    auto b = best(now);
    if (!b || samples_.size() < 2) return 0;
    double sum = 0;
    for (const Sample& s : samples_)
        sum += (s.offset - b->offset) * (s.offset - b->offset);
    return std::sqrt(sum / static_cast<double>(samples_.size() - 1));
}

Selection select_clock(const std::vector<Candidate>& all, const SelectionLimits& limits) {
    Selection out;
    std::vector<Candidate> cands;
    for (const Candidate& c : all)
        if (c.stratum < 16 && c.root_distance < limits.maxdist) cands.push_back(c);
    const int n = static_cast<int>(cands.size());
    if (n == 0) return out;

    // Intersection (RFC 5905 A.5.5.1): endpoints sorted; look for the interval that the most
    // candidates agree on, allowing f falsetickers, f from 0 while f < n/2.
    struct Edge {
        double value;
        int type; // -1 lower end, +1 upper end
    };
    std::vector<Edge> edges;
    for (const Candidate& c : cands) {
        edges.push_back({c.offset - c.root_distance, -1});
        edges.push_back({c.offset + c.root_distance, +1});
    }
    std::ranges::sort(edges, [](const Edge& a, const Edge& b) {
        return a.value < b.value || (a.value == b.value && a.type < b.type);
    });
    double low = 0, high = 0;
    bool found = false;
    for (int f = 0; 2 * f < n && !found; ++f) {
        int count = 0;
        low = high = 0;
        bool have_low = false;
        for (const Edge& e : edges) {
            count -= e.type;
            if (count >= n - f) {
                low = e.value;
                have_low = true;
                break;
            }
        }
        count = 0;
        for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
            count += it->type;
            if (count >= n - f) {
                high = it->value;
                break;
            }
        }
        found = have_low && low <= high;
    }
    if (!found) return out;

    // Truechimers: those whose interval meets the intersection.
    std::vector<Candidate> chimers;
    for (const Candidate& c : cands)
        if (c.offset + c.root_distance >= low && c.offset - c.root_distance <= high) {
            chimers.push_back(c);
            out.truechimers.push_back(c.id);
        }
    if (static_cast<int>(chimers.size()) < limits.minsane) return out;

    // Clustering (A.5.5.2): order by the merit (stratum, then distance); drop the one whose
    // offset differs most from the others while more than minclock remain and that spread is
    // larger than the smallest jitter of a candidate.
    std::ranges::sort(chimers, [](const Candidate& a, const Candidate& b) {
        return a.stratum * 1.0 + a.root_distance < b.stratum * 1.0 + b.root_distance;
    });
    while (static_cast<int>(chimers.size()) > std::max(limits.minclock, 1)) {
        std::size_t worst = 0;
        double worst_jitter = -1, min_jitter = 1e9;
        for (std::size_t i = 0; i < chimers.size(); ++i) {
            double sum = 0;
            for (std::size_t j = 0; j < chimers.size(); ++j)
                sum += (chimers[i].offset - chimers[j].offset) *
                       (chimers[i].offset - chimers[j].offset);
            double select_jitter = std::sqrt(sum / static_cast<double>(chimers.size() - 1));
            if (select_jitter > worst_jitter) worst_jitter = select_jitter, worst = i;
            min_jitter = std::min(min_jitter, chimers[i].jitter);
        }
        if (worst_jitter <= min_jitter) break;
        chimers.erase(chimers.begin() + static_cast<std::ptrdiff_t>(worst));
    }
    for (const Candidate& c : chimers)
        out.survivors.push_back(c.id);

    // Combining (A.5.5.3): offsets weighted by 1 / root distance; the system peer is the
    // first survivor (or a preferred one among them).
    double weight = 0, offset = 0;
    for (const Candidate& c : chimers) {
        double w = 1.0 / std::max(c.root_distance, 1e-9);
        weight += w;
        offset += w * c.offset;
    }
    out.offset = offset / weight;
    auto peer = std::ranges::find_if(chimers, &Candidate::prefer);
    const Candidate& sys = peer != chimers.end() ? *peer : chimers.front();
    out.system_peer = sys.id;
    double sum = 0;
    for (const Candidate& c : chimers)
        sum += (c.offset - sys.offset) * (c.offset - sys.offset) / std::max(c.root_distance, 1e-9);
    out.jitter = std::sqrt(sum / weight + sys.jitter * sys.jitter);
    return out;
}

} // namespace superd::ntp
