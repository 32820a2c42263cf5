// Record shapes that fail2ban's and logcheck's xinetd patterns depend on.
#include "superd/service_log.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>

using namespace superd::daemon;

TEST(ServiceLog, Start) {
    EXPECT_EQ(start_record("echo", log_pid | log_host, 340, "127.0.0.1"),
              "START: echo pid=340 from=127.0.0.1");
    EXPECT_EQ(start_record("echo-wait", log_pid | log_host, 340, std::nullopt),
              "START: echo-wait pid=340 from=<no address>");
    EXPECT_EQ(start_record("x", log_host, 1, "::1"), "START: x from=::1");
    EXPECT_EQ(start_record("x", log_exit, 1, "::1"), "START: x");
}

TEST(ServiceLog, Exit) {
    int exited_3 = 3 << 8;
    int killed_9 = 9;
    ASSERT_TRUE(WIFEXITED(exited_3));
    ASSERT_TRUE(WIFSIGNALED(killed_9));
    EXPECT_EQ(
        exit_record("x", log_exit | log_pid | log_duration, exited_3, 77, std::chrono::seconds(12)),
        "EXIT: x status=3 pid=77 duration=12(sec)");
    EXPECT_EQ(exit_record("x", log_exit, killed_9, 77, std::chrono::seconds(0)),
              "EXIT: x signal=9");
    EXPECT_EQ(exit_record("x", log_pid | log_host, 0, 77, std::chrono::seconds(0)), std::nullopt);
}

TEST(ServiceLog, FailAndTraffic) {
    EXPECT_EQ(fail_record("ssh", log_host, "address", "10.0.0.9"),
              "FAIL: ssh address from=10.0.0.9");
    EXPECT_EQ(fail_record("ssh", log_attempt, "libwrap", "10.0.0.9"), "FAIL: ssh libwrap");
    EXPECT_EQ(traffic_record("web", 10, 2000), "TRAFFIC: web in=10(bytes) out=2000(bytes)");
}

TEST(ServiceLog, FileTimestampShape) {
    setenv("TZ", "UTC", 1);
    tzset();
    EXPECT_EQ(file_log_timestamp(1795396919), "26/11/23@01:21:59");
    EXPECT_EQ(file_log_timestamp(1767229200), "26/1/1@01:00:00");
}

#include "superd/service.hpp"

TEST(Cps, XinetdWindowArithmetic) {
    // cps = 3 N: the window lasts 3 seconds; more than 3 per elapsed second trips it.
    CpsMeter m;
    EXPECT_FALSE(m.record(100, 3)); // first: n=1
    EXPECT_FALSE(m.record(100, 3)); // n=2, 2/1
    EXPECT_FALSE(m.record(100, 3)); // n=3, 3/1
    EXPECT_TRUE(m.record(100, 3));  // n=4, 4/1 > 3
}

TEST(Cps, SlowRateNeverTrips) {
    CpsMeter m;
    for (int t = 0; t < 100; ++t)
        EXPECT_FALSE(m.record(1000 + t, 2)) << t;
}

TEST(Cps, WindowRestartsAfterRateSeconds) {
    CpsMeter m;
    EXPECT_FALSE(m.record(10, 2));
    EXPECT_FALSE(m.record(10, 2));
    EXPECT_FALSE(m.record(12, 2)); // elapsed 2 == rate: a new window
    EXPECT_FALSE(m.record(12, 2));
    EXPECT_TRUE(m.record(12, 2));
}

TEST(Cps, ZeroRateDisablesTheCheck) {
    CpsMeter m;
    for (int i = 0; i < 1000; ++i)
        EXPECT_FALSE(m.record(5, 0));
}
