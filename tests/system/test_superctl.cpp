// superctl against the real superd: status (text and JSON) before and after traffic, reload
// (accepted and refused), dump (and SIGUSR1's dump file), and the control socket's mode.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <csignal>

#include <sys/stat.h>

namespace superd::system_test {
namespace {

std::string superctl() {
    std::string bin = superd_binary();
    return bin.substr(0, bin.rfind('/')) + "/superctl";
}

std::string services(int echo, int slow) {
    return service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream", "wait = no",
                                  "port = " + std::to_string(echo), "no_access = 127.0.0.9"}) +
           service_block("slow", {"type = UNLISTED", "socket_type = stream", "wait = no",
                                  "port = " + std::to_string(slow), "user = root",
                                  "server = /bin/sleep", "server_args = 30"});
}

TEST(Superctl, StatusReloadAndDump) {
    TempDir dir;
    int echo = free_port(SOCK_STREAM), slow = free_port(SOCK_STREAM);
    std::string sock = dir.file("ctl.sock");
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"), services(echo, slow)));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"), {"--control", sock})) << superd.log();

    struct stat st {};
    ASSERT_EQ(::stat(sock.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);

    auto before = run_command({superctl(), "-s", sock, "status"});
    EXPECT_EQ(before.status, 0) << before.out;
    EXPECT_NE(before.out.find("2 service(s), 0 server(s) running"), std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("echo: listening, stream/tcp port " + std::to_string(echo)),
              std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("started 0, refused 0"), std::string::npos) << before.out;

    {
        TcpClient c(echo);
        ASSERT_TRUE(c.send("x\n"));
        EXPECT_EQ(c.read(2), "x\n");
    }
    TcpClient refused(echo, "127.0.0.1", "127.0.0.9");
    EXPECT_TRUE(refused.closed_by_peer());
    TcpClient sleeper(slow);
    ASSERT_TRUE(superd.wait_for_log("START: slow")) << superd.log();
    ASSERT_TRUE(superd.wait_for_log("EXIT: echo")) << superd.log();

    auto after = run_command({superctl(), "-s", sock, "status"});
    EXPECT_EQ(after.status, 0) << after.out;
    EXPECT_NE(after.out.find("1 server(s) running"), std::string::npos) << after.out;
    EXPECT_NE(after.out.find("started 1, refused 1 (address 1)"), std::string::npos) << after.out;
    EXPECT_NE(after.out.find("from 127.0.0.1, age "), std::string::npos) << after.out;

    auto json = run_command({superctl(), "-s", sock, "--json", "status"});
    EXPECT_EQ(json.status, 0) << json.out;
    EXPECT_EQ(json.out.front(), '{') << json.out;
    EXPECT_NE(json.out.find("\"id\":\"echo\""), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"refused\":{\"address\":1}"), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"servers\":[{\"pid\":"), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"state\":\"listening\""), std::string::npos) << json.out;

    auto dump = run_command({superctl(), "-s", sock, "dump"});
    EXPECT_EQ(dump.status, 0);
    EXPECT_NE(dump.out.find("Service = slow"), std::string::npos) << dump.out;
    EXPECT_NE(dump.out.find("\tno_access 127.0.0.9"), std::string::npos) << dump.out;
    superd.signal(SIGUSR1);
    ASSERT_TRUE(superd.wait_for_log("state dumped to " + dir.file("ctl.dump"))) << superd.log();
    EXPECT_NE(read_file(dir.file("ctl.dump")).find("Service = echo"), std::string::npos);

    // A broken config is refused with its errors; a good one is taken.
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"), services(echo, slow) +
                                                         "service bad\n{\n"
                                                         "\tsocket_type = raw\n}\n"));
    auto bad = run_command({superctl(), "-s", sock, "reload"});
    EXPECT_NE(bad.status, 0);
    EXPECT_NE(bad.out.find("refused: "), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find("superd.conf:"), std::string::npos) << bad.out;
    write_file(
        dir.file("superd.conf"),
        config_text(dir.file("services.log"),
                    service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream",
                                           "wait = no", "port = " + std::to_string(echo)})));
    auto good = run_command({superctl(), "-s", sock, "reload"});
    EXPECT_EQ(good.status, 0) << good.out;
    EXPECT_EQ(good.out, "reloaded: 1 service(s)\n");
    auto last = run_command({superctl(), "-s", sock, "status"});
    EXPECT_NE(last.out.find("1 service(s)"), std::string::npos) << last.out;
    EXPECT_EQ(last.out.find("slow:"), std::string::npos) << last.out;
}

TEST(Superctl, NoSuperdIsAClearError) {
    TempDir dir;
    auto r = run_command({superctl(), "-s", dir.file("none.sock"), "status"});
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.out.find("cannot connect to " + dir.file("none.sock")), std::string::npos) << r.out;
}

} // namespace
} // namespace superd::system_test
