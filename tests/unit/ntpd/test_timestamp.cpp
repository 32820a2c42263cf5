// NTP's time formats: conversions, rounding, and the era wrap of 2036.
#include "ntpd/timestamp.hpp"

#include <gtest/gtest.h>

namespace superd::ntp {
namespace {

constexpr std::int64_t s = 1'000'000'000;

TEST(NtpTimestamp, UnixEpochAndAKnownInstant) {
    EXPECT_EQ(to_ntp(0), (Timestamp{2'208'988'800u, 0}));
    // 2026-11-23T12:00:00.5Z: 1795435200.5 Unix seconds.
    Timestamp t = to_ntp(1'795'435'200 * s + s / 2);
    EXPECT_EQ(t.seconds, 1'795'435'200u + 2'208'988'800u);
    EXPECT_EQ(t.fraction, 0x80000000u);
    EXPECT_EQ(from_ntp(t, 1'795'435'200 * s), 1'795'435'200 * s + s / 2);
}

TEST(NtpTimestamp, FractionRoundsToTheNearestUnit) {
    // 1 ns is 4.29 units of 2^-32 s: rounds to 4; and back, 4 units are 0.93 ns: rounds to 1.
    EXPECT_EQ(to_ntp(1).fraction, 4u);
    EXPECT_EQ(from_ntp(to_ntp(1), 0), 1);
    // The last nanosecond of a second stays in it (4,294,967,291.7 units round to ...292).
    Timestamp t = to_ntp(s - 1);
    EXPECT_EQ(t.seconds, 2'208'988'800u);
    EXPECT_EQ(t.fraction, 0xfffffffcu);
    for (std::int64_t ns : {0LL, 1LL, 499'999'999LL, 500'000'000LL, 999'999'999LL})
        EXPECT_EQ(from_ntp(to_ntp(1'700'000'000 * s + ns), 1'700'000'000 * s),
                  1'700'000'000 * s + ns)
            << ns;
}

TEST(NtpTimestamp, EraWrapOf2036) {
    // 2036-02-07T06:28:16Z is NTP second 2^32: era 1 starts, the seconds field is 0 again.
    const std::int64_t wrap = (std::int64_t{1} << 32) - 2'208'988'800;
    Timestamp at = to_ntp(wrap * s);
    EXPECT_EQ(at, (Timestamp{0, 0}));
    Timestamp before = to_ntp((wrap - 1) * s);
    EXPECT_EQ(before.seconds, 0xffffffffu);
    // Read back near the wrap, each lands in its own era.
    EXPECT_EQ(from_ntp(at, (wrap - 10) * s), wrap * s);
    EXPECT_EQ(from_ntp(before, (wrap + 10) * s), (wrap - 1) * s);
    // Differences across the wrap are small and signed.
    EXPECT_EQ(difference_ns(before, at), s);
    EXPECT_EQ(difference_ns(at, before), -s);
}

TEST(NtpTimestamp, DifferenceKeepsNanoseconds) {
    Timestamp a = to_ntp(1'700'000'000 * s + 123'456'789);
    Timestamp b = to_ntp(1'700'000'002 * s + 123'456'000);
    EXPECT_NEAR(static_cast<double>(difference_ns(a, b)), 2.0 * s - 789, 1.0);
    EXPECT_NEAR(static_cast<double>(difference_ns(b, a)), -(2.0 * s - 789), 1.0);
}

TEST(NtpShortFormat, RoundTripAndLimits) {
    EXPECT_EQ(to_short(s), 0x00010000u);
    EXPECT_EQ(to_short(s / 2), 0x00008000u);
    EXPECT_EQ(from_short(0x00010000u), s);
    EXPECT_EQ(to_short(-5), 0u);
    EXPECT_EQ(to_short(70'000 * s), 0xffffffffu);
    EXPECT_NEAR(static_cast<double>(from_short(to_short(15'258))), 15'258.0, 7630.0); // 2^-16 s
}

TEST(NtpLog2, PollAndPrecision) {
    EXPECT_EQ(log2_seconds(64), 6);
    EXPECT_EQ(log2_seconds(65), 7);
    EXPECT_EQ(log2_seconds(1e-9), -29); // 2^-30 = 0.93 ns < 1 ns <= 2^-29
    EXPECT_EQ(log2_seconds(0), -128);
}

} // namespace
} // namespace superd::ntp
