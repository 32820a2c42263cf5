#include "common/clock.hpp"

#include <gtest/gtest.h>

namespace superd::common {
namespace {

using namespace std::chrono_literals;

TEST(FakeClock, StartsAtNewYear2026) {
    FakeClock clock;
    EXPECT_EQ(
        std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch()).count(),
        1767225600);
    EXPECT_EQ(clock.wall(), std::chrono::sys_days{std::chrono::year{2026} / 1 / 1});
}

TEST(FakeClock, AdvanceMovesBothClocks) {
    FakeClock clock;
    auto wall0 = clock.wall();
    auto steady0 = clock.steady();
    clock.advance(1500ms);
    EXPECT_EQ(clock.wall() - wall0, 1500ms);
    EXPECT_EQ(clock.steady() - steady0, 1500ms);
    clock.advance(1ns);
    EXPECT_EQ(clock.steady() - steady0, 1500ms + 1ns);
    clock.advance(0ns);
    EXPECT_EQ(clock.steady() - steady0, 1500ms + 1ns);
}

TEST(FakeClock, FrozenUntilAdvanced) {
    FakeClock clock;
    auto wall0 = clock.wall();
    auto steady0 = clock.steady();
    EXPECT_EQ(clock.wall(), wall0);
    EXPECT_EQ(clock.steady(), steady0);
}

TEST(FakeClock, SetWallLeavesSteadyAlone) {
    FakeClock clock;
    auto steady0 = clock.steady();
    auto t = std::chrono::sys_days{std::chrono::year{2000} / 2 / 29} + 12h;
    clock.set_wall(t);
    EXPECT_EQ(clock.wall(), t);
    EXPECT_EQ(clock.steady(), steady0);
    clock.advance(1h);
    EXPECT_EQ(clock.wall(), t + 1h);
}

TEST(FakeClock, UsableThroughTheInterface) {
    FakeClock fake;
    const Clock& clock = fake;
    auto before = clock.steady();
    fake.advance(10s);
    EXPECT_EQ(clock.steady() - before, 10s);
}

TEST(SystemClock, IsASingletonThatMoves) {
    const SystemClock& a = SystemClock::instance();
    const SystemClock& b = SystemClock::instance();
    EXPECT_EQ(&a, &b);
    auto s0 = a.steady();
    auto s1 = a.steady();
    EXPECT_LE(s0, s1);
    auto now = std::chrono::system_clock::now();
    EXPECT_LT(std::chrono::abs(a.wall() - now), 60s);
}

} // namespace
} // namespace superd::common
