// The client's mitigation on synthetic samples: clock filter, intersection (falsetickers out),
// clustering and combining.
#include "ntpd/selection.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace superd::ntp {
namespace {

Candidate server(int id, double offset, double distance, double jitter = 0.001, int stratum = 2) {
    return Candidate{id, offset, distance, jitter, stratum, false};
}

bool has(const std::vector<int>& v, int id) {
    return std::ranges::find(v, id) != v.end();
}

TEST(NtpClockFilter, LowestDelayWinsAndAges) {
    ClockFilter f;
    EXPECT_FALSE(f.best(0));
    f.add({0.010, 0.050, 0.001, 0});
    f.add({0.002, 0.010, 0.001, 1}); // the shortest round trip: the best estimate
    f.add({0.020, 0.080, 0.001, 2});
    auto b = f.best(101);
    ASSERT_TRUE(b);
    EXPECT_DOUBLE_EQ(b->offset, 0.002);
    EXPECT_NEAR(b->dispersion, 0.001 + 100 * 15e-6, 1e-12); // grown with age
    EXPECT_GT(f.jitter(101), 0.0);
    for (int i = 0; i < 20; ++i)
        f.add({0.0, 0.5, 0.0, 3.0 + i});
    EXPECT_EQ(f.size(), ClockFilter::stages); // eight kept
    EXPECT_DOUBLE_EQ(f.best(30)->delay, 0.5);
}

TEST(NtpSelection, AFalsetickerIsVotedOut) {
    std::vector<Candidate> c = {server(1, 0.001, 0.010), server(2, -0.002, 0.012),
                                server(3, 0.000, 0.008), server(4, 10.0, 0.010)};
    Selection s = select_clock(c);
    EXPECT_EQ(s.truechimers.size(), 3u);
    EXPECT_FALSE(has(s.truechimers, 4));
    ASSERT_TRUE(s.system_peer);
    EXPECT_NE(*s.system_peer, 4);
    EXPECT_NEAR(s.offset, 0.0, 0.002);
}

TEST(NtpSelection, NoMajorityNoTime) {
    // Two servers that disagree: neither interval contains the other; with minsane 1 the
    // algorithm may keep one side only when a majority exists, which two cannot give.
    std::vector<Candidate> c = {server(1, 0.0, 0.010), server(2, 5.0, 0.010)};
    Selection s = select_clock(c);
    EXPECT_FALSE(s.system_peer);
    EXPECT_TRUE(s.truechimers.empty());
    // A single server is its own majority.
    Selection one = select_clock({server(1, 0.3, 0.02)});
    ASSERT_TRUE(one.system_peer);
    EXPECT_DOUBLE_EQ(one.offset, 0.3);
}

TEST(NtpSelection, ClusteringDropsTheOutlierAmongTruechimers) {
    // Five overlapping intervals (all truechimers), one far from the others inside its wide
    // interval: clustering prunes it down to minclock 3.
    std::vector<Candidate> c = {server(1, 0.000, 0.2, 0.001), server(2, 0.001, 0.2, 0.001),
                                server(3, -0.001, 0.2, 0.001), server(4, 0.002, 0.2, 0.001),
                                server(5, 0.150, 0.2, 0.001)};
    Selection s = select_clock(c);
    EXPECT_EQ(s.truechimers.size(), 5u);
    EXPECT_EQ(s.survivors.size(), 3u);
    EXPECT_FALSE(has(s.survivors, 5));
    EXPECT_NEAR(s.offset, 0.0, 0.002);
}

TEST(NtpSelection, UnsynchronizedAndDistantServersAreNotCandidates) {
    std::vector<Candidate> c = {server(1, 0.0, 0.01, 0.001, 16), server(2, 0.0, 3.0)};
    EXPECT_FALSE(select_clock(c).system_peer);
    // A preferred survivor becomes the system peer.
    std::vector<Candidate> p = {server(1, 0.000, 0.01), server(2, 0.001, 0.02)};
    p[1].prefer = true;
    EXPECT_EQ(select_clock(p).system_peer, 2);
}

} // namespace
} // namespace superd::ntp
