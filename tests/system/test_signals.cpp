// Signals to the real superd: SIGHUP reloads (kept, removed, added services; a broken config
// refused), SIGTERM and SIGQUIT end it as they end xinetd.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <regex>

#include <sys/wait.h>

namespace superd::system_test {
namespace {

std::string internal(const std::string& name, int port) {
    return service_block(name,
                         {"id = " + name + "-stream", "type = INTERNAL UNLISTED",
                          "socket_type = stream", "wait = no", "port = " + std::to_string(port)});
}

std::string external(const std::string& name, int port, const std::string& server) {
    return service_block(name, {"type = UNLISTED", "socket_type = stream", "wait = no",
                                std::string("user = ") + (geteuid() == 0 ? "root" : "nobody"),
                                "port = " + std::to_string(port), "server = " + server});
}

// The pid of the last START record of `id` in the log, or -1.
pid_t started_pid(const std::string& log, const std::string& id) {
    std::regex start("START: " + id + R"( pid=(\d+))");
    pid_t pid = -1;
    for (std::sregex_iterator it(log.begin(), log.end(), start), end; it != end; ++it)
        pid = std::stoi((*it)[1]);
    return pid;
}

bool echoes(int port) {
    TcpClient c(port);
    if (!c.connected() || !c.send("ping\n")) return false;
    return c.read(5, 3s) == "ping\n";
}

class Signals : public ::testing::Test {
  protected:
    void SetUp() override {
        write_script(dir.file("sleeper"), "echo started; exec sleep 30\n");
        echo_port = free_port(SOCK_STREAM);
        sleeper_port = free_port(SOCK_STREAM);
        daytime_port = free_port(SOCK_STREAM);
    }
    void write_config(const std::string& services) {
        write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), services));
    }
    TempDir dir;
    Superd superd;
    int echo_port = 0, sleeper_port = 0, daytime_port = 0;
};

TEST_F(Signals, HangupKeepsUnchangedServicesEndsRemovedOnesAndStartsNewOnes) {
    write_config(internal("echo", echo_port) +
                 external("sleeper", sleeper_port, dir.file("sleeper")));
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();

    TcpClient sleeper(sleeper_port);
    ASSERT_TRUE(sleeper.connected());
    ASSERT_EQ(sleeper.read_line(), "started\n");
    // A connection to echo that lives across the reload.
    TcpClient across(echo_port);
    ASSERT_TRUE(across.connected());

    write_config(internal("echo", echo_port) + internal("daytime", daytime_port));
    superd.signal(SIGHUP);
    ASSERT_TRUE(superd.wait_for_log("Reconfigured: 2 service(s)")) << superd.log();

    // The removed service's server was ended (as xinetd: SIGKILL) and its port closed.
    EXPECT_TRUE(superd.wait_for_log("EXIT: sleeper signal=9")) << superd.log();
    EXPECT_TRUE(sleeper.closed_by_peer(3s));
    EXPECT_FALSE(TcpClient(sleeper_port).connected());
    // The kept service still serves, old connection and new.
    ASSERT_TRUE(across.send("kept\n"));
    EXPECT_EQ(across.read(5, 3s), "kept\n");
    EXPECT_TRUE(echoes(echo_port));
    // The new one serves.
    TcpClient day(daytime_port);
    ASSERT_TRUE(day.connected());
    EXPECT_FALSE(day.read_all(3s).empty());
}

TEST_F(Signals, HangupWithABrokenConfigKeepsTheRunningOne) {
    write_config(internal("echo", echo_port));
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    write_file(dir.file("superd.conf"), "service echo\n{\n    socket_type = stream\n    bogus\n");
    superd.signal(SIGHUP);
    ASSERT_TRUE(superd.wait_for_log("keeping the running one")) << superd.log();
    EXPECT_NE(superd.log().find(dir.file("superd.conf") + ":"), std::string::npos) << superd.log();
    EXPECT_TRUE(echoes(echo_port));
    // Fixed, it reloads again.
    write_config(internal("echo", echo_port) + internal("daytime", daytime_port));
    superd.signal(SIGHUP);
    ASSERT_TRUE(superd.wait_for_log("Reconfigured: 2 service(s)")) << superd.log();
    EXPECT_TRUE(TcpClient(daytime_port).connected());
}

TEST_F(Signals, TermEndsSuperdAndLeavesExternalServersRunning) {
    write_config(internal("echo", echo_port) +
                 external("sleeper", sleeper_port, dir.file("sleeper")));
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    TcpClient sleeper(sleeper_port);
    ASSERT_EQ(sleeper.read_line(), "started\n");
    ASSERT_TRUE(superd.wait_for_log("START: sleeper"));
    pid_t server = started_pid(superd.log(), "sleeper");
    ASSERT_GT(server, 0);

    superd.signal(SIGTERM);
    auto status = superd.wait_exit(5s);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
    EXPECT_FALSE(TcpClient(echo_port).connected());
    // The external server runs on (xinetd kills only internal and redirect servers).
    EXPECT_EQ(::kill(server, 0), 0);
    ::kill(server, SIGKILL); // the test's own grandchild: stop it by its PID
}

TEST_F(Signals, QuitEndsSuperd) {
    write_config(internal("echo", echo_port));
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    superd.signal(SIGQUIT);
    auto status = superd.wait_exit(5s);
    ASSERT_TRUE(status);
    EXPECT_TRUE(WIFEXITED(*status)) << *status;
    EXPECT_FALSE(TcpClient(echo_port).connected());
}

} // namespace
} // namespace superd::system_test
