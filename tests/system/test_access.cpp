// Access control of the real superd: only_from / no_access by source address (clients bind to
// 127.0.0.2, 127.0.0.3 …), names through the reverse lookup (answered from /etc/hosts, never
// from DNS), access_times (across midnight too), banners, and SENSOR's deny list.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <ctime>

#include <sys/stat.h>

namespace superd::system_test {
namespace {

std::string user_line() {
    return std::string("user = ") + (geteuid() == 0 ? "nobody" : "root");
}

// "H:MM" of the local time `minutes` from now (mod one day).
std::string clock_in(int minutes) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    int m = ((tm.tm_hour * 60 + tm.tm_min + minutes) % 1440 + 1440) % 1440;
    return std::to_string(m / 60) + ":" + (m % 60 < 10 ? "0" : "") + std::to_string(m % 60);
}

class Access : public ::testing::Test {
  protected:
    void start(const std::string& services) {
        ::chmod(dir.path().c_str(), 0755);
        write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), services));
        ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    }
    std::string log() const { return read_file(dir.file("services.log")); }
    // echo through the service from `source`: true when it answered.
    static bool echoes(int port, const std::string& source) {
        TcpClient c(port, "127.0.0.1", source);
        if (!c.connected() || !c.send("ping\n")) return false;
        return c.read(5, 3s) == "ping\n";
    }
    TempDir dir;
    Superd superd;
};

TEST_F(Access, OnlyFromAndNoAccessBySourceAddress) {
    int port = free_port(SOCK_STREAM);
    start(service_block("echo",
                        {"type = INTERNAL UNLISTED", "socket_type = stream", "wait = no",
                         "port = " + std::to_string(port),
                         "only_from = 127.0.0.2 127.0.0.3 127.0.{5,6}", "no_access = 127.0.0.3"}));
    EXPECT_TRUE(echoes(port, "127.0.0.2"));
    EXPECT_TRUE(echoes(port, "127.0.6.1")); // factorized: 127.0.6.0/24
    EXPECT_FALSE(echoes(port, "127.0.0.1"));
    EXPECT_FALSE(echoes(port, "127.0.0.3")); // in both lists: denied
    ASSERT_TRUE(superd.wait_for_log("FAIL: echo address from=127.0.0.3")) << superd.log();
    EXPECT_NE(superd.log().find("echo: 127.0.0.3 is in both only_from and no_access"),
              std::string::npos);
    EXPECT_EQ(count_of(log(), "FAIL: echo address from=127.0.0.1"), 1) << log();
    EXPECT_EQ(count_of(log(), "START: echo"), 2) << log();
}

TEST_F(Access, RefusedClientsGetBannerFailAndNoServer) {
    write_file(dir.file("banner"), "Welcome to the lab\r\n");
    write_file(dir.file("ok"), "access granted\r\n");
    write_file(dir.file("no"), "go away\r\n");
    write_script(dir.file("hello"), "echo hello\n");
    int port = free_port(SOCK_STREAM);
    start(service_block(
        "hello", {"type = UNLISTED", "socket_type = stream", "wait = no",
                  "port = " + std::to_string(port), user_line(), "server = " + dir.file("hello"),
                  "no_access = 127.0.0.4", "banner = " + dir.file("banner"),
                  "banner_success = " + dir.file("ok"), "banner_fail = " + dir.file("no")}));
    {
        TcpClient c(port, "127.0.0.1", "127.0.0.5");
        EXPECT_EQ(c.read_all(5s), "Welcome to the lab\r\naccess granted\r\nhello\n");
    }
    {
        TcpClient c(port, "127.0.0.1", "127.0.0.4");
        EXPECT_EQ(c.read_all(5s), "Welcome to the lab\r\ngo away\r\n");
    }
    ASSERT_TRUE(superd.wait_for_log("FAIL: hello address from=127.0.0.4")) << superd.log();
    EXPECT_EQ(count_of(log(), "START: hello"), 1) << log();
}

TEST_F(Access, NamesComeFromTheReverseLookup) {
    // 127.0.0.1 is "localhost" in /etc/hosts: no DNS query is made for it.
    int named = free_port(SOCK_STREAM), other = free_port(SOCK_STREAM);
    start(service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream", "wait = no",
                                 "port = " + std::to_string(named), "only_from = localhost"}) +
          service_block("echo", {"type = INTERNAL UNLISTED", "id = echo-domain",
                                 "socket_type = stream", "wait = no",
                                 "port = " + std::to_string(other), "only_from = .lab.invalid"}));
    EXPECT_TRUE(echoes(named, "127.0.0.1"));
    EXPECT_FALSE(echoes(other, "127.0.0.1"));
    EXPECT_TRUE(superd.wait_for_log("FAIL: echo-domain address from=127.0.0.1")) << superd.log();
}

