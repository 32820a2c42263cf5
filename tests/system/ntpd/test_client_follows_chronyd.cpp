// The client side (client.hpp) in this process against a real chronyd serving on 127.0.0.1 and
// a free port: chronyd from /opt/superd-peers/chrony (scripts/install-deps unpacks it: it
// conflicts with ntpsec as a package), on its local clock at stratum 8, run with -x and without
// CAP_SYS_TIME so that it never touches the clock, stopped by its PID.
//
// Both share this host's clock, so the true offset is 0 and the offset measured from the four
// timestamps can be off by at most half the round trip (plus the timestamps' precision): that,
// not a timing threshold, is what the tests check.
#include "ntpd/client.hpp"
#include "ntpd/server.hpp"
#include "tests/system/harness.hpp"
#include "tests/system/netns.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <cmath>
#include <csignal>
#include <thread>

#include <arpa/inet.h>
#include <sys/socket.h>

namespace superd::ntp {
namespace {

using system_test::have_program;
using system_test::TempDir;
using namespace std::chrono_literals;

const std::string chronyd = "/opt/superd-peers/chrony/usr/sbin/chronyd";

// chronyd as an NTP server of the test's own, in the foreground (-d), logging to a file.
class Chronyd {
  public:
    Chronyd()
        : port_(system_test::free_port(SOCK_DGRAM)) {
        const std::string conf = dir_.file("chrony.conf");
        std::string text;
        text += "port " + std::to_string(port_) + "\n";
        text += "bindaddress 127.0.0.1\n";
        text += "allow 127.0.0.1\n";
        text += "local stratum 8\n";
        text += "cmdport 0\n";
        text += "pidfile " + dir_.file("chronyd.pid") + "\n";
        text += "driftfile " + dir_.file("drift") + "\n";
        system_test::write_file(conf, text);
        // -4: no IPv6 socket (bindaddress names only the IPv4 one; nothing on [::]).
        std::vector<std::string> args = {"setpriv",
                                         "--inh-caps=-sys_time",
                                         "--bounding-set=-sys_time",
                                         chronyd,
                                         "-4",
                                         "-x",
                                         "-u",
                                         "root",
                                         "-d",
                                         "-f",
                                         conf};
        log_ = dir_.file("chronyd.log");
        chronyd_.start(args, log_);
    }
    ~Chronyd() {
        if (!chronyd_.running()) return;
        chronyd_.signal(SIGTERM);
        chronyd_.wait_exit(2s); // else the Process's destructor kills it
    }
    Chronyd(const Chronyd&) = delete;
    Chronyd& operator=(const Chronyd&) = delete;

    int port() const { return port_; }
    std::string log() const { return system_test::read_file(log_); }

    // Until chronyd answers a client request as a synchronised stratum 8 server.
    bool wait_serving(std::chrono::milliseconds timeout) {
        Packet request;
        request.transmit = Timestamp::from_raw(0x0123'4567'89ab'cdef);
        auto bytes = encode(request);
        const std::string wire(bytes.begin(), bytes.end());
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (!chronyd_.running()) return false; // it died
            if (auto answer = system_test::udp_exchange(port_, wire, 200ms)) {
                auto reply = decode(std::span(reinterpret_cast<const std::uint8_t*>(answer->data()),
                                              answer->size()));
                if (reply && reply->stratum == 8 && reply->leap != Leap::unsynchronized)
                    return true;
            }
            std::this_thread::sleep_for(100ms);
        }
        return false;
    }

