#pragma once
// NTP's time formats (RFC 5905 section 6): the 64-bit timestamp (32-bit seconds since
// 1900-01-01 and a 32-bit fraction) and the 32-bit short format (16.16 seconds) of root delay
// and dispersion. The seconds field wraps every 2^32 s (era 0 ends on 2036-02-07T06:28:16Z):
// converting back to Unix time needs a pivot, a time known to lie within 68 years of the value.
#include <chrono>
#include <compare>
#include <cstdint>

namespace superd::ntp {

// Seconds from 1900-01-01 (NTP's epoch) to 1970-01-01 (Unix's).
inline constexpr std::int64_t unix_epoch_in_ntp = 2'208'988'800;

// A point in time in nanoseconds since the Unix epoch (what the kernel stamps, SO_TIMESTAMPNS).
using UnixNanos = std::int64_t;

struct Timestamp {
    std::uint32_t seconds = 0;
    std::uint32_t fraction = 0; // units of 2^-32 s

    std::uint64_t raw() const { return std::uint64_t{seconds} << 32 | fraction; }
    static Timestamp from_raw(std::uint64_t v) {
        return {static_cast<std::uint32_t>(v >> 32), static_cast<std::uint32_t>(v)};
    }
    bool is_zero() const { return seconds == 0 && fraction == 0; }
    auto operator<=>(const Timestamp&) const = default;
};

// Unix nanoseconds to an NTP timestamp (whatever the era: the seconds wrap). The fraction is
// rounded to the nearest 2^-32 s.
Timestamp to_ntp(UnixNanos t);
// An NTP timestamp back to Unix nanoseconds: of the instants it may denote (one per era), the
// one nearest `pivot` (RFC 5905 A.4's era arithmetic).
UnixNanos from_ntp(Timestamp ts, UnixNanos pivot);
// b - a in nanoseconds, for two timestamps less than 68 years apart (era-independent: the
// difference is taken modulo 2^64 in 2^-32 s units, then read as signed).
std::int64_t difference_ns(Timestamp a, Timestamp b);

// The 16.16 short format: seconds as a signed duration (root delay may be negative on the wire
// from broken servers; root dispersion is not).
std::uint32_t to_short(std::int64_t nanos);   // saturates at 0xffffffff, negatives as 0
std::int64_t from_short(std::uint32_t value); // nanoseconds

// A duration in seconds as log2 (the poll and precision fields): the smallest n with 2^n >= s.
std::int8_t log2_seconds(double seconds);

} // namespace superd::ntp