TEST_F(Access, AccessTimesAcrossMidnightAndOutside) {
    int open_port = free_port(SOCK_STREAM), closed_port = free_port(SOCK_STREAM);
    // Open: every minute but the five from now+6 on, written as an interval that wraps
    // past midnight (start after end; in the ten minutes before midnight it does not need
    // to). Closed: only those five minutes.
    std::string wrap = clock_in(11) + "-" + clock_in(5);
    std::string later = clock_in(6) + "-" + clock_in(10);
    start(service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream", "wait = no",
                                 "port = " + std::to_string(open_port), "access_times = " + wrap}) +
          service_block("echo",
                        {"type = INTERNAL UNLISTED", "id = echo-later", "socket_type = stream",
                         "wait = no", "port = " + std::to_string(closed_port),
                         "access_times = " + later}));
    EXPECT_TRUE(echoes(open_port, "")) << wrap;
    EXPECT_FALSE(echoes(closed_port, "")) << later;
    EXPECT_TRUE(superd.wait_for_log("FAIL: echo-later time from=127.0.0.1")) << superd.log();
}

TEST_F(Access, SensorPutsItsCallersOnTheDenyList) {
    int trap = free_port(SOCK_STREAM), port = free_port(SOCK_STREAM);
    start(service_block("trap", {"type = UNLISTED", "flags = SENSOR", "socket_type = stream",
                                 "wait = no", "port = " + std::to_string(trap), "deny_time = 5"}) +
          service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = stream", "wait = no",
                                 "port = " + std::to_string(port)}));
    EXPECT_TRUE(echoes(port, "127.0.0.7"));
    {
        TcpClient c(trap, "127.0.0.1", "127.0.0.7");
        ASSERT_TRUE(c.connected()) << superd.log();
        ASSERT_TRUE(superd.wait_for_log("sensor: 127.0.0.7 denied for 5 minute(s)"))
            << superd.log();
    }
    EXPECT_FALSE(echoes(port, "127.0.0.7"));
    EXPECT_TRUE(echoes(port, "127.0.0.8"));
    EXPECT_TRUE(superd.wait_for_log("FAIL: echo address from=127.0.0.7")) << superd.log();
}

TEST_F(Access, RefusedDatagramsAreDroppedAndLogged) {
    int builtin = free_port(SOCK_DGRAM), external = free_port(SOCK_DGRAM),
        open = free_port(SOCK_DGRAM);
    start(service_block("echo", {"type = INTERNAL UNLISTED", "socket_type = dgram", "wait = yes",
                                 "port = " + std::to_string(builtin), "only_from = 127.0.0.2"}) +
          service_block("oneshot", {"type = UNLISTED", "socket_type = dgram", "wait = yes",
                                    "port = " + std::to_string(external), user_line(),
                                    "server = " + helper_binary("udp_oneshot_server"),
                                    "no_access = 127.0.0.0/8"}) +
          service_block("oneshot-open", {"type = UNLISTED", "socket_type = dgram", "wait = yes",
                                         "port = " + std::to_string(open), user_line(),
                                         "server = " + helper_binary("udp_oneshot_server")}));
    EXPECT_EQ(udp_exchange(builtin, "one", 1s), std::nullopt);
    EXPECT_EQ(udp_exchange(external, "two", 1s), std::nullopt);
    EXPECT_TRUE(superd.wait_for_log("FAIL: echo address from=127.0.0.1")) << superd.log();
    EXPECT_TRUE(superd.wait_for_log("FAIL: oneshot address from=127.0.0.1")) << superd.log();
    EXPECT_EQ(count_of(log(), "START: oneshot pid"), 0) << log();
    // The refused datagram was consumed: the service still answers nobody, and does not spin.
    EXPECT_EQ(udp_exchange(external, "three", 1s), std::nullopt);
    EXPECT_TRUE(superd.wait_for_log("FAIL: oneshot address", 2)) << superd.log();
    EXPECT_TRUE(udp_exchange(open, "four", 3s).has_value());
}

} // namespace
} // namespace superd::system_test
