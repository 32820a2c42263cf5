// What a service block and the command line decide, seen from outside: the child's
// environment (credentials, umask, nice, rlimits, fds, signals, session, socket options),
// IPv6, the instance limits, and the options -pidfile, -limit, -stayalive, -filelog.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <memory>
#include <sstream>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/wait.h>

namespace superd::system_test {
namespace {

std::map<std::string, std::string> parse_probe(const std::string& text) {
    std::map<std::string, std::string> kv;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return kv;
}

bool have_ipv6_loopback() {
    int fd = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

std::string as_user() {
    return std::string("user = ") + (geteuid() == 0 ? "root" : "nobody");
}

TEST(Attributes, TheChildGetsExactlyWhatTheBlockSays) {
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    bool root = geteuid() == 0;
    std::vector<std::string> lines{"type = UNLISTED",
                                   "socket_type = stream",
                                   "wait = no",
                                   "port = " + std::to_string(port),
                                   "server = " + helper_binary("probe_server"),
                                   "server_args = probe-name alpha beta",
                                   "flags = NAMEINARGS NODELAY KEEPALIVE",
                                   "umask = 027",
                                   "nice = 5",
                                   "rlimit_files = 100"};
    if (root) {
        lines.insert(lines.end(), {"user = nobody", "group = nogroup"});
    } else {
        lines.push_back(as_user());
    }
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"), service_block("probe", lines)));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    TcpClient c(port);
    ASSERT_TRUE(c.connected());
    std::string text = c.read_all(5s);
    auto kv = parse_probe(text);
    EXPECT_EQ(kv["argv"], "probe-name alpha beta") << text; // NAMEINARGS: argv[0] from server_args
    EXPECT_EQ(kv["fds"], "none") << text;                   // nothing of superd's leaks
    EXPECT_EQ(kv["sigblk"], "0000000000000000") << text;
    EXPECT_EQ(kv["sigign"], "0000000000000000") << text; // superd ignores SIGPIPE; its child not
    EXPECT_EQ(kv["session_leader"], "yes") << text;
    EXPECT_EQ(kv["umask"], "027") << text;
    EXPECT_EQ(kv["nice"], "5") << text;
    EXPECT_EQ(kv["nofile"], "100") << text;
    EXPECT_EQ(kv["nodelay"], "1") << text;
    EXPECT_EQ(kv["keepalive"], "1") << text;
    if (root) {
        EXPECT_EQ(kv["uid"], "65534") << text;
        EXPECT_EQ(kv["gid"], "65534") << text;
        EXPECT_EQ(kv["groups"], "none") << text; // root's supplementary groups are dropped
    }
}

TEST(Attributes, WithoutFlagsTheConnectionHasNoNodelayOrKeepalive) {
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    write_file(
        dir.file("superd.conf"),
        config_text(dir.file("services.log"),
                    service_block("probe", {"type = UNLISTED", "socket_type = stream", "wait = no",
                                            "port = " + std::to_string(port), as_user(),
                                            "server = " + helper_binary("probe_server")})));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    TcpClient c(port);
    auto kv = parse_probe(c.read_all(5s));
    EXPECT_EQ(kv["nodelay"], "0");
    EXPECT_EQ(kv["keepalive"], "0");
    EXPECT_EQ(kv["argv"], "probe_server"); // argv[0] is the server's base name, as in xinetd
}

TEST(Attributes, IPv6LoopbackService) {
    if (!have_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine";
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    std::string services =
        service_block("probe6", {"type = UNLISTED", "socket_type = stream", "wait = no",
                                 "flags = IPv6", "bind = ::1", "port = " + std::to_string(port),
                                 as_user(), "server = " + helper_binary("probe_server")}) +
        service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream", "wait = no",
                               "bind = ::1", "port = " + std::to_string(free_port(SOCK_STREAM))});
    // The defaults bind 127.0.0.1; each service's own bind wins.
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), services));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    TcpClient c(port, "::1");
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(parse_probe(c.read_all(5s))["family"], "inet6");
    EXPECT_FALSE(TcpClient(port, "127.0.0.1").connected());
    ASSERT_TRUE(superd.wait_for_log("EXIT: probe6")) << superd.log();
    EXPECT_NE(read_file(dir.file("services.log")).find("START: probe6 pid="), std::string::npos);
    EXPECT_NE(read_file(dir.file("services.log")).find("from=::1"), std::string::npos)
        << read_file(dir.file("services.log"));
}

class Limits : public ::testing::Test {
  protected:
    void start(const std::string& limit_line, std::vector<std::string> extra = {}) {
        write_script(dir.file("sleeper"), "echo started; exec sleep 30\n");
        port = free_port(SOCK_STREAM);
        std::vector<std::string> lines{"type = UNLISTED", "socket_type = stream",
                                       "wait = no",       "port = " + std::to_string(port),
                                       as_user(),         "server = " + dir.file("sleeper")};
        if (!limit_line.empty()) lines.push_back(limit_line);
        write_file(dir.file("superd.conf"),
                   config_text(dir.file("services.log"), service_block("sleeper", lines)));
        ASSERT_TRUE(superd.start(dir.file("superd.conf"), extra)) << superd.log();
    }
    // The first client gets a server; the second is closed at once, and `reason` is logged.
    void expect_second_refused(const std::string& reason) {
        TcpClient first(port);
        ASSERT_EQ(first.read_line(), "started\n");
        TcpClient second(port);
        ASSERT_TRUE(second.connected());
        EXPECT_TRUE(second.closed_by_peer(3s));
        EXPECT_TRUE(superd.wait_for_log("FAIL: sleeper " + reason + " from=127.0.0.1"))
            << superd.log();
        // The first server was not disturbed; once it ends, a new client is served.
        superd.signal(SIGHUP); // nothing changed: nothing happens to the running server
        ASSERT_TRUE(superd.wait_for_log("Reconfigured"));
        EXPECT_FALSE(first.closed_by_peer(200ms));
    }
    TempDir dir;
    Superd superd;
    int port = 0;
};

