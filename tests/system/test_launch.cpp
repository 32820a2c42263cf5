// The launch modes of the real superd: stream nowait, stream wait, dgram wait (no datagram
// lost), and a real inetd-style server from Debian (in.tftpd) fetched from with tftp.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <regex>
#include <set>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

namespace superd::system_test {
namespace {

std::string user_line() {
    return std::string("user = ") + (geteuid() == 0 ? "root" : "nobody");
}

TEST(Launch, StreamNowaitGivesTheServerTheConnectionArgsAndEnvironment) {
    TempDir dir;
    ::chmod(dir.path().c_str(), 0755); // readable by the service's user
    write_script(dir.file("show"), "echo \"args=$*\"\n"
                                   "echo \"host=$REMOTE_HOST\"\n"
                                   "echo \"greeting=$GREETING\"\n"
                                   "echo \"user=$(id -un)\"\n"
                                   "read line; echo \"got=$line\"\n");
    int port = free_port(SOCK_STREAM);
    std::string services = service_block(
        "show", {"type = UNLISTED", "socket_type = stream", "protocol = tcp", "wait = no",
                 "port = " + std::to_string(port), geteuid() == 0 ? "user = nobody" : user_line(),
                 "server = " + dir.file("show"), "server_args = one two", "env = GREETING=hi"});
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), services));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();

    TcpClient c(port);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send("ping\n"));
    EXPECT_EQ(c.read_all(5s), "args=one two\nhost=127.0.0.1\ngreeting=hi\nuser=nobody\ngot=ping\n");

    ASSERT_TRUE(superd.wait_for_log("EXIT: show")) << superd.log();
    std::string log = read_file(dir.file("services.log"));
    EXPECT_TRUE(std::regex_search(log, std::regex(R"(: START: show pid=\d+ from=127\.0\.0\.1\n)")))
        << log;
    EXPECT_TRUE(std::regex_search(
        log, std::regex(R"(: EXIT: show status=0 pid=\d+ duration=\d+\(sec\)\n)")))
        << log;
}

TEST(Launch, StreamNowaitServesConcurrentClientsEachWithItsOwnServer) {
    TempDir dir;
    write_script(dir.file("pid"), "echo $$; sleep 0.3\n");
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"),
                           service_block("pid", {"type = UNLISTED", "socket_type = stream",
                                                 "wait = no", "port = " + std::to_string(port),
                                                 user_line(), "server = " + dir.file("pid")})));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    std::vector<std::unique_ptr<TcpClient>> clients;
    for (int i = 0; i < 8; ++i)
        clients.push_back(std::make_unique<TcpClient>(port));
    std::set<std::string> pids;
    for (auto& c : clients) {
        ASSERT_TRUE(c->connected());
        pids.insert(c->read_line(5s));
    }
    EXPECT_EQ(pids.size(), 8u);
    EXPECT_TRUE(superd.wait_for_log("EXIT: pid", 8)) << superd.log();
}

TEST(Launch, StreamWaitHandsTheListeningSocketOverAndTakesItBack) {
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(
                   dir.file("services.log"),
                   service_block("waiter", {"type = UNLISTED", "socket_type = stream", "wait = yes",
                                            "port = " + std::to_string(port), user_line(),
                                            "server = " + helper_binary("stream_wait_server"),
                                            "server_args = 500"})));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();

    // Connections while the server runs all go to that one server.
    std::regex line(R"(wait-server pid=(\d+) n=(\d+)\n)");
    std::string first_pid;
    for (int i = 1; i <= 3; ++i) {
        TcpClient c(port);
        ASSERT_TRUE(c.connected());
        std::string got = c.read_all(3s);
        std::smatch m;
        ASSERT_TRUE(std::regex_match(got, m, line)) << got;
        if (i == 1) first_pid = m[1];
        EXPECT_EQ(m[1], first_pid);
        EXPECT_EQ(m[2], std::to_string(i));
    }
    // It exits when idle; superd watches the socket again and starts a new one.
    ASSERT_TRUE(superd.wait_for_log("EXIT: waiter")) << superd.log();
    TcpClient c(port);
    ASSERT_TRUE(c.connected());
    std::smatch m;
    std::string got = c.read_all(3s);
    ASSERT_TRUE(std::regex_match(got, m, line)) << got;
    EXPECT_NE(m[1], first_pid);
    EXPECT_EQ(m[2], "1");
}

class DgramWait : public ::testing::Test {
  protected:
    void start(const std::string& server_args) {
        port = free_port(SOCK_DGRAM);
        write_file(
            dir.file("superd.conf"),
            config_text(dir.file("services.log"),
                        service_block("oneshot",
                                      {"type = UNLISTED", "socket_type = dgram", "protocol = udp",
                                       "wait = yes", "port = " + std::to_string(port), user_line(),
                                       "server = " + helper_binary("udp_oneshot_server"),
                                       "server_args = " + server_args})));
        ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    }
    TempDir dir;
    Superd superd;
    int port = 0;
};

