// redirect = host port: superd relays the connection itself (no fork) to a local echo service,
// both ways, half-close honoured; TRAFFIC records count the bytes; a relay is an instance.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

namespace superd::system_test {
namespace {

std::string echo_block(int port) {
    return service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream", "wait = no",
                                  "port = " + std::to_string(port), "flags = NOLIBWRAP"});
}

std::string relay_block(const std::string& id, int port, int target,
                        std::vector<std::string> extra = {}) {
    std::vector<std::string> lines{"type = UNLISTED",
                                   "id = " + id,
                                   "socket_type = stream",
                                   "wait = no",
                                   "port = " + std::to_string(port),
                                   "redirect = 127.0.0.1 " + std::to_string(target),
                                   "log_on_success = PID HOST EXIT TRAFFIC",
                                   "user = nobody"};
    lines.insert(lines.end(), extra.begin(), extra.end());
    return service_block("relay", lines);
}

TEST(Redirect, RelaysBothWaysWithHalfCloseAndCountsTheBytes) {
    ASSERT_TRUE(have_program("/usr/bin/socat")) << "socat not installed: scripts/install-deps";
    TempDir dir;
    int echo = free_port(SOCK_STREAM), relay = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"),
                           echo_block(echo) + relay_block("relay", relay, echo)));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    std::string data;
    for (int i = 0; data.size() < 100000; ++i)
        data += "line " + std::to_string(i) + " of the relayed text\n";
    data.resize(100000);
    // socat sends it all, shuts its side down, and prints what comes back until superd closes.
    auto r = run_command({"socat", "-t", "10", "-", "TCP:127.0.0.1:" + std::to_string(relay)}, data,
                         20s);
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(r.out == data) << r.out.size() << " bytes back";
    ASSERT_TRUE(superd.wait_for_log("EXIT: relay")) << superd.log();
    std::string log = read_file(dir.file("services.log"));
    EXPECT_NE(log.find("START: relay pid=0 from=127.0.0.1"), std::string::npos) << log;
    EXPECT_NE(log.find("TRAFFIC: relay in=100000(bytes) out=100000(bytes)"), std::string::npos)
        << log;
    EXPECT_LT(log.find("TRAFFIC: relay"), log.find("EXIT: relay")) << log;
}

TEST(Redirect, ARelayIsAnInstanceAndAFailedConnectClosesTheClient) {
    TempDir dir;
    int echo = free_port(SOCK_STREAM), relay = free_port(SOCK_STREAM),
        dead = free_port(SOCK_STREAM), nowhere = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"),
                           echo_block(echo) + relay_block("relay", relay, echo, {"instances = 1"}) +
                               relay_block("relay-dead", dead, nowhere)));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    TcpClient first(relay);
    ASSERT_TRUE(first.send("one\n"));
    EXPECT_EQ(first.read(4, 3s), "one\n");
    TcpClient second(relay);
    EXPECT_TRUE(second.closed_by_peer(5s));
    EXPECT_TRUE(superd.wait_for_log("FAIL: relay service_limit from=127.0.0.1")) << superd.log();
    first.shutdown_write();
    EXPECT_EQ(first.read_all(5s), "");
    ASSERT_TRUE(superd.wait_for_log("TRAFFIC: relay in=4(bytes) out=4(bytes)")) << superd.log();
    // The place is free again.
    TcpClient third(relay);
    ASSERT_TRUE(third.send("three\n"));
    EXPECT_EQ(third.read(6, 3s), "three\n");

    TcpClient lost(dead);
    EXPECT_TRUE(lost.closed_by_peer(5s));
    EXPECT_TRUE(superd.wait_for_log("relay-dead: redirect to 127.0.0.1: connect 127.0.0.1:" +
                                    std::to_string(nowhere) + ": Connection refused"))
        << superd.log();
    EXPECT_TRUE(superd.wait_for_log("TRAFFIC: relay-dead in=0(bytes) out=0(bytes)"))
        << superd.log();
}

} // namespace
} // namespace superd::system_test
