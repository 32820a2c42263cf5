// The responder and its socket, in this process on 127.0.0.1 (a free port), against real NTP
// clients from Debian: rdate (package rdate) and chronyd -Q (package chrony, unpacked by
// scripts/install-deps into /opt/superd-peers/chrony: it conflicts with ntpsec as a package,
// and its packaging would start a daemon; run here without CAP_SYS_TIME, with -x, and -Q only
// measures). Plus our own client checking T1 <= T2 <= T3 <= T4 on every reply of a small load.
#include "ntpd/server.hpp"
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <thread>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::ntp {
namespace {

using system_test::have_program;
using system_test::run_command;
using namespace std::chrono_literals;

const std::string chronyd = "/opt/superd-peers/chrony/usr/sbin/chronyd";

// A server at stratum 10 on the local clock, in a thread of its own.
class LocalServer {
  public:
    LocalServer() {
        auto socket = NtpSocket::bind(*common::IpAddress::parse("127.0.0.1"), 0);
        if (!socket) throw std::runtime_error(socket.error());
        sockaddr_in local{};
        socklen_t len = sizeof local;
        ::getsockname(socket->fd(), reinterpret_cast<sockaddr*>(&local), &len);
        port_ = ntohs(local.sin_port);
        SystemState state;
        state.leap = Leap::none;
        state.stratum = 10;
        state.reference_id = ascii_id("LOCL");
        state.reference_time = to_ntp(wall_now_ns());
        state.root_dispersion = to_short(10'000'000);
        state.precision = measure_precision();
        server_ = std::make_unique<Server>(io_, std::move(*socket), state, nullptr, nullptr,
                                           ServerOptions{});
        server_->start();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~LocalServer() {
        io_.stop();
        thread_.join();
    }
    int port() const { return port_; }

  private:
    boost::asio::io_context io_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
    int port_ = 0;
};

TEST(NtpClients, RdateTakesTheTime) {
    ASSERT_TRUE(have_program("/usr/sbin/rdate")) << "apt-get install rdate (scripts/install-deps)";
    LocalServer server;
    auto r = run_command(
        {"/usr/sbin/rdate", "-n", "-p", "-o", std::to_string(server.port()), "127.0.0.1"}, {}, 10s);
    EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.out;
    // It prints the time it got, as ctime(3) does: "Mon Nov 23 13:41:24 2026" (in its zone).
    std::time_t now = std::time(nullptr);
    char year[8];
    std::strftime(year, sizeof year, "%Y", std::localtime(&now));
    EXPECT_NE(r.out.find(year), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("rdate:"), std::string::npos) << r.out; // no complaint
}

TEST(NtpClients, ChronydMeasuresUsWithoutTouchingTheClock) {
    ASSERT_TRUE(have_program(chronyd)) << chronyd << " is missing: scripts/install-deps unpacks it";
    LocalServer server;
    // -Q: measure once and print, never set; -x: never touch the clock; no CAP_SYS_TIME anyway.
    auto r = run_command(
        {"setpriv", "--inh-caps=-sys_time", "--bounding-set=-sys_time", chronyd, "-x", "-u", "root",
         "-Q", "-f", "/dev/null",
         "server 127.0.0.1 port " + std::to_string(server.port()) + " iburst maxsamples 4"},
        {}, 20s);
    EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.out;
    // "System clock wrong by 0.000012 seconds (ignored)": chronyd accepted our replies.
    EXPECT_NE(r.out.find("System clock wrong by"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(ignored)"), std::string::npos) << r.out;
}

// Our own client: 2,000 requests, 50 in flight at a time; every reply must satisfy
// T1 <= T2 <= T3 <= T4 (an exact check on the timestamps, not a timing threshold), carry the
// request's transmit timestamp as origin and come from the address asked.
TEST(NtpClients, EveryReplyKeepsTheFourTimestampsInOrder) {
    LocalServer server;
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(server.port()));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    int answered = 0, violations = 0;
    for (int round = 0; round < 40; ++round) {
        std::map<std::uint64_t, Timestamp> sent; // our transmit (a nonce) -> T1
        for (int i = 0; i < 50; ++i) {
            Packet req;
            req.transmit = Timestamp::from_raw((std::uint64_t(round) << 32) | (i + 1));
            Timestamp t1 = to_ntp(wall_now_ns());
            auto wire = encode(req);
            ASSERT_EQ(::send(fd, wire.data(), wire.size(), 0), 48);
            sent[req.transmit.raw()] = t1;
        }
        while (!sent.empty()) {
            pollfd p{fd, POLLIN, 0};
            if (::poll(&p, 1, 2000) != 1) break;
            std::uint8_t buf[128];
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            Timestamp t4 = to_ntp(wall_now_ns());
            auto reply = decode(std::span(buf, static_cast<std::size_t>(n)));
            ASSERT_TRUE(reply);
            auto it = sent.find(reply->origin.raw());
            ASSERT_NE(it, sent.end()) << "origin is not one of our transmit timestamps";
            Timestamp t1 = it->second;
            sent.erase(it);
            ++answered;
            EXPECT_EQ(reply->mode, Mode::server);
            EXPECT_EQ(reply->stratum, 10);
            bool ordered = difference_ns(t1, reply->receive) >= 0 &&
                           difference_ns(reply->receive, reply->transmit) >= 0 &&
                           difference_ns(reply->transmit, t4) >= 0;
            if (!ordered) ++violations;
        }
    }
    ::close(fd);
    EXPECT_EQ(answered, 2000);
    EXPECT_EQ(violations, 0);
}

// The exact READVAR request ntpsec's ntpq sends for `ntpq -c rv` (see tests/unit/ntpd/
// test_control.cpp) gets the system variables back over the socket.
TEST(NtpClients, NtpqReadvarRequestIsAnswered) {
    LocalServer server;
    const std::string rv("\xd6\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00", 12);
    auto reply = system_test::udp_exchange(server.port(), rv, 3s);
    ASSERT_TRUE(reply);
    ASSERT_GE(reply->size(), 12u);
    EXPECT_EQ(static_cast<unsigned char>((*reply)[1]), 0x82); // a response to READVAR, whole
    EXPECT_NE(reply->find("stratum=10"), std::string::npos) << reply->substr(12);
    EXPECT_NE(reply->find("refid=LOCL"), std::string::npos) << reply->substr(12);
}

} // namespace
} // namespace superd::ntp