TEST_F(Limits, Instances) {
    start("instances = 1");
    expect_second_refused("service_limit");
}

TEST_F(Limits, PerSource) {
    start("per_source = 1");
    expect_second_refused("per_source_limit");
}

TEST_F(Limits, ProcessLimitFromTheCommandLine) {
    start("", {"-limit", "1"});
    expect_second_refused("process_limit");
}

// An INTERNAL stream service is served inside superd, yet each session holds a place, as
// xinetd's forked echo/discard/chargen child does: `instances` and `per_source` limit it too
// (found by scripts/lab soak: 15 discard sessions from one address were all served under
// per_source = 10).
TEST(InternalLimits, SessionsCountAsInstances) {
    for (const auto& [line, reason] : {std::pair{"instances = 1", "service_limit"},
                                       std::pair{"per_source = 1", "per_source_limit"}}) {
        SCOPED_TRACE(line);
        TempDir dir;
        int port = free_port(SOCK_STREAM);
        write_file(dir.file("superd.conf"),
                   config_text(dir.file("services.log"),
                               service_block("discard", {"type = INTERNAL UNLISTED",
                                                         "socket_type = stream", "wait = no",
                                                         "port = " + std::to_string(port), line})));
        Superd superd;
        ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
        auto first = std::make_unique<TcpClient>(port);
        ASSERT_TRUE(first->connected());
        ASSERT_TRUE(superd.wait_for_log("START: discard")) << superd.log();
        TcpClient second(port);
        ASSERT_TRUE(second.connected());
        EXPECT_TRUE(second.closed_by_peer(3s));
        EXPECT_TRUE(superd.wait_for_log(std::string("FAIL: discard ") + reason + " from=127.0.0.1"))
            << superd.log();
        EXPECT_FALSE(first->closed_by_peer(200ms));
        // Once the first session ends, its place is free again.
        first.reset();
        ASSERT_TRUE(superd.wait_for_log("EXIT: discard")) << superd.log();
        TcpClient third(port);
        ASSERT_TRUE(third.connected());
        EXPECT_FALSE(third.closed_by_peer(500ms));
        EXPECT_TRUE(superd.wait_for_log("START: discard", 2)) << superd.log();
    }
}

TEST(Options, PidfileIsWrittenAndRemoved) {
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    write_file(
        dir.file("superd.conf"),
        config_text(dir.file("services.log"),
                    service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream",
                                           "wait = no", "port = " + std::to_string(port)})));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"), {"-pidfile", dir.file("superd.pid")}));
    EXPECT_EQ(read_file(dir.file("superd.pid")), std::to_string(superd.pid()) + "\n");
    superd.signal(SIGTERM);
    ASSERT_TRUE(superd.wait_exit());
    EXPECT_FALSE(std::filesystem::exists(dir.file("superd.pid")));
}

TEST(Options, WithNoServicesSuperdExitsUnlessToldToStayAlive) {
    TempDir dir;
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), ""));
    {
        // As a daemon without -stayalive, superd with nothing to serve exits, saying so.
        auto r = run_command(
            {superd_binary(), "-f", dir.file("superd.conf"), "-filelog", dir.file("superd.log")});
        EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1) << r.status;
        EXPECT_NE(read_file(dir.file("superd.log")).find("no services"), std::string::npos);
    }
    // -dontfork implies -stayalive (as in xinetd).
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    // A reload can then add a service.
    int port = free_port(SOCK_STREAM);
    write_file(
        dir.file("superd.conf"),
        config_text(dir.file("services.log"),
                    service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream",
                                           "wait = no", "port = " + std::to_string(port)})));
    superd.signal(SIGHUP);
    ASSERT_TRUE(superd.wait_for_log("Reconfigured: 1 service(s)")) << superd.log();
    TcpClient c(port);
    ASSERT_TRUE(c.send("x"));
    EXPECT_EQ(c.read(1), "x");
}

TEST(Options, FilelogTakesSuperdsOwnMessages) {
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    write_file(
        dir.file("superd.conf"),
        config_text(dir.file("services.log"),
                    service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream",
                                           "wait = no", "port = " + std::to_string(port)})));
    auto r = run_command(
        {"sh", "-c",
         "\"$0\" -f \"$1\" -dontfork -filelog \"$2\" --control \"$3\" & pid=$!; "
         "for i in $(seq 200); do grep -q started \"$2\" && break; sleep 0.05; done; "
         "kill -TERM $pid; wait $pid",
         superd_binary(), dir.file("superd.conf"), dir.file("superd.log"), dir.file("ctl.sock")});
    EXPECT_EQ(r.status, 0) << r.out;
    std::string log = read_file(dir.file("superd.log"));
    EXPECT_NE(log.find("started with 1 service(s)"), std::string::npos) << log;
    EXPECT_NE(log.find("Exiting"), std::string::npos) << log;
}

} // namespace
} // namespace superd::system_test
