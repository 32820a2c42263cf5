#include "common/clock.hpp"

namespace superd::common {

std::chrono::system_clock::time_point SystemClock::wall() const {
    return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::steady() const {
    return std::chrono::steady_clock::now();
}

const SystemClock& SystemClock::instance() {
    static const SystemClock clock;
    return clock;
}

// 2026-01-01T00:00:00Z is 1767225600 s after the Unix epoch. The steady epoch is arbitrary but
// far from zero, so code that subtracts durations from it cannot underflow.
FakeClock::FakeClock()
    : wall_(std::chrono::sys_days{std::chrono::year{2026} / std::chrono::January / 1})
    , steady_(std::chrono::hours{24 * 1000}) {}

} // namespace superd::common
