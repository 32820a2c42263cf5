// `limited` with `discard average/minimum`: the leaky bucket on a fake clock.
#include "ntpd/rate_limit.hpp"

#include <gtest/gtest.h>

namespace superd::ntp {
namespace {

constexpr std::int64_t s = 1'000'000'000;
const auto a = *common::IpAddress::parse("192.0.2.1");
const auto b = *common::IpAddress::parse("2001:db8::1");

TEST(NtpRateLimit, ClientsPollingAtTheirIntervalAreNeverLimited) {
    RateLimiter limiter; // average 2^3 = 8 s, minimum 2 s
    for (int i = 0; i < 100; ++i)
        EXPECT_FALSE(limiter.over_limit(a, i * 64 * s)) << i;
    for (int i = 0; i < 100; ++i)
        EXPECT_FALSE(limiter.over_limit(b, i * 8 * s)) << i; // exactly the average
}

TEST(NtpRateLimit, MinimumSpacing) {
    RateLimiter limiter;
    EXPECT_FALSE(limiter.over_limit(a, 0));
    EXPECT_TRUE(limiter.over_limit(a, s - 1));      // under a second: < minimum 2 s
    EXPECT_FALSE(limiter.over_limit(a, 3 * s));     // 2 s after the last (limited) one
    EXPECT_FALSE(limiter.over_limit(b, 3 * s + 1)); // other sources are not affected
    // As ntpd counts it (whole seconds, plus one): 1.9 s is not under `minimum 2`.
    EXPECT_FALSE(limiter.over_limit(a, 3 * s + 19 * s / 10));
}

TEST(NtpRateLimit, BurstThenTheAverageRate) {
    RateLimiter limiter;
    // Every 2 s for 400 s. The bucket holds eight headways of 8 s and each served request adds
    // one while 2 s leak away between requests: the first ten are served (an iburst), then
    // one in four, which is the average rate of one per 8 s.
    int served = 0, first_run = 0;
    bool limited_yet = false;
    for (std::int64_t t = 0; t < 400 * s; t += 2 * s) {
        bool over = limiter.over_limit(a, t);
        if (!over) ++served;
        limited_yet = limited_yet || over;
        if (!limited_yet) ++first_run;
    }
    EXPECT_EQ(first_run, 10);
    EXPECT_NEAR(served, 10 + (400 - 20) / 8, 1); // then one per 8 s
    // A client that backs off to its poll interval is served every time.
    for (int i = 1; i <= 10; ++i)
        EXPECT_FALSE(limiter.over_limit(a, 400 * s + i * 64 * s)) << i;
}

TEST(NtpRateLimit, PolicyFromDiscard) {
    RateLimiter strict(DiscardPolicy{6, 30}); // average 64 s, minimum 30 s
    EXPECT_FALSE(strict.over_limit(a, 0));
    EXPECT_TRUE(strict.over_limit(a, 20 * s));
    EXPECT_FALSE(strict.over_limit(a, 60 * s));
}

TEST(NtpRateLimit, TableIsBounded) {
    RateLimiter limiter(DiscardPolicy{}, 4);
    for (std::uint32_t i = 0; i < 100; ++i)
        limiter.over_limit(common::IpAddress::v4(0x0a000000 + i), i * s);
    EXPECT_EQ(limiter.size(), 4u);
    // The newest are kept: the last source is still remembered (and limited when it hurries).
    EXPECT_TRUE(limiter.over_limit(common::IpAddress::v4(0x0a000000 + 99), 99 * s + 1));
}

} // namespace
} // namespace superd::ntp
