// Where a module's messages go, standalone and with a datagram socket on fd 0 (as superd hands
// it over). fd 0, 1 and 2 are saved and restored around each case.
#include "common/module_start.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace superd::common {
namespace {

class SavedStdio {
  public:
    SavedStdio() {
        for (int fd = 0; fd < 3; ++fd)
            saved_[fd] = ::dup(fd);
    }
    ~SavedStdio() {
        for (int fd = 0; fd < 3; ++fd) {
            ::dup2(saved_[fd], fd);
            ::close(saved_[fd]);
        }
    }

  private:
    int saved_[3];
};

TEST(ModuleStart, StandaloneLogsWhereAsked) {
    SavedStdio keep;
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    ::dup2(p[0], 0); // not a socket: standalone
    auto a = module_start("m", "", true);
    EXPECT_FALSE(a.handed_over);
    EXPECT_EQ(a.log.sink, LogOptions::Sink::stderr_sink);
    EXPECT_EQ(a.log.syslog_ident, "m");
    auto b = module_start("m", "/tmp/x.log", true);
    EXPECT_EQ(b.log.sink, LogOptions::Sink::file);
    EXPECT_EQ(b.log.file_path, "/tmp/x.log");
    EXPECT_EQ(module_start("m", "", false).log.sink, LogOptions::Sink::syslog);
    ::close(p[0]);
    ::close(p[1]);
}

TEST(ModuleStart, HandedOverNeverWritesToTheSocket) {
    SavedStdio keep;
    int s = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&any), sizeof any), 0);
    for (int fd = 0; fd < 3; ++fd)
        ::dup2(s, fd);                    // as superd does
    auto m = module_start("m", "", true); // -d asked, but stderr is the socket
    EXPECT_TRUE(m.handed_over);
    EXPECT_EQ(m.log.sink, LogOptions::Sink::syslog);
    struct stat st {};
    ASSERT_EQ(::fstat(2, &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode)); // /dev/null now
    ASSERT_EQ(::fstat(0, &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode)); // the socket stays on fd 0
    ::close(s);
}

TEST(ModuleStart, IdleTimeoutIsWholeSecondsOrAClearError) {
    EXPECT_EQ(parse_idle_timeout("60"), 60);
    EXPECT_EQ(parse_idle_timeout("0"), 0);
    for (const char* bad : {"", "-1", "1.5", "60s", "x", "99999999999"}) {
        auto r = parse_idle_timeout(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error(), std::string("--idle-timeout: not a number of seconds: ") + bad);
    }
}

} // namespace
} // namespace superd::common