TEST_F(DgramWait, SequentialRequestsAreAllAnswered) {
    start("0");
    for (int i = 0; i < 20; ++i) {
        std::string q = "q" + std::to_string(i);
        EXPECT_EQ(udp_exchange(port, q, 3s), "re:" + q);
    }
}

TEST_F(DgramWait, DatagramsQueuedWhileTheServerRunsAreNotDiscarded) {
    // Each server takes 50 ms: the burst queues behind the first one. xinetd drains the queue
    // when its server exits and so answers about half; superd must answer every request.
    start("50");
    constexpr int burst = 10;
    std::atomic<int> answered = 0;
    std::vector<std::thread> clients;
    for (int i = 0; i < burst; ++i)
        clients.emplace_back([&, i] {
            std::string q = "burst" + std::to_string(i);
            if (udp_exchange(port, q, 5s) == "re:" + q) ++answered;
        });
    for (auto& t : clients)
        t.join();
    EXPECT_EQ(answered.load(), burst);
    EXPECT_TRUE(superd.wait_for_log("EXIT: oneshot", burst)) << superd.log();
    EXPECT_EQ(count_of(read_file(dir.file("services.log")), "START: oneshot"), burst);
}

TEST(Launch, TftpFetchesFromInTftpdUnderDgramWait) {
    if (!have_program("/usr/sbin/in.tftpd") || !have_program("/usr/bin/tftp"))
        FAIL() << "tftpd-hpa / tftp-hpa not installed: scripts/install-deps";
    if (geteuid() != 0) GTEST_SKIP() << "in.tftpd -s needs root (chroot)";
    TempDir dir;
    ::chmod(dir.path().c_str(), 0755);
    std::string root = dir.file("srv");
    ::mkdir(root.c_str(), 0755);
    std::string content;
    for (int i = 0; i < 3000; ++i)
        content += "line " + std::to_string(i) + " of a boot file\n";
    write_file(root + "/pxelinux.0", content);
    ::chmod((root + "/pxelinux.0").c_str(), 0644);
    int port = free_port(SOCK_DGRAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"),
                           service_block("tftp", {"type = UNLISTED", "socket_type = dgram",
                                                  "protocol = udp", "wait = yes", "user = root",
                                                  "port = " + std::to_string(port),
                                                  "server = /usr/sbin/in.tftpd",
                                                  "server_args = -s " + root + " -t 1"})));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    for (int round = 0; round < 2; ++round) {
        std::string out = dir.file("fetched" + std::to_string(round));
        auto r = run_command({"tftp", "-m", "octet", "127.0.0.1", std::to_string(port), "-c", "get",
                              "pxelinux.0", out},
                             {}, 20s);
        EXPECT_EQ(r.status, 0) << r.out << superd.log();
        EXPECT_TRUE(read_file(out) == content) << "round " << round << ": " << r.out;
        if (round == 0) {
            // Let in.tftpd time out (-t 1) so the second fetch starts a new one.
            EXPECT_TRUE(superd.wait_for_log("EXIT: tftp", 1, 10s)) << superd.log();
        }
    }
    // A missing file is tftp's error, not a hang.
    auto r = run_command(
        {"tftp", "127.0.0.1", std::to_string(port), "-c", "get", "nosuch", dir.file("nosuch")}, {},
        20s);
    EXPECT_NE(r.out.find("File not found"), std::string::npos) << r.out;
}

TEST(Launch, AServerThatCannotBeStartedIsLoggedWithTheReason) {
    TempDir dir;
    write_script(dir.file("gone"), "echo never\n");
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"),
                           service_block("gone", {"type = UNLISTED", "socket_type = stream",
                                                  "wait = no", "port = " + std::to_string(port),
                                                  user_line(), "server = " + dir.file("gone")})));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    ::unlink(dir.file("gone").c_str()); // removed after superd checked it
    TcpClient c(port);
    ASSERT_TRUE(c.connected());
    EXPECT_EQ(c.read_all(5s), "");
    ASSERT_TRUE(superd.wait_for_log("EXIT: gone")) << superd.log();
    EXPECT_NE(superd.log().find("gone: cannot start " + dir.file("gone") +
                                ": execve: No such file or directory"),
              std::string::npos)
        << superd.log();
    EXPECT_NE(read_file(dir.file("services.log")).find("EXIT: gone status=127"), std::string::npos);
    // superd goes on serving.
    TcpClient again(port);
    EXPECT_TRUE(again.connected());
}

} // namespace
} // namespace superd::system_test