  private:
    TempDir dir_;
    int port_;
    std::string log_;
    system_test::Process chronyd_; // stopped by its PID
};

UpstreamConfig loopback_upstream(int port) {
    UpstreamConfig u;
    u.name = "127.0.0.1:" + std::to_string(port);
    u.address = common::IpAddress::parse("127.0.0.1");
    u.port = static_cast<std::uint16_t>(port);
    u.iburst = true;
    return u;
}

ClientOptions loopback_options() {
    ClientOptions o;
    o.burst_spacing = 100ms; // the burst at start, faster than ntpd's 2 s
    o.bind_v4 = *common::IpAddress::parse("127.0.0.1");
    o.system.precision = measure_precision();
    return o;
}

// Runs the loop until `done` holds for the latest view, or the deadline.
template <class Done>
bool run_until(boost::asio::io_context& io, const ClientView& view, Done done,
               std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done(view) && std::chrono::steady_clock::now() < deadline)
        io.run_for(50ms);
    return done(view);
}

// The measured offset is the true one (0: one clock) within half the round trip; the
// timestamps' own resolution on each side comes on top.
void expect_offset_within_bound(const PeerStatus& p, std::int8_t our_precision) {
    const double resolution = 2 * (std::ldexp(1.0, p.precision) + std::ldexp(1.0, our_precision));
    EXPECT_GT(p.delay, 0);
    EXPECT_LE(std::abs(p.offset), p.delay / 2 + resolution)
        << "offset " << p.offset << " delay " << p.delay;
}

// A missing peer fails the test, never skips it.
const std::string missing_chronyd =
    chronyd + " is missing: run scripts/install-deps (it unpacks chrony there)";

TEST(NtpClientFollowsChronyd, SelectsChronydAsSystemPeer) {
    ASSERT_TRUE(have_program(chronyd)) << missing_chronyd;
    Chronyd server;
    ASSERT_TRUE(server.wait_serving(15s)) << server.log();

    boost::asio::io_context io;
    ClientOptions options = loopback_options();
    ClientView view;
    int updates = 0;
    Client client(io, {loopback_upstream(server.port())}, options, [&](const ClientView& v) {
        view = v;
        ++updates;
    });
    client.start();
    EXPECT_EQ(updates, 1); // once at start, before any packet
    EXPECT_EQ(view.state.stratum, 16);

    // The iburst's eight samples take 0.7 s here; the deadline only stops a broken test.
    ASSERT_TRUE(run_until(
        io, view, [](const ClientView& v) { return v.details.system_peer_id == 1; }, 30s))
        << server.log();
    ASSERT_EQ(view.peers.size(), 1u);
    const PeerStatus& p = view.peers[0];
    EXPECT_EQ(p.selection, PeerSelection::sys_peer);
    EXPECT_NE(p.reach, 0);
    EXPECT_EQ(p.stratum, 8);
    EXPECT_EQ(p.leap, Leap::none);
    EXPECT_EQ(view.state.stratum, 9);
    EXPECT_EQ(view.state.reference_id, 0x7f000001u); // 127.0.0.1
    EXPECT_EQ(view.state.leap, Leap::none);
    EXPECT_EQ(view.state.precision, options.system.precision);
    EXPECT_GE(client.counters().at("accepted"), 1u);
    EXPECT_FALSE(client.counters().contains("bogus"));
    expect_offset_within_bound(p, options.system.precision);
    // Root delay: chronyd's (0 on its local clock) plus the round trip to it.
    EXPECT_NEAR(from_short(view.state.root_delay) * 1e-9, p.root_delay + p.delay, 2.0 / 65536);
}

TEST(NtpClientFollowsChronyd, UnreachableUpstreamIsRejected) {
    ASSERT_TRUE(have_program(chronyd)) << missing_chronyd;
    Chronyd server;
    ASSERT_TRUE(server.wait_serving(15s)) << server.log();
    // A port bound by us and never read: nobody answers there, and nobody else can take it.
    int silent = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(silent, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
    socklen_t len = sizeof at;
    ::getsockname(silent, reinterpret_cast<sockaddr*>(&at), &len);

    boost::asio::io_context io;
    ClientOptions options = loopback_options();
    ClientView view;
    Client client(io, {loopback_upstream(server.port()), loopback_upstream(ntohs(at.sin_port))},
                  options, [&](const ClientView& v) { view = v; });
    client.start();
    // Until both bursts of 8 are out: the silent port had every chance to answer.
    auto sent = [&client] {
        auto it = client.counters().find("sent");
        return it == client.counters().end() ? 0u : it->second;
    };
    ASSERT_TRUE(run_until(
        io, view,
        [&](const ClientView& v) { return v.details.system_peer_id == 1 && sent() >= 16; }, 30s))
        << server.log();
    ::close(silent);
    ASSERT_EQ(view.peers.size(), 2u);
    EXPECT_EQ(view.peers[0].selection, PeerSelection::sys_peer);
    EXPECT_NE(view.peers[0].reach, 0);
    EXPECT_EQ(view.peers[1].reach, 0);
    EXPECT_EQ(view.peers[1].selection, PeerSelection::reject);
    EXPECT_EQ(view.peers[1].last_update_ns, 0);
    EXPECT_EQ(view.state.stratum, 9);
    EXPECT_EQ(view.state.reference_id, 0x7f000001u);
    expect_offset_within_bound(view.peers[0], options.system.precision);
}

} // namespace
} // namespace superd::ntp
