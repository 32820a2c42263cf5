// The shared module loop: the idle exit waits while the module is busy, SIGUSR1 reports,
// SIGTERM stops; and the counters line.
#include "common/log.hpp"
#include "common/module_loop.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace superd::common {
namespace {

TEST(ModuleLoop, IdleExitWaitsUntilTheModuleIsNotBusy) {
    boost::asio::io_context io;
    int busy_checks = 0;
    ModuleLoop loop(io, logger("test"), std::chrono::seconds(1), {},
                    [&] { return ++busy_checks < 2; }); // busy at the first expiry only
    loop.start();
    auto begin = std::chrono::steady_clock::now();
    io.run(); // returns when the loop stops it
    EXPECT_EQ(busy_checks, 2);
    EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::seconds(2));
}

TEST(ModuleLoop, Usr1ReportsAndTermStops) {
    boost::asio::io_context io;
    int reports = 0;
    ModuleLoop loop(io, logger("test"), std::chrono::seconds(0), [&] { ++reports; });
    loop.start();
    ::raise(SIGUSR1);
    for (int i = 0; i < 10 && reports == 0; ++i)
        io.run_one_for(std::chrono::seconds(1)); // the signal's delivery, then the report
    EXPECT_EQ(reports, 1);
    ::raise(SIGTERM);
    io.run(); // stopped by the signal (no idle timer: it would otherwise never return)
    EXPECT_TRUE(io.stopped());
}

TEST(ModuleLoop, CountersLine) {
    EXPECT_EQ(format_counters({}), " none");
    EXPECT_EQ(format_counters({{"ack", 2}, {"offer", 3}}), " ack=2 offer=3");
}

} // namespace
} // namespace superd::common
