// USERID and IDONLY against a real identd: oidentd (Debian's package), started by superd itself
// as the `auth` service on 127.0.0.1:113 in inetd mode (-I). The test's own TCP client is the
// connection asked about, so oidentd answers with the test's user ("UNIX:root": oidentd
// writes no blanks around the colons).
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <pwd.h>

#include <netinet/in.h>

namespace superd::system_test {
namespace {

constexpr const char* oidentd = "/usr/sbin/oidentd";

// Nothing else may listen on 127.0.0.1:113 while this test runs (superd binds it).
bool ident_port_free() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(113);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

std::string my_user() {
    passwd* pw = ::getpwuid(::geteuid());
    return pw != nullptr ? pw->pw_name : std::to_string(::geteuid());
}

TEST(Ident, UseridIsLoggedAndIdonlyRefusesTheUnidentified) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: port 113";
    ASSERT_TRUE(have_program(oidentd)) << "oidentd not installed: scripts/install-deps";
    if (!ident_port_free()) GTEST_SKIP() << "127.0.0.1:113 is in use by something else";

    TempDir dir;
    ::chmod(dir.path().c_str(), 0755);
    write_script(dir.file("hello"), "echo hello\n");
    write_script(dir.file("hold"), "echo held; sleep 5\n");
    int show = free_port(SOCK_STREAM), strict = free_port(SOCK_STREAM),
        one = free_port(SOCK_STREAM);
    std::string services =
        service_block("show",
                      {"type = UNLISTED", "socket_type = stream", "wait = no", "user = nobody",
                       "port = " + std::to_string(show), "server = " + dir.file("hello"),
                       "log_on_success = PID HOST USERID EXIT"}) +
        service_block("strict", {"type = UNLISTED", "socket_type = stream", "wait = no",
                                 "user = nobody", "port = " + std::to_string(strict),
                                 "server = " + dir.file("hello"), "flags = IDONLY"}) +
        service_block("one",
                      {"type = UNLISTED", "socket_type = stream", "wait = no", "user = nobody",
                       "port = " + std::to_string(one), "server = " + dir.file("hold"),
                       "instances = 1", "log_on_failure = HOST USERID"});
    std::string auth = service_block(
        "auth", {"type = UNLISTED", "socket_type = stream", "wait = no", "user = root",
                 "port = 113", "server = " + std::string(oidentd), "server_args = -I -S -q"});

    // 1. No identd on 113: IDONLY refuses with a NOID record and never starts the server.
    {
        write_file(dir.file("a.conf"), config_text(dir.file("a.log"), services));
        Superd superd;
        ASSERT_TRUE(superd.start(dir.file("a.conf"))) << superd.log();
        TcpClient c(strict);
        ASSERT_TRUE(c.connected());
        EXPECT_EQ(c.read_all(5s), "");
        ASSERT_TRUE(superd.wait_for_log("NOID: strict 127.0.0.1 no server")) << superd.log();
        EXPECT_EQ(count_of(read_file(dir.file("a.log")), "START: strict"), 0);
        // Without IDONLY a failed ident only means no USERID record.
        TcpClient s(show);
        EXPECT_EQ(s.read_all(5s), "hello\n");
        ASSERT_TRUE(superd.wait_for_log("EXIT: show")) << superd.log();
        EXPECT_EQ(count_of(read_file(dir.file("a.log")), "USERID:"), 0);
    }

    // 2. With oidentd as the auth service: USERID records, and IDONLY serves.
    write_file(dir.file("b.conf"), config_text(dir.file("b.log"), services + auth));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("b.conf"))) << superd.log();
    std::string user_record = "USERID: show UNIX:" + my_user();
    {
        TcpClient s(show);
        EXPECT_EQ(s.read_all(10s), "hello\n");
        ASSERT_TRUE(superd.wait_for_log("EXIT: show")) << superd.log();
        std::string log = read_file(dir.file("b.log"));
        EXPECT_NE(log.find(user_record), std::string::npos) << log << superd.log();
        // xinetd's order: the ident record, then the server's START.
        EXPECT_LT(log.find("USERID: show"), log.find("START: show")) << log;
    }
    {
        TcpClient s(strict);
        EXPECT_EQ(s.read_all(10s), "hello\n") << superd.log();
    }
    // 3. USERID in log_on_failure: the refused connection's owner is logged after its FAIL.
    TcpClient first(one);
    EXPECT_EQ(first.read_line(5s), "held\n");
    TcpClient second(one);
    EXPECT_TRUE(second.closed_by_peer(10s));
    ASSERT_TRUE(superd.wait_for_log("USERID: one UNIX:" + my_user())) << superd.log();
    EXPECT_EQ(count_of(read_file(dir.file("b.log")), "FAIL: one service_limit from=127.0.0.1"), 1);
}

} // namespace
} // namespace superd::system_test
