#include "common/log.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>
#include <stdexcept>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

namespace superd::common {
namespace {

using test::read_file;
using test::TempDir;

// Puts logging back on stderr so that later tests do not write into a removed file.
class LogTest : public ::testing::Test {
  protected:
    void TearDown() override { setup_logging(LogOptions{}); }
};

// True when text is exactly "YYYY-MM-DD HH:MM:SS.mmm " followed by rest (D in the template
// stands for any digit). std::regex is avoided: GCC 12 warns inside it under the sanitizers.
bool is_stamped_line(std::string_view text, std::string_view rest) {
    constexpr std::string_view stamp = "DDDD-DD-DD DD:DD:DD.DDD ";
    if (text.size() != stamp.size() + rest.size()) return false;
    for (std::size_t i = 0; i < stamp.size(); ++i) {
        bool ok = stamp[i] == 'D' ? (text[i] >= '0' && text[i] <= '9') : text[i] == stamp[i];
        if (!ok) return false;
    }
    return text.substr(stamp.size()) == rest;
}

LogOptions file_options(const std::string& path,
                        spdlog::level::level_enum level = spdlog::level::info) {
    LogOptions options;
    options.sink = LogOptions::Sink::file;
    options.file_path = path;
    options.level = level;
    return options;
}

TEST_F(LogTest, SameLoggerForSameName) {
    auto a = logger("log-test-same");
    auto b = logger(std::string("log-test-same"));
    EXPECT_EQ(a.get(), b.get());
    EXPECT_EQ(a->name(), "log-test-same");
    EXPECT_NE(logger("log-test-other").get(), a.get());
}

TEST_F(LogTest, StderrSinkFormat) {
    // The default options are also what logger() uses before setup_logging() is called.
    setup_logging(LogOptions{});
    ::testing::internal::CaptureStderr();
    logger("log-test-stderr")->warn("to stderr");
    std::string text = ::testing::internal::GetCapturedStderr();
    EXPECT_TRUE(is_stamped_line(text, "log-test-stderr[" + std::to_string(::getpid()) +
                                          "] warning: to stderr\n"))
        << text;
}

TEST_F(LogTest, FileSinkFormat) {
    TempDir dir;
    std::string path = dir.file("superd.log");
    setup_logging(file_options(path));
    logger("config")->info("loaded {} services", 3);

    std::string text = read_file(path);
    EXPECT_TRUE(is_stamped_line(text, "config[" + std::to_string(::getpid()) +
                                          "] info: loaded 3 services\n"))
        << text;
}

TEST_F(LogTest, EarlierAndLaterLoggersShareTheSink) {
    auto early = logger("log-test-early");
    TempDir dir;
    std::string path = dir.file("superd.log");
    setup_logging(file_options(path));
    auto late = logger("log-test-late");
    early->warn("one");
    late->error("two");
    EXPECT_EQ(early->sinks().size(), 1u);
    EXPECT_EQ(early->sinks(), late->sinks());

    std::string text = read_file(path);
    std::string pid = std::to_string(::getpid());
    EXPECT_NE(text.find(" log-test-early[" + pid + "] warning: one\n"), std::string::npos) << text;
    EXPECT_NE(text.find(" log-test-late[" + pid + "] error: two\n"), std::string::npos) << text;
    EXPECT_LT(text.find("one"), text.find("two"));
}

TEST_F(LogTest, LevelFilters) {
    TempDir dir;
    std::string path = dir.file("superd.log");
    setup_logging(file_options(path, spdlog::level::warn));
    auto lg = logger("log-test-level");
    lg->info("hidden");
    lg->debug("hidden too");
    lg->warn("shown");
    std::string text = read_file(path);
    EXPECT_EQ(text.find("hidden"), std::string::npos) << text;
    EXPECT_NE(text.find("log-test-level[" + std::to_string(::getpid()) + "] warning: shown\n"),
              std::string::npos);

    setup_logging(file_options(path, spdlog::level::debug));
    lg->debug("now visible");
    EXPECT_NE(read_file(path).find("] debug: now visible\n"), std::string::npos);
}

TEST_F(LogTest, FileIsAppendedAndCreated0644) {
    TempDir dir;
    std::string path = dir.file("superd.log");
    test::write_file(path, "existing line\n");
    setup_logging(file_options(path));
    logger("log-test-append")->info("added");
    std::string text = read_file(path);
    EXPECT_EQ(text.rfind("existing line\n", 0), 0u) << text;
    EXPECT_NE(text.find("added\n"), std::string::npos);

    mode_t old = ::umask(077);
    std::string fresh = dir.file("fresh.log");
    setup_logging(file_options(fresh));
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(fresh.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(LogTest, UnopenableFileThrowsAndKeepsTheOldSink) {
    TempDir dir;
    std::string path = dir.file("superd.log");
    setup_logging(file_options(path));
    std::string bad = dir.file("missing/superd.log");
    try {
        setup_logging(file_options(bad));
        FAIL() << "no exception";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), bad + ": No such file or directory");
    }
    logger("log-test-keep")->info("still here");
    EXPECT_NE(read_file(path).find("still here"), std::string::npos);
}

TEST_F(LogTest, SyslogSinkCanBeSetUp) {
    LogOptions options;
    options.sink = LogOptions::Sink::syslog;
    options.syslog_ident = "superd-unit-test";
    options.syslog_facility = LOG_LOCAL7;
    options.level = spdlog::level::off; // set up, but send nothing to the host's syslog
    setup_logging(options);
    auto lg = logger("log-test-syslog");
    ASSERT_EQ(lg->sinks().size(), 1u);
    EXPECT_FALSE(lg->should_log(spdlog::level::critical));
    setup_logging(options); // replacing a syslog sink with another one
    EXPECT_EQ(lg->sinks().size(), 1u);
}

TEST(SyslogNames, Facilities) {
    EXPECT_EQ(syslog_facility_from_name("daemon"), LOG_DAEMON);
    EXPECT_EQ(syslog_facility_from_name("daemon"), 3 << 3);
    EXPECT_EQ(syslog_facility_from_name("auth"), LOG_AUTH);
    EXPECT_EQ(syslog_facility_from_name("authpriv"), LOG_AUTHPRIV);
    EXPECT_EQ(syslog_facility_from_name("user"), LOG_USER);
    EXPECT_EQ(syslog_facility_from_name("mail"), LOG_MAIL);
    EXPECT_EQ(syslog_facility_from_name("lpr"), LOG_LPR);
    EXPECT_EQ(syslog_facility_from_name("news"), LOG_NEWS);
    EXPECT_EQ(syslog_facility_from_name("uucp"), LOG_UUCP);
    EXPECT_EQ(syslog_facility_from_name("ftp"), LOG_FTP);
    EXPECT_EQ(syslog_facility_from_name("local0"), LOG_LOCAL0);
    EXPECT_EQ(syslog_facility_from_name("local7"), LOG_LOCAL7);
    EXPECT_EQ(syslog_facility_from_name("local7"), 23 << 3);
    for (std::string_view bad : {"", "Daemon", "local8", "kernel", "daemon ", "local"}) {
        EXPECT_FALSE(syslog_facility_from_name(bad)) << bad;
    }
}

TEST(SyslogNames, Levels) {
    EXPECT_EQ(syslog_level_from_name("emerg"), LOG_EMERG);
    EXPECT_EQ(syslog_level_from_name("alert"), LOG_ALERT);
    EXPECT_EQ(syslog_level_from_name("crit"), LOG_CRIT);
    EXPECT_EQ(syslog_level_from_name("err"), LOG_ERR);
    EXPECT_EQ(syslog_level_from_name("warning"), LOG_WARNING);
    EXPECT_EQ(syslog_level_from_name("notice"), LOG_NOTICE);
    EXPECT_EQ(syslog_level_from_name("info"), LOG_INFO);
    EXPECT_EQ(syslog_level_from_name("debug"), LOG_DEBUG);
    EXPECT_EQ(syslog_level_from_name("debug"), 7);
    for (std::string_view bad : {"", "ERR", "error", "warn", "trace", "info "}) {
        EXPECT_FALSE(syslog_level_from_name(bad)) << bad;
    }
}

} // namespace
} // namespace superd::common
