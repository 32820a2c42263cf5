// The INTERNAL services of the real superd, byte for byte, over TCP and UDP on 127.0.0.1.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <regex>
#include <thread>

namespace superd::system_test {
namespace {

class Internal : public ::testing::Test {
  protected:
    void SetUp() override {
        for (auto* p : {&echo_t, &discard_t, &chargen_t, &daytime_t, &time_t_, &tcpmux})
            *p = free_port(SOCK_STREAM);
        for (auto* p : {&echo_u, &discard_u, &chargen_u, &daytime_u, &time_u})
            *p = free_port(SOCK_DGRAM);
        std::string services;
        auto internal = [&](const std::string& name, const std::string& type, int port) {
            bool dgram = type == "dgram";
            services += service_block(
                name, {"id = " + name + "-" + type, "type = INTERNAL UNLISTED",
                       "socket_type = " + type, dgram ? "protocol = udp" : "protocol = tcp",
                       dgram ? "wait = yes" : "wait = no", "port = " + std::to_string(port)});
        };
        internal("echo", "stream", echo_t);
        internal("echo", "dgram", echo_u);
        internal("discard", "stream", discard_t);
        internal("discard", "dgram", discard_u);
        internal("chargen", "stream", chargen_t);
        internal("chargen", "dgram", chargen_u);
        internal("daytime", "stream", daytime_t);
        internal("daytime", "dgram", daytime_u);
        internal("time", "stream", time_t_);
        internal("time", "dgram", time_u);
        internal("tcpmux", "stream", tcpmux);
        write_script(dir.file("hello"), "echo hello from $1\n");
        services +=
            service_block("hello", {"type = TCPMUX", "socket_type = stream", "wait = no",
                                    "user = " + std::string(geteuid() == 0 ? "root" : "nobody"),
                                    "server = " + dir.file("hello"), "server_args = mux"});
        services += service_block(
            "greet", {"type = TCPMUXPLUS", "socket_type = stream", "wait = no", "user = root",
                      "server = " + dir.file("hello"), "server_args = muxplus"});
        write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), services));
        ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    }

    TempDir dir;
    Superd superd;
    int echo_t, discard_t, chargen_t, daytime_t, time_t_, tcpmux;
    int echo_u, discard_u, chargen_u, daytime_u, time_u;
};

// The chargen line `k` of a fresh session: 72 characters of the ring '!'..'}' starting k
// characters along (the ring restarts after 95 lines), then CRLF.
std::string chargen_line(int k) {
    std::string line;
    int start = k % 95;
    for (int i = 0; i < 72; ++i)
        line.push_back(static_cast<char>('!' + (start + i) % 93));
    return line + "\r\n";
}

std::uint32_t be32(const std::string& s) {
    return (std::uint32_t(std::uint8_t(s[0])) << 24) | (std::uint32_t(std::uint8_t(s[1])) << 16) |
           (std::uint32_t(std::uint8_t(s[2])) << 8) | std::uint32_t(std::uint8_t(s[3]));
}

TEST_F(Internal, EchoStreamReturnsEveryByteUntilTheClientCloses) {
    TcpClient c(echo_t);
    ASSERT_TRUE(c.connected());
    std::string payload;
    for (int i = 0; i < 100000; ++i)
        payload.push_back(static_cast<char>(i * 7));
    std::string got;
    std::thread writer([&] {
        c.send(payload);
        c.shutdown_write();
    });
    got = c.read_all(5s);
    writer.join();
    EXPECT_EQ(got.size(), payload.size());
    EXPECT_TRUE(got == payload);
}

TEST_F(Internal, EchoDatagramComesBackUnchanged) {
    std::string payload("binary\0data\xff", 12);
    EXPECT_EQ(udp_exchange(echo_u, payload), payload);
}

TEST_F(Internal, DiscardStreamSendsNothingAndClosesAfterTheClient) {
    TcpClient c(discard_t);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send(std::string(50000, 'x')));
    c.shutdown_write();
    EXPECT_EQ(c.read_all(3s), "");
}

TEST_F(Internal, DiscardDatagramGetsNoAnswer) {
    EXPECT_FALSE(udp_exchange(discard_u, "anything", 300ms));
    // superd is still serving.
    EXPECT_EQ(udp_exchange(echo_u, "still"), "still");
}

TEST_F(Internal, ChargenStreamSendsTheRotatingRing) {
    TcpClient c(chargen_t);
    ASSERT_TRUE(c.connected());
    const int lines = 200; // past the ring's restart after 95 lines
    std::string got = c.read(74 * lines, 5s);
    ASSERT_EQ(got.size(), 74u * lines);
    EXPECT_EQ(got.substr(0, 74),
              "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh\r\n");
    for (int k = 0; k < lines; ++k)
        ASSERT_EQ(got.substr(74 * k, 74), chargen_line(k)) << "line " << k;
}

