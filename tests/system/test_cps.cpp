// cps: more connections per second than allowed closes the listening socket for the given
// seconds (clients are refused), then superd opens it again; a flood on one service does not
// starve another.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace superd::system_test {
namespace {

std::string echo_block(const std::string& id, int port, const std::string& cps) {
    return service_block("echo", {"type = INTERNAL UNLISTED", "id = " + id, "socket_type = stream",
                                  "wait = no", "port = " + std::to_string(port), "cps = " + cps,
                                  "flags = NOLIBWRAP"});
}

TEST(Cps, ClosesThePortThenOpensItAgain) {
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"), echo_block("echo", port, "10 2")));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    for (int i = 0; i < 30 && count_of(superd.log(), "Deactivating") == 0; ++i)
        TcpClient c(port);
    ASSERT_TRUE(superd.wait_for_log("Deactivating service echo due to excessive incoming "
                                    "connections.  Restarting in 2 seconds."))
        << superd.log();
    TcpClient refused(port);
    EXPECT_FALSE(refused.connected()); // the socket is closed: connection refused
    ASSERT_TRUE(superd.wait_for_log("Activating service echo", 1, 5s)) << superd.log();
    TcpClient back(port);
    ASSERT_TRUE(back.send("again\n"));
    EXPECT_EQ(back.read(6, 3s), "again\n");
    EXPECT_TRUE(superd.wait_for_log("FAIL: echo connections per second from=127.0.0.1"));
}

TEST(Cps, AFloodOnOneServiceLeavesAnotherAnswering) {
    TempDir dir;
    int flooded = free_port(SOCK_STREAM), other = free_port(SOCK_STREAM);
    write_file(dir.file("superd.conf"),
               config_text(dir.file("services.log"), echo_block("flooded", flooded, "100 1") +
                                                         echo_block("other", other, "200 5")));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    std::atomic<bool> flooding{true};
    std::atomic<int> attempts{0};
    std::thread flood([&] {
        // 2,000 connections from one source at 500 a second, five times the service's cps:
        // it is shut, re-opened and shut again all along (refused connects count too).
        for (int i = 0; i < 2000; ++i) {
            TcpClient c(flooded, "127.0.0.1", "127.0.0.2");
            ++attempts;
            std::this_thread::sleep_for(2ms);
        }
        flooding = false;
    });
    int answered = 0, asked = 0;
    while (flooding) { // round trips from another source meanwhile
        TcpClient c(other, "127.0.0.1", "127.0.0.3");
        ++asked;
        if (c.send("ping\n") && c.read(5, 3s) == "ping\n") ++answered;
        std::this_thread::sleep_for(20ms);
    }
    flood.join();
    EXPECT_EQ(attempts.load(), 2000);
    EXPECT_GT(asked, 20);
    EXPECT_EQ(answered, asked);
    EXPECT_TRUE(superd.wait_for_log("Activating service flooded")) << superd.log();
    EXPECT_GE(count_of(superd.log(), "Deactivating service flooded"), 2) << superd.log();
    EXPECT_EQ(count_of(superd.log(), "Deactivating service other"), 0);
}

} // namespace
} // namespace superd::system_test
