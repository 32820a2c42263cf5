#include "ntpd/timestamp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace superd::ntp {

namespace {

constexpr std::int64_t nanos_per_second = 1'000'000'000;

// 2^32 seconds in nanoseconds.
constexpr std::int64_t era_nanos = (std::int64_t{1} << 32) * nanos_per_second;

} // namespace

Timestamp to_ntp(UnixNanos t) {
    // Floor division so that times before 1970 (and before 1900) land in the right second.
    std::int64_t secs = t / nanos_per_second;
    std::int64_t rem = t % nanos_per_second;
    if (rem < 0) {
        rem += nanos_per_second;
        --secs;
    }
    // rem / 1e9 * 2^32, rounded; 1e9 * 2^32 fits in 64 bits unsigned (4.29e18).
    std::uint64_t frac = (static_cast<std::uint64_t>(rem) << 32) + nanos_per_second / 2;
    frac /= nanos_per_second;
    if (frac >> 32) { // rounded up to a whole second
        frac = 0;
        ++secs;
    }
    auto ntp_secs =
        static_cast<std::uint32_t>(static_cast<std::uint64_t>(secs + unix_epoch_in_ntp));
    return {ntp_secs, static_cast<std::uint32_t>(frac)};
}

UnixNanos from_ntp(Timestamp ts, UnixNanos pivot) {
    // The instant in era 0, then as many eras as bring it nearest the pivot.
    std::int64_t frac_ns = static_cast<std::int64_t>(
        (std::uint64_t{ts.fraction} * nanos_per_second + (1u << 31)) >> 32);
    std::int64_t base =
        (static_cast<std::int64_t>(ts.seconds) - unix_epoch_in_ntp) * nanos_per_second + frac_ns;
    std::int64_t diff = pivot - base;
    // round(diff / era) without overflow: eras are 4.29e18 ns, the int64 range 9.2e18.
    std::int64_t eras = diff / era_nanos;
    std::int64_t rest = diff % era_nanos;
    if (rest > era_nanos / 2) ++eras;
    if (rest < -era_nanos / 2) --eras;
    return base + eras * era_nanos;
}

std::int64_t difference_ns(Timestamp a, Timestamp b) {
    auto d = static_cast<std::int64_t>(b.raw() - a.raw()); // 2^-32 s units, modulo 2^64
    // d * 1e9 / 2^32 without overflow: split seconds and fraction.
    std::int64_t secs = d >> 32; // arithmetic shift: floor
    auto frac = static_cast<std::uint64_t>(d & 0xffffffff);
    return secs * nanos_per_second +
           static_cast<std::int64_t>((frac * nanos_per_second + (1u << 31)) >> 32);
}

std::uint32_t to_short(std::int64_t nanos) {
    if (nanos <= 0) return 0;
    // nanos * 2^16 / 1e9, saturating at 65536 s.
    if (nanos >= std::int64_t{65536} * nanos_per_second) return 0xffffffff;
    auto v = (static_cast<std::uint64_t>(nanos) << 16) + nanos_per_second / 2;
    return static_cast<std::uint32_t>(v / nanos_per_second);
}

std::int64_t from_short(std::uint32_t value) {
    return static_cast<std::int64_t>((std::uint64_t{value} * nanos_per_second + (1u << 15)) >> 16);
}

std::int8_t log2_seconds(double seconds) {
    if (!(seconds > 0)) return std::numeric_limits<std::int8_t>::min();
    int n = static_cast<int>(std::ceil(std::log2(seconds)));
    return static_cast<std::int8_t>(std::clamp(n, -128, 127));
}

} // namespace superd::ntp
