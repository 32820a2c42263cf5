// tcp-wrappers through libwrap in the real superd: hosts.deny refusals (external and INTERNAL
// services), hosts.allow `spawn` and `twist` rules, xinetd's daemon names, NOLIBWRAP, and the
// same decisions as Debian's tcpdmatch for the same files. Every client whose name libwrap might
// look up is 127.0.0.1 (answered from /etc/hosts): no DNS query leaves the machine.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace superd::system_test {
namespace {

std::string user_line() {
    return std::string("user = ") + (geteuid() == 0 ? "nobody" : "root");
}

class Libwrap : public ::testing::Test {
  protected:
    void SetUp() override {
        ::chmod(dir.path().c_str(), 0755); // the services' user reads the tables and scripts
        write_script(dir.file("hello"), "echo hello\n");
    }
    void start(const std::string& allow, const std::string& deny, const std::string& services) {
        write_file(dir.file("hosts.allow"), allow);
        write_file(dir.file("hosts.deny"), deny);
        write_file(dir.file("superd.conf"),
                   config_text(dir.file("services.log"), services, dir.path()));
        ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    }
    std::string hello_service(const std::string& id, int port,
                              std::vector<std::string> extra = {}) {
        std::vector<std::string> lines{"type = UNLISTED",
                                       "id = " + id,
                                       "socket_type = stream",
                                       "wait = no",
                                       "port = " + std::to_string(port),
                                       user_line(),
                                       "server = " + dir.file("hello")};
        lines.insert(lines.end(), extra.begin(), extra.end());
        return service_block("hello", lines);
    }
    static std::string echo_service(const std::string& id, int port,
                                    std::vector<std::string> extra = {}) {
        std::vector<std::string> lines{"type = INTERNAL UNLISTED", "id = " + id,
                                       "socket_type = stream", "wait = no",
                                       "port = " + std::to_string(port)};
        lines.insert(lines.end(), extra.begin(), extra.end());
        return service_block("echo", lines);
    }
    static std::string fetch(int port, const std::string& source = "") {
        TcpClient c(port, "127.0.0.1", source);
        return c.connected() ? c.read_all(5s) : "<no connection>";
    }
    static bool echoes(int port, const std::string& source = "") {
        TcpClient c(port, "127.0.0.1", source);
        return c.connected() && c.send("ping\n") && c.read(5, 3s) == "ping\n";
    }
    std::string log() const { return read_file(dir.file("services.log")); }
    TempDir dir;
    Superd superd;
};

TEST_F(Libwrap, HostsDenyRefusesExternalAndInternalServices) {
    write_file(dir.file("fail"), "denied by tcp-wrappers\r\n");
    int hello = free_port(SOCK_STREAM), echo = free_port(SOCK_STREAM),
        open = free_port(SOCK_STREAM);
    start("", "hello: 127.0.0.3\necho: 127.0.0.4\n",
          hello_service("hello", hello, {"banner_fail = " + dir.file("fail")}) +
              echo_service("echo", echo) + echo_service("echo-open", open, {"flags = NOLIBWRAP"}));
    EXPECT_EQ(fetch(hello, "127.0.0.2"), "hello\n");
    EXPECT_EQ(fetch(hello, "127.0.0.3"), "denied by tcp-wrappers\r\n");
    EXPECT_TRUE(echoes(echo, "127.0.0.2"));
    EXPECT_FALSE(echoes(echo, "127.0.0.4"));
    EXPECT_TRUE(echoes(open, "127.0.0.4")); // NOLIBWRAP: not checked (and named echo too)
    ASSERT_TRUE(superd.wait_for_log("FAIL: hello libwrap from=127.0.0.3")) << superd.log();
    ASSERT_TRUE(superd.wait_for_log("FAIL: echo libwrap from=127.0.0.4")) << superd.log();
    EXPECT_EQ(count_of(log(), "FAIL:"), 2) << log();
}

TEST_F(Libwrap, SpawnRunsItsCommandAndTheServerStillRuns) {
    int hello = free_port(SOCK_STREAM);
    std::string spawned = dir.file("spawned");
    write_file(spawned, "");
    ::chmod(spawned.c_str(), 0666);
    start("hello: 127.0.0.5 : spawn /bin/echo %d %a >> " + spawned + "\n", "",
          hello_service("hello", hello));
    EXPECT_EQ(fetch(hello, "127.0.0.5"), "hello\n");
    EXPECT_EQ(read_file(spawned), "hello 127.0.0.5\n");
}

TEST_F(Libwrap, TwistAnswersInPlaceOfTheServerAndSuperdGoesOn) {
    int hello = free_port(SOCK_STREAM), echo = free_port(SOCK_STREAM);
    start("hello: 127.0.0.1 : twist /bin/echo twisted %d for %a\n"
          "echo: 127.0.0.1 : twist /bin/echo no echo today\n",
          "", hello_service("hello", hello) + echo_service("echo", echo));
    EXPECT_EQ(fetch(hello), "twisted hello for 127.0.0.1\n");
    EXPECT_EQ(fetch(echo), "no echo today\n");
    // The twist replaced only that request's child: superd serves on.
    EXPECT_EQ(fetch(echo), "no echo today\n");
    EXPECT_EQ(count_of(superd.log(), "Exiting"), 0);
}

TEST_F(Libwrap, DaemonNamesFollowXinetd) {
    // libwrap attribute > service name (INTERNAL) > NAMEINARGS argv[0] > basename of server.
    int custom = free_port(SOCK_STREAM), nameinargs = free_port(SOCK_STREAM),
        echo = free_port(SOCK_STREAM), plain = free_port(SOCK_STREAM);
    start("", "customname: ALL\nfakename: ALL\necho: ALL\nhello: ALL\n",
          hello_service("custom", custom, {"libwrap = customname"}) +
              hello_service("args", nameinargs,
                            {"flags = NAMEINARGS", "server_args = /usr/bin/fakename x"}) +
              echo_service("echo-id", echo) + hello_service("plain", plain, {"libwrap = other"}));
    EXPECT_EQ(fetch(custom, "127.0.0.2"), "");
    EXPECT_EQ(fetch(nameinargs, "127.0.0.2"), "");
    EXPECT_FALSE(echoes(echo, "127.0.0.2"));
    EXPECT_EQ(fetch(plain, "127.0.0.2"), "hello\n");
    ASSERT_TRUE(superd.wait_for_log("FAIL: echo-id libwrap", 1)) << superd.log();
    EXPECT_EQ(count_of(log(), " libwrap from=127.0.0.2"), 3) << log();
}

TEST_F(Libwrap, DecisionsAgreeWithTcpdmatch) {
    ASSERT_TRUE(have_program("/usr/sbin/tcpdmatch")) << "tcpd not installed: scripts/install-deps";
    std::string allow = "hello: 127.0.0.1\necho: 127.0.0.0/255.255.255.0 EXCEPT 127.0.0.1\n";
    std::string deny = "ALL EXCEPT other: ALL\n";
    int hello = free_port(SOCK_STREAM), echo = free_port(SOCK_STREAM),
        other = free_port(SOCK_STREAM);
    start(allow, deny,
          hello_service("hello", hello) + echo_service("echo", echo) +
              hello_service("other", other, {"libwrap = other"}));
    struct Case {
        std::string daemon;
        int port;
        bool internal;
    };
    for (const Case& c :
         {Case{"hello", hello, false}, Case{"echo", echo, true}, Case{"other", other, false}}) {
        auto r = run_command(
            {"sh", "-c", "cd " + dir.path() + " && tcpdmatch -d " + c.daemon + " 127.0.0.1"}, {},
            10s);
        ASSERT_EQ(r.status, 0) << r.out;
        bool tcpd_grants = r.out.find("access:   granted") != std::string::npos;
        bool superd_grants = c.internal ? echoes(c.port) : fetch(c.port) == "hello\n";
        EXPECT_EQ(superd_grants, tcpd_grants) << c.daemon << ": tcpdmatch says\n" << r.out;
    }
    // And what tcpdchk thinks of the files: no complaint.
    auto chk = run_command({"sh", "-c", "cd " + dir.path() + " && tcpdchk -d"}, {}, 10s);
    EXPECT_EQ(chk.status, 0) << chk.out;
}

TEST_F(Libwrap, AnUnreadableTableIsWarnedAboutAndRefusesEveryone) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: the service runs as nobody";
    TempDir hidden; // 0700, root's: nobody cannot even reach the tables
    write_file(hidden.file("hosts.allow"), "ALL: ALL\n");
    write_file(hidden.file("hosts.deny"), "");
    int hello = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"), hello_service("hello", hello), hidden.path()));
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    EXPECT_NE(superd.log().find("hello: its user nobody cannot read " + hidden.file("hosts.allow")),
              std::string::npos)
        << superd.log();
    EXPECT_EQ(fetch(hello), "");
    EXPECT_TRUE(superd.wait_for_log("FAIL: hello libwrap from=127.0.0.1")) << superd.log();
}

