#include "superd/options.hpp"

#include <gtest/gtest.h>

using namespace superd::daemon;

namespace {
std::expected<Options, std::string> parse(std::vector<std::string> args) {
    std::vector<char*> argv;
    static std::vector<std::string> keep;
    keep = std::move(args);
    keep.insert(keep.begin(), "superd");
    for (auto& a : keep)
        argv.push_back(a.data());
    return parse_options(static_cast<int>(argv.size()), argv.data());
}
} // namespace

TEST(Options, XinetdOptions) {
    auto o = parse({"-f", "x.conf", "-dontfork", "-pidfile", "p", "-filelog", "l", "-limit", "20"});
    ASSERT_TRUE(o) << o.error();
    EXPECT_EQ(o->config_path, "x.conf");
    EXPECT_TRUE(o->dont_fork);
    EXPECT_TRUE(o->stay_alive); // -dontfork implies -stayalive
    EXPECT_EQ(o->pidfile, "p");
    EXPECT_EQ(o->filelog, "l");
    EXPECT_EQ(o->process_limit, 20);
}

TEST(Options, DebugAndSyslog) {
    auto o = parse({"-d", "-syslog", "local0"});
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->debug && o->dont_fork && o->log_stderr);
    EXPECT_EQ(o->syslog_facility, 16 << 3);
}

TEST(Options, Errors) {
    EXPECT_EQ(parse({"-limit", "0"}).error(), "-limit needs a positive number, not '0'");
    EXPECT_EQ(parse({"-f"}).error(), "-f needs a value");
    EXPECT_EQ(parse({"-syslog", "nope"}).error(), "-syslog: unknown facility 'nope'");
    EXPECT_EQ(parse({"--bogus"}).error(), "unknown option '--bogus'");
    auto ignored = parse({"-reuse", "-logprocs", "30"});
    ASSERT_TRUE(ignored);
    EXPECT_EQ(ignored->warnings.size(), 2u);
}