TEST_F(Internal, ChargenDatagramIsLinesFilling1024Bytes) {
    auto got = udp_exchange(chargen_u, "x");
    ASSERT_TRUE(got);
    // 13 whole lines (962 bytes), then a last line shortened to the 62 bytes left.
    ASSERT_EQ(got->size(), 1024u);
    for (int k = 0; k < 13; ++k)
        EXPECT_EQ(got->substr(74 * k, 74), chargen_line(k));
    EXPECT_EQ(got->substr(962), chargen_line(13).substr(0, 60) + "\r\n");
}

TEST_F(Internal, DaytimeIsXinetdsFormat) {
    const std::regex format(R"(\d\d (JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC) \d{4} )"
                            R"(\d\d:\d\d:\d\d \S+\r\n)");
    TcpClient c(daytime_t);
    ASSERT_TRUE(c.connected());
    std::string stream = c.read_all(3s);
    EXPECT_TRUE(std::regex_match(stream, format)) << stream;
    auto dgram = udp_exchange(daytime_u, "x");
    ASSERT_TRUE(dgram);
    EXPECT_TRUE(std::regex_match(*dgram, format)) << *dgram;
}

TEST_F(Internal, TimeIsSecondsSince1900BigEndian) {
    constexpr std::uint32_t since_1900 = 2208988800u;
    TcpClient c(time_t_);
    ASSERT_TRUE(c.connected());
    std::string stream = c.read_all(3s);
    ASSERT_EQ(stream.size(), 4u);
    auto now = static_cast<std::uint32_t>(std::time(nullptr) + since_1900);
    EXPECT_LE(now - be32(stream), 2u);
    auto dgram = udp_exchange(time_u, "x");
    ASSERT_TRUE(dgram);
    ASSERT_EQ(dgram->size(), 4u);
    EXPECT_LE(static_cast<std::uint32_t>(std::time(nullptr) + since_1900) - be32(*dgram), 2u);
}

TEST_F(Internal, TcpmuxStartsTheNamedServiceWithoutATrailingNul) {
    {
        TcpClient c(tcpmux);
        ASSERT_TRUE(c.connected());
        ASSERT_TRUE(c.send("GREET\r\n")); // names are case-insensitive
        EXPECT_EQ(c.read_all(3s), "+Go\r\nhello from muxplus\n");
    }
    {
        // A TCPMUX (not PLUS) server answers the "+Go" itself; superd sends nothing.
        TcpClient c(tcpmux);
        ASSERT_TRUE(c.connected());
        ASSERT_TRUE(c.send("hello\r\n"));
        EXPECT_EQ(c.read_all(3s), "hello from mux\n");
    }
    {
        TcpClient c(tcpmux);
        ASSERT_TRUE(c.connected());
        ASSERT_TRUE(c.send("nosuch\r\n"));
        EXPECT_EQ(c.read_all(3s), "-Service name not found\r\n");
    }
}

TEST_F(Internal, TcpmuxNameMayArriveInPieces) {
    TcpClient c(tcpmux);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.send("gr"));
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(c.send("eet\r"));
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(c.send("\n"));
    EXPECT_EQ(c.read_all(3s), "+Go\r\nhello from muxplus\n");
}

TEST_F(Internal, SocatTalksToEcho) {
    ASSERT_TRUE(have_program("/usr/bin/socat")) << "socat not installed: scripts/install-deps";
    auto r = run_command({"socat", "-T", "3", "-", "TCP:127.0.0.1:" + std::to_string(echo_t)},
                         "one line\nand another\n");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(r.out, "one line\nand another\n");
    auto u = run_command({"socat", "-T", "1", "-", "UDP:127.0.0.1:" + std::to_string(echo_u)},
                         "datagram\n");
    EXPECT_EQ(u.out, "datagram\n");
}

TEST_F(Internal, InternalServicesAreLoggedAndServedWithoutAFork) {
    {
        TcpClient c(daytime_t);
        c.read_all(3s);
    }
    ASSERT_TRUE(superd.wait_for_log("EXIT: daytime-stream"));
    std::string log = read_file(dir.file("services.log"));
    // xinetd's FILE format: "YY/M/D@HH:MM:SS: START: id pid=N from=ADDR".
    const std::regex start(
        R"(\d\d/\d\d?/\d\d?@\d\d:\d\d:\d\d: START: daytime-stream pid=(\d+) from=127\.0\.0\.1\n)");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(log, m, start)) << log;
    // Served inside superd without a fork: pid=0, as xinetd logs its builtins.
    EXPECT_EQ(m[1], "0");
}

} // namespace
} // namespace superd::system_test