TEST_F(Libwrap, InternalDatagramServicesAreCheckedToo) {
    int echo = free_port(SOCK_DGRAM), daytime = free_port(SOCK_DGRAM);
    auto dgram = [](const std::string& name, int port) {
        return service_block(name, {"type = INTERNAL UNLISTED", "id = " + name + "-dgram",
                                    "socket_type = dgram", "wait = yes",
                                    "port = " + std::to_string(port)});
    };
    start("", "echo: 127.0.0.1\n", dgram("echo", echo) + dgram("daytime", daytime));
    EXPECT_EQ(udp_exchange(echo, "hello", 1s), std::nullopt);
    EXPECT_TRUE(superd.wait_for_log("FAIL: echo-dgram libwrap from=127.0.0.1")) << superd.log();
    EXPECT_TRUE(udp_exchange(daytime, "what time is it", 3s).has_value());
    EXPECT_EQ(count_of(log(), "START: echo-dgram"), 0) << log();
}

TEST_F(Libwrap, EditsToTheTablesCountFromTheNextRequest) {
    // Comments only (as Debian ships them): everyone is let in, without asking libwrap.
    int hello = free_port(SOCK_STREAM);
    start("# hosts.allow\n\n", "# hosts.deny\n   # nothing here\n", hello_service("hello", hello));
    EXPECT_EQ(fetch(hello), "hello\n");
    write_file(dir.file("hosts.deny"), "# hosts.deny\nhello: 127.0.0.1\n");
    EXPECT_EQ(fetch(hello), "");
    EXPECT_TRUE(superd.wait_for_log("FAIL: hello libwrap from=127.0.0.1")) << superd.log();
    write_file(dir.file("hosts.deny"), "");
    EXPECT_EQ(fetch(hello), "hello\n");
}

TEST_F(Libwrap, AfterTheCheckTheServerGetsWhatTheBlockSays) {
    // A table with a rule: the child is forked (not cloned) and asks libwrap first.
    int port = free_port(SOCK_STREAM);
    start("probe: ALL\n", "",
          service_block("probe", {"type = UNLISTED", "socket_type = stream", "wait = no",
                                  "port = " + std::to_string(port),
                                  "server = " + helper_binary("probe_server"), user_line(),
                                  "umask = 027", "nice = 3"}));
    std::string out = fetch(port);
    for (const char* want : {"fds=none\n", "sigblk=0000000000000000\n", "sigign=0000000000000000\n",
                             "session_leader=yes\n", "umask=027\n", "nice=3\n"})
        EXPECT_NE(out.find(want), std::string::npos) << want << " in\n" << out;
}

} // namespace
} // namespace superd::system_test
