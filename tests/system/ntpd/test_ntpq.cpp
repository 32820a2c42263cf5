// ntpsec's own mode 6 tools against the server in this process: ntpq -p (READSTAT, then a
// READVAR of every association without a variable list), ntpq -c as, ntpq -c rv (system and one
// association) and ntptrace (rv 0, then "rv PEER srcadr" of the system peer). ntpq talks to
// port 123 only, so the server binds 127.0.0.1:123 inside a network namespace of the test's
// own, and the tools run there (ip netns exec). ntpsec is unpacked, not installed (it conflicts
// with chrony), by scripts/install-deps into /opt/superd-peers/ntpsec; its python3 module comes
// from python3-ntp.
#include "ntpd/server.hpp"
#include "tests/system/harness.hpp"
#include "tests/system/netns.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <regex>
#include <thread>

#include <sys/wait.h>

namespace superd::ntp {
namespace {

using namespace std::chrono_literals;
using system_test::have_program;

const std::string ntpsec_bin = "/opt/superd-peers/ntpsec/usr/bin";
const std::string ntpq = ntpsec_bin + "/ntpq";
const std::string ntptrace = ntpsec_bin + "/ntptrace";

// What the client side would publish: the local clock as the system peer, one IPv4 upstream as
// a candidate with a verified key.
ClientView two_associations(std::int64_t now_ns) {
    ClientView view;
    view.state.leap = Leap::none;
    view.state.stratum = 10;
    view.state.reference_id = ascii_id("LOCL");
    view.state.reference_time = to_ntp(now_ns);
    view.state.root_dispersion = 0x400; // 15.625 ms, exact in the short format
    view.state.precision = -20;
    view.details = {.system_peer_id = 1,
                    .offset = 12e-6,
                    .system_jitter = 3e-6,
                    .clock_jitter = 4.5e-6,
                    .frequency_ppm = -12.345,
                    .clock_wander_ppm = 0.01,
                    .time_constant = 6};

    PeerStatus local;
    local.association_id = 1;
    local.name = "127.127.1.0";
    local.address = *common::IpAddress::parse("127.127.1.0");
    local.local_clock = true;
    local.reach = 0xff;
    local.hpoll = 6;
    local.selection = PeerSelection::sys_peer;
    local.event_count = 1;
    local.last_event = 10; // sys_peer
    local.leap = Leap::none;
    local.stratum = 9;
    local.reference_id = ascii_id("LOCL");
    local.precision = -20;
    local.last_update_ns = now_ns - 3'000'000'000;

    PeerStatus upstream;
    upstream.association_id = 2;
    upstream.name = "192.0.2.1";
    upstream.address = *common::IpAddress::parse("192.0.2.1");
    upstream.authenticated = true;
    upstream.auth_ok = true;
    upstream.key_id = 5;
    upstream.reach = 0x7f;
    upstream.hpoll = 6;
    upstream.ppoll = 6;
    upstream.selection = PeerSelection::candidate;
    upstream.event_count = 2;
    upstream.last_event = 4; // reachable
    upstream.leap = Leap::none;
    upstream.stratum = 2;
    upstream.reference_id = 203u << 24 | 0u << 16 | 113u << 8 | 7u;
    upstream.precision = -23;
    upstream.root_delay = 0.0125;
    upstream.root_dispersion = 0.003;
    upstream.reference_time = to_ntp(now_ns - 100'000'000'000);
    upstream.rec = to_ntp(now_ns - 10'000'000'000);
    upstream.offset = -0.001234567;
    upstream.delay = 0.025;
    upstream.dispersion = 0.0005;
    upstream.jitter = 0.000125;
    upstream.last_update_ns = now_ns - 10'000'000'000;

    view.peers = {local, upstream};
    return view;
}

class Ntpq : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        if (!system_test::netns_supported(&why)) GTEST_SKIP() << why;
        ASSERT_TRUE(have_program(ntpq) && have_program(ntptrace))
            << ntpq << " or ntptrace is missing: run scripts/install-deps (it unpacks ntpsec)";
        ASSERT_TRUE(have_program("/usr/bin/python3")) << "python3-ntp: scripts/install-deps";
        ns_ = std::make_unique<system_test::Netns>("ntpq");
        {
            // Bound here, the socket lives in the namespace; the loop thread needs no move.
            system_test::EnterNetns inside(*ns_);
            ASSERT_TRUE(inside.ok());
            auto socket = NtpSocket::bind(*common::IpAddress::parse("127.0.0.1"), 123);
            ASSERT_TRUE(socket) << socket.error();
            ClientView view = two_associations(wall_now_ns());
            server_ = std::make_unique<Server>(io_, std::move(*socket), view.state, nullptr,
                                               nullptr, ServerOptions{});
            server_->set_view(std::move(view));
            server_->start();
        }
        thread_ = std::thread([this] { io_.run(); });
    }
    void TearDown() override {
        if (thread_.joinable()) {
            io_.stop();
            thread_.join();
        }
        server_.reset();
        ns_.reset();
    }

    // A tool run inside the namespace, ntpsec's bin first in PATH (ntptrace runs "ntpq").
    std::string run(std::vector<std::string> argv) {
        std::vector<std::string> full{"env", "PATH=" + ntpsec_bin + ":/usr/bin:/bin"};
        full.insert(full.end(), argv.begin(), argv.end());
        auto r = ns_->run(full, 30s);
        EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.out;
        // Anything ntpq did not like in our answers ends up as a Python traceback or a warning.
        EXPECT_EQ(r.out.find("Traceback"), std::string::npos) << r.out;
        EXPECT_EQ(r.out.find("***"), std::string::npos) << r.out;
        return r.out;
    }

    std::unique_ptr<system_test::Netns> ns_;
    boost::asio::io_context io_;
    std::unique_ptr<Server> server_;
    std::thread thread_;
};

bool has_line(const std::string& out, const std::string& pattern) {
    return std::regex_search(out, std::regex(pattern, std::regex::multiline));
}

TEST_F(Ntpq, PeersShowsTheTallyRefidStratumPollReachAndOffsets) {
    std::string out = run({ntpq, "-n", "-p", "127.0.0.1"});
    EXPECT_TRUE(has_line(out, R"(^\s+remote\s+refid\s+st t when poll reach\s+delay\s+offset)"))
        << out;
    // The local clock as ntpd's LOCAL driver shows: its name, .LOCL., type l, polled every 64 s.
    EXPECT_TRUE(has_line(out, R"(^\*LOCAL\(0\)\s+\.LOCL\.\s+9 l\s+\d+\s+64\s+377\s+0\.0000\s+)"
                              R"(0\.0000\s+0\.0000$)"))
        << out;
    // The upstream: a candidate ('+'), unicast, reach 0x7f in octal, times in ms (4 decimals
    // because we send 6, as ntpsec does).
    EXPECT_TRUE(has_line(out, R"(^\+192\.0\.2\.1\s+203\.0\.113\.7\s+2 u\s+\d+\s+64\s+177\s+)"
                              R"(25\.0000\s+-1\.2346\s+0\.1250$)"))
        << out;
}

TEST_F(Ntpq, AssociationsShowsEveryStatusWord) {
    std::string out = run({ntpq, "-n", "-c", "as", "127.0.0.1"});
    EXPECT_TRUE(has_line(out, R"(^\s+1\s+1\s+961a\s+yes\s+yes\s+none\s+sys\.peer\s+sys_peer\s+1$)"))
        << out;
    EXPECT_TRUE(has_line(out, R"(^\s+2\s+2\s+f424\s+yes\s+yes\s+ok\s+candidate\s+reachable\s+2$)"))
        << out;
}

TEST_F(Ntpq, ReadvarOfTheSystemAndOfAnAssociation) {
    std::string sys = run({ntpq, "-n", "-c", "rv", "127.0.0.1"});
    EXPECT_TRUE(has_line(sys, R"(^associd=0 status=0500 leap_none, sync_local,)")) << sys;
    for (const char* expected : {"leap=00", "stratum=10", "refid=LOCL", "peer=1", "tc=6",
                                 "offset=0.012", "frequency=-12.345", "sys_jitter=0.003",
                                 "clk_jitter=0.0045", "clk_wander=0.01", "rootdisp=15.625"})
        EXPECT_NE(sys.find(expected), std::string::npos) << expected << " in " << sys;

    std::string peer = run({ntpq, "-n", "-c", "rv 2", "127.0.0.1"});
    EXPECT_TRUE(has_line(peer, R"(^associd=2 status=f424 conf, authenb, auth, reach, )"
                               R"(sel_candidate, 2 events, reachable,)"))
        << peer;
    for (const char* expected :
         {"srcadr=192.0.2.1", "srcport=123", "stratum=2", "refid=203.0.113.7", "reach=177",
          "hmode=3", "pmode=4", "hpoll=6", "ppoll=6", "keyid=5", "offset=-1.234567", "delay=25.0",
          "jitter=0.125", "rootdelay=12.5"})
        EXPECT_NE(peer.find(expected), std::string::npos) << expected << " in " << peer;

    // An association that does not exist: ntpq refuses it itself after READSTAT.
    auto none = ns_->run({ntpq, "-n", "-c", "rv 9", "127.0.0.1"}, 30s);
    EXPECT_EQ(none.out.find("srcadr="), std::string::npos) << none.out;
}

TEST_F(Ntpq, NtptraceStopsAtTheLocalClock) {
    // rv 0, then "rv 1 srcadr" of the system peer: 127.127.1.0, where ntptrace stops.
    std::string out = run({ntptrace, "-n", "127.0.0.1"});
    EXPECT_TRUE(has_line(out, R"(^127\.0\.0\.1: stratum 10, offset 0\.000012, )"
                              R"(synch distance 0\.015625$)"))
        << out;
    EXPECT_EQ(system_test::count_of(out, "stratum"), 1) << out;
}

} // namespace
} // namespace superd::ntp
