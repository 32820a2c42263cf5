// The client side's core: one association's poll process and packet tests (association.hpp),
// and the system process over several (system_process.hpp). A fake time line (a monotonic and a
// wall clock advanced together) and a fake server that answers each request with chosen
// offset, delay, stratum and header fields: every expectation follows from those numbers.
#include "ntpd/association.hpp"
#include "ntpd/mac.hpp"
#include "ntpd/system_process.hpp"
#include "tests/unit/ntpd/config_fixture.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace superd::ntp {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t second = 1'000'000'000;
// One unit of the 16.16 short format, and of a 64-bit timestamp's rounding (twice, for T2, T3).
constexpr double short_unit = 1.0 / 65536;
constexpr double stamp_error = 1e-9;

common::IpAddress ip(std::string_view text) {
    return *common::IpAddress::parse(text);
}

UpstreamConfig upstream(std::string_view address, int minpoll = 6, int maxpoll = 10) {
    UpstreamConfig u;
    u.name = std::string(address);
    u.address = ip(address);
    u.minpoll = minpoll;
    u.maxpoll = maxpoll;
    return u;
}

UpstreamConfig local_clock(int stratum) {
    UpstreamConfig u;
    u.name = "127.127.1.0";
    u.address = ip("127.127.1.0");
    u.local_clock = true;
    u.local_stratum = stratum;
    return u;
}

// What the fake server says besides the time.
struct Header {
    Leap leap = Leap::none;
    std::uint8_t stratum = 2;
    std::uint32_t reference_id = ascii_id("GPS ");
    double root_delay = 0.001;
    double root_dispersion = 0.001;
    std::int8_t precision = -20;
};

class Clocks : public ::testing::Test {
  protected:
    std::int64_t mono = 5'000 * second;
    UnixNanos wall = 1'767'225'600 * second; // 2026-01-01T00:00:00Z
    std::uint64_t nonce = 0x1234'5678'0000'0000;

    void advance(std::int64_t ns) {
        mono += ns;
        wall += ns;
    }
    // Runs the clocks to the association's next poll, polls and "sends"; the request.
    Packet poll(Association& a) {
        auto next = a.next_poll_ns();
        EXPECT_TRUE(next);
        if (next && *next > mono) advance(*next - mono);
        auto bytes = a.poll(mono, ++nonce);
        a.sent(wall);
        auto request = decode(bytes);
        EXPECT_TRUE(request);
        return request ? *request : Packet{};
    }
    // A reply to `request` sent at T1 = now by a server `offset` s ahead of us, across a path
    // of `delay` s split evenly; the clocks are advanced to its arrival (T4).
    Packet reply(const Packet& request, double offset, double delay, const Header& h = {}) {
        const auto half = static_cast<std::int64_t>(std::llround(delay / 2 * 1e9));
        const auto ahead = static_cast<std::int64_t>(std::llround(offset * 1e9));
        Packet r;
        r.leap = h.leap;
        r.mode = Mode::server;
        r.stratum = h.stratum;
        r.poll = request.poll;
        r.precision = h.precision;
        r.root_delay = to_short(std::llround(h.root_delay * 1e9));
        r.root_dispersion = to_short(std::llround(h.root_dispersion * 1e9));
        r.reference_id = h.reference_id;
        r.origin = request.transmit;
        r.receive = r.transmit = to_ntp(wall + half + ahead);
        r.reference = to_ntp(wall + ahead - 10 * second);
        advance(2 * half);
        return r;
    }
    ReplyResult deliver(Association& a, const Packet& p) {
        return a.receive(encode(p), wall, mono);
    }
    // One whole exchange.
    ReplyResult exchange(Association& a, double offset, double delay, const Header& h = {}) {
        Packet request = poll(a);
        return deliver(a, reply(request, offset, delay, h));
    }
};

// --- the poll process ----------------------------------------------------------------------

TEST_F(Clocks, PollIntervalStartsAtMinpollAndGrowsWhileSamplesAgree) {
    Association a(1, upstream("192.0.2.1", 6, 8), {}, mono);
    EXPECT_EQ(a.next_poll_ns(), mono); // the first poll is due at once
    // RFC 5905's poll-adjust counter: each agreeing sample adds hpoll, past 30 the interval
    // doubles. The first sample has nothing to agree with; samples 2..7 add 6 each (36 > 30).
    std::vector<int> hpolls;
    for (int i = 0; i < 14; ++i) {
        Packet request = poll(a);
        EXPECT_EQ(*a.next_poll_ns() - mono, second << a.hpoll()) << "poll " << i;
        EXPECT_EQ(request.poll, a.hpoll());
        ASSERT_EQ(deliver(a, reply(request, 0.010, 0.002)), ReplyResult::accepted);
        hpolls.push_back(a.hpoll());
    }
    // Then 7 a sample: past 30 after 5 more (35). Never beyond maxpoll.
    EXPECT_EQ(hpolls, (std::vector<int>{6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 8, 8, 8}));
}

TEST_F(Clocks, PollIntervalShrinksWhenSamplesJump) {
    Association a(1, upstream("192.0.2.1", 6, 10), {}, mono);
    for (int i = 0; i < 7; ++i)
        ASSERT_EQ(exchange(a, 0.010, 0.002), ReplyResult::accepted);
    ASSERT_EQ(a.hpoll(), 7);
    // Each sample beyond 4 jitters of the filter's best (here the first, 10 ms: equal delays)
    // takes 2 * hpoll from the counter; below -30 the interval halves. The jumps grow, so that
    // the jitter they raise never covers the next one.
    ASSERT_EQ(exchange(a, 0.060, 0.002), ReplyResult::accepted); // -14
    ASSERT_EQ(exchange(a, 0.110, 0.002), ReplyResult::accepted); // -28
    EXPECT_EQ(a.hpoll(), 7);
    ASSERT_EQ(exchange(a, 0.310, 0.002), ReplyResult::accepted); // -42
    EXPECT_EQ(a.hpoll(), 6);
}

TEST_F(Clocks, ReachRegisterShiftsOncePerPoll) {
    Association a(1, upstream("192.0.2.1"), {}, mono);
    EXPECT_EQ(a.reach(), 0);
    ASSERT_EQ(exchange(a, 0, 0.002), ReplyResult::accepted);
    EXPECT_EQ(a.reach(), 0b1);
    poll(a); // no answer
    EXPECT_EQ(a.reach(), 0b10);
    ASSERT_EQ(exchange(a, 0, 0.002), ReplyResult::accepted);
    EXPECT_EQ(a.reach(), 0b101);
    for (int i = 0; i < 5; ++i)
        poll(a);
    EXPECT_EQ(a.reach(), 0b1010'0000);
    poll(a);
    poll(a);
    poll(a);
    EXPECT_EQ(a.reach(), 0); // eight polls after the last answer: unreachable
}

TEST_F(Clocks, UnreachableServerFallsBackToMinpollThenBacksOff) {
    Association a(1, upstream("192.0.2.1", 6, 9), {}, mono);
    for (int i = 0; i < 7; ++i)
        ASSERT_EQ(exchange(a, 0.010, 0.002), ReplyResult::accepted);
    ASSERT_EQ(a.hpoll(), 7);
    for (int i = 0; i < 7; ++i)
        poll(a);
    EXPECT_EQ(a.reach(), 0b1000'0000);
    EXPECT_EQ(a.hpoll(), 7);
    poll(a); // the eighth unanswered poll empties the register
    EXPECT_EQ(a.reach(), 0);
    EXPECT_EQ(a.hpoll(), 6);
    EXPECT_EQ(a.status(mono).last_event, static_cast<std::uint8_t>(PeerEvent::unreachable));
    // ntpd's time-out: from the tenth unanswered poll on, each one doubles the interval.
    poll(a);
    EXPECT_EQ(a.hpoll(), 6);
    poll(a);
    EXPECT_EQ(a.hpoll(), 7);
    poll(a);
    poll(a);
    poll(a);
    EXPECT_EQ(a.hpoll(), 9); // maxpoll
}

TEST_F(Clocks, IburstSendsEightPacketsAtTheBurstSpacing) {
    UpstreamConfig u = upstream("192.0.2.1");
    u.iburst = true;
    AssociationOptions options;
    options.burst_spacing = 250ms;
    Association a(1, u, options, mono);
    const std::int64_t start = mono;
    std::vector<std::int64_t> sent_at;
    for (int i = 0; i < 8; ++i) {
        Packet request = poll(a);
        sent_at.push_back(mono - start);
        // Answered at once (no path delay), so the burst timing is exact.
        ASSERT_EQ(deliver(a, reply(request, 0.001, 0)), ReplyResult::accepted);
    }
    std::vector<std::int64_t> expected;
    for (int i = 0; i < 8; ++i)
        expected.push_back(i * 250'000'000LL);
    EXPECT_EQ(sent_at, expected);
    // After the eighth, the regular interval; the register shifted once for the whole burst.
    EXPECT_EQ(*a.next_poll_ns() - mono, 64 * second);
    EXPECT_EQ(a.reach(), 0b1);
    EXPECT_EQ(a.hpoll(), 6); // a burst is one observation for the poll-adjust counter
    // Reachable now: the next poll is a single packet.
    poll(a);
    EXPECT_EQ(*a.next_poll_ns() - mono, 64 * second);
}

TEST_F(Clocks, IburstRepeatsWhileUnreachable) {
    UpstreamConfig u = upstream("192.0.2.1");
    u.iburst = true;
    AssociationOptions options;
    options.burst_spacing = 2s; // ntpd's
    Association a(1, u, options, mono);
    for (int i = 0; i < 8; ++i)
        poll(a);
    EXPECT_EQ(*a.next_poll_ns() - mono, 64 * second);
    poll(a); // the next regular poll, still unreachable: another burst
    EXPECT_EQ(*a.next_poll_ns() - mono, 2 * second);
    EXPECT_EQ(a.reach(), 0);
}

TEST_F(Clocks, BurstOptionBurstsAtEveryPollWhileReachable) {
    UpstreamConfig u = upstream("192.0.2.1");
    u.burst = true;
    Association a(1, u, {}, mono);
    ASSERT_EQ(exchange(a, 0, 0.002), ReplyResult::accepted); // unreachable: a single packet
    EXPECT_EQ(*a.next_poll_ns() - mono, 64 * second - 2'000'000);
    poll(a); // reachable: this one opens a burst of 8
    EXPECT_EQ(*a.next_poll_ns() - mono, 2 * second);
}

// --- the packet tests ----------------------------------------------------------------------

TEST_F(Clocks, OffsetAndDelayComeFromTheFourTimestamps) {
    Association a(1, upstream("192.0.2.1"), {}, mono);
    ASSERT_EQ(exchange(a, 0.25, 0.040), ReplyResult::accepted);
    PeerStatus s = a.status(mono);
    EXPECT_NEAR(s.offset, 0.25, stamp_error);
    EXPECT_NEAR(s.delay, 0.040, stamp_error);
    // Both precisions and 15 ppm of the round trip (aging is zero: no time since).
    EXPECT_NEAR(s.dispersion, 2 * std::ldexp(1.0, -20) + 15e-6 * 0.040, stamp_error);
    EXPECT_EQ(s.stratum, 2);
    EXPECT_EQ(s.reference_id, ascii_id("GPS "));
    EXPECT_NEAR(s.root_delay, 0.001, short_unit);
    EXPECT_EQ(s.last_update_ns, wall);
    EXPECT_EQ(s.leap, Leap::none);
}

TEST_F(Clocks, RequestIsModeThreeWithTheNonceAsTransmit) {
    UpstreamConfig u = upstream("192.0.2.1");
    u.version = 3;
    Association a(1, u, {}, mono);
    Packet request = poll(a);
    EXPECT_EQ(request.mode, Mode::client);
    EXPECT_EQ(request.version, 3);
    EXPECT_EQ(request.transmit.raw(), nonce);
    EXPECT_TRUE(request.origin.is_zero());
    EXPECT_FALSE(request.mac);
}

TEST_F(Clocks, BogusDuplicateAndMalformedRepliesAreDropped) {
    Association a(1, upstream("192.0.2.1"), {}, mono);
    Packet request = poll(a);
    Packet good = reply(request, 0.001, 0.002);

    Packet wrong_origin = good;
    wrong_origin.origin = Timestamp::from_raw(good.origin.raw() + 1);
    EXPECT_EQ(deliver(a, wrong_origin), ReplyResult::bogus);
    Packet wrong_mode = good;
    wrong_mode.mode = Mode::symmetric_passive;
    EXPECT_EQ(deliver(a, wrong_mode), ReplyResult::not_server);
    std::vector<std::uint8_t> short_bytes(20, 0x24);
    EXPECT_EQ(a.receive(short_bytes, wall, mono), ReplyResult::bad_format);
    EXPECT_EQ(a.reach(), 0);

    EXPECT_EQ(deliver(a, good), ReplyResult::accepted);
    EXPECT_EQ(deliver(a, good), ReplyResult::duplicate);
    Packet replay = good; // another transmit time, but the request was answered already
    replay.transmit = Timestamp::from_raw(good.transmit.raw() + 1);
    EXPECT_EQ(deliver(a, replay), ReplyResult::bogus);
    EXPECT_EQ(a.reach(), 1);
}

TEST_F(Clocks, ReplyBeforeTheSendIsBogus) {
    Association a(1, upstream("192.0.2.1"), {}, mono);
    auto bytes = a.poll(mono, 42); // built, never sent
    Packet request = *decode(bytes);
    EXPECT_EQ(deliver(a, reply(request, 0, 0.002)), ReplyResult::bogus);
}

TEST_F(Clocks, KissRateLengthensThePoll) {
    Association a(1, upstream("192.0.2.1", 6, 10), {}, mono);
    Packet request = poll(a);
    Header kiss;
    kiss.stratum = 0;
    kiss.leap = Leap::unsynchronized;
    kiss.reference_id = ascii_id("RATE");
    EXPECT_EQ(deliver(a, reply(request, 0, 0.002, kiss)), ReplyResult::kiss_rate);
    EXPECT_EQ(a.hpoll(), 7);
    EXPECT_GE(*a.next_poll_ns() - mono, 128 * second);
    EXPECT_EQ(a.reach(), 0); // a kiss carries no time
    EXPECT_EQ(a.status(mono).last_event, static_cast<std::uint8_t>(PeerEvent::rate_exceeded));
    // The server's own poll, if longer, is honoured.
    request = poll(a);
    Packet rate = reply(request, 0, 0.002, kiss);
    rate.poll = 9;
    EXPECT_EQ(deliver(a, rate), ReplyResult::kiss_rate);
    EXPECT_EQ(a.hpoll(), 9);
}

TEST_F(Clocks, KissDenyAndRstrStopPolling) {
    for (const char* code : {"DENY", "RSTR"}) {
        Association a(1, upstream("192.0.2.1"), {}, mono);
        ASSERT_EQ(exchange(a, 0, 0.002), ReplyResult::accepted);
        Packet request = poll(a);
        Header kiss;
        kiss.stratum = 0;
        kiss.leap = Leap::unsynchronized;
        kiss.reference_id = code[0] == 'D' ? ascii_id("DENY") : ascii_id("RSTR");
        Packet k = reply(request, 0, 0.002, kiss);
        Packet spoofed = k; // a kiss that does not answer our request changes nothing
        spoofed.origin = Timestamp::from_raw(12345);
        EXPECT_EQ(deliver(a, spoofed), ReplyResult::bogus);
        EXPECT_FALSE(a.denied());
        EXPECT_EQ(deliver(a, k), ReplyResult::kiss_deny) << code;
        EXPECT_TRUE(a.denied());
        EXPECT_FALSE(a.next_poll_ns());
        PeerStatus s = a.status(mono);
        EXPECT_EQ(s.reach, 0);
        EXPECT_EQ(s.reference_id, kiss.reference_id);
        EXPECT_EQ(s.last_event, static_cast<std::uint8_t>(PeerEvent::access_denied));
        EXPECT_EQ(a.receive(encode(k), wall, mono), ReplyResult::not_expected);
    }
}

TEST_F(Clocks, UnsynchronizedServerIsReachableButNotUsable) {
    for (bool by_leap : {true, false}) {
        Association a(1, upstream("192.0.2.1"), {}, mono);
        Header h;
        if (by_leap)
            h.leap = Leap::unsynchronized;
        else
            h.stratum = 16;
        EXPECT_EQ(exchange(a, 0, 0.002, h), ReplyResult::unsynchronized);
        EXPECT_EQ(a.reach(), 1);
        EXPECT_FALSE(a.best(mono)); // no sample
        SystemProcess system({}, mono);
        ClientView v = system.update(std::span(&a, 1), mono, wall);
        EXPECT_EQ(v.peers[0].selection, PeerSelection::reject);
        EXPECT_EQ(v.state.stratum, 16);
        EXPECT_EQ(v.state.leap, Leap::unsynchronized);
    }
}

TEST_F(Clocks, ServerBeyondMaxdistGivesNoSample) {
    AssociationOptions options;
    options.maxdist = 1.5;
    Association a(1, upstream("192.0.2.1"), options, mono);
    Header far;
    far.root_delay = 1.0;
    far.root_dispersion = 1.2; // 0.5 + 1.2 >= 1.5
    EXPECT_EQ(exchange(a, 0, 0.002, far), ReplyResult::too_far);
    EXPECT_FALSE(a.best(mono));
    Header near = far;
    near.root_dispersion = 0.9;
    EXPECT_EQ(exchange(a, 0, 0.002, near), ReplyResult::accepted);
}

TEST_F(Clocks, ReferenceTimeAfterTransmitIsBadTime) {
    Association a(1, upstream("192.0.2.1"), {}, mono);
    Packet request = poll(a);
    Packet r = reply(request, 0, 0.002);
    r.reference = Timestamp::from_raw(r.transmit.raw() + (1ull << 32));
    EXPECT_EQ(deliver(a, r), ReplyResult::bad_time);
    request = poll(a);
    r = reply(request, 0, 0.002);
    r.receive = {};
    EXPECT_EQ(deliver(a, r), ReplyResult::bad_time);
}

// --- authentication ------------------------------------------------------------------------

class Keyed : public Clocks {
  protected:
    void SetUp() override {
        keys.insert({1, KeyType::md5, {'s', 'e', 'c', 'r', 'e', 't'}, {}});
        keys.insert({2, KeyType::sha1, {'o', 't', 'h', 'e', 'r'}, {}});
        options.keys = &keys;
        u = upstream("192.0.2.1");
        u.key = 1;
    }
    static std::vector<std::uint8_t> signed_with(const Packet& p, const Key& key) {
        std::vector<std::uint8_t> bytes = encode(p);
        auto field = mac_field(key, bytes);
        bytes.insert(bytes.end(), field.begin(), field.end());
        return bytes;
    }
    KeyTable keys;
    AssociationOptions options;
    UpstreamConfig u;
};

TEST_F(Keyed, RequestsAreSignedWithTheKey) {
    Association a(1, u, options, mono);
    auto bytes = a.poll(mono, 7);
    auto request = decode(bytes);
    ASSERT_TRUE(request);
    ASSERT_TRUE(request->mac);
    EXPECT_EQ(request->mac->key_id, 1u);
    EXPECT_TRUE(
        verify_mac(*keys.find(1), std::span(bytes).first(header_size), request->mac->digest));
}

TEST_F(Keyed, UnsignedNakAndWronglySignedRepliesAreDiscarded) {
    Association a(1, u, options, mono);
    Packet request = poll(a);
    Packet r = reply(request, 0.001, 0.002);

    EXPECT_EQ(a.receive(encode(r), wall, mono), ReplyResult::auth_failed);
    Packet nak = r;
    nak.mac = Mac{0, {}};
    EXPECT_EQ(a.receive(encode(nak), wall, mono), ReplyResult::crypto_nak);
    EXPECT_EQ(a.receive(signed_with(r, *keys.find(2)), wall, mono), ReplyResult::auth_failed);
    auto tampered = signed_with(r, *keys.find(1));
    tampered[20] ^= 1; // the reference time, under the MAC
    EXPECT_EQ(a.receive(tampered, wall, mono), ReplyResult::auth_failed);
    PeerStatus s = a.status(mono);
    EXPECT_TRUE(s.authenticated);
    EXPECT_FALSE(s.auth_ok);
    EXPECT_EQ(s.reach, 0);
    EXPECT_EQ(s.last_event, static_cast<std::uint8_t>(PeerEvent::bad_auth));

    EXPECT_EQ(a.receive(signed_with(r, *keys.find(1)), wall, mono), ReplyResult::accepted);
    s = a.status(mono);
    EXPECT_TRUE(s.auth_ok);
    EXPECT_EQ(s.reach, 1);
}

TEST_F(Keyed, UnsignedKissDoesNotStopAKeyedAssociation) {
    Association a(1, u, options, mono);
    Packet request = poll(a);
    Header kiss;
    kiss.stratum = 0;
    kiss.reference_id = ascii_id("DENY");
    EXPECT_EQ(deliver(a, reply(request, 0, 0.002, kiss)), ReplyResult::auth_failed);
    EXPECT_FALSE(a.denied());
}

// --- the system process --------------------------------------------------------------------

TEST_F(Clocks, SystemStateFollowsTheSystemPeer) {
    std::vector<Association> as;
    as.emplace_back(1, upstream("192.0.2.1"), AssociationOptions{}, mono);
    Header h;
    h.stratum = 2;
    h.root_delay = 0.010;
    h.root_dispersion = 0.020;
    ASSERT_EQ(exchange(as[0], 0.005, 0.004, h), ReplyResult::accepted);
    SystemOptions o;
    o.precision = -18;
    SystemProcess system(o, mono);
    ClientView v = system.update(as, mono, wall);

    ASSERT_EQ(v.peers.size(), 1u);
    const PeerStatus& p = v.peers[0];
    EXPECT_EQ(p.selection, PeerSelection::sys_peer);
    EXPECT_EQ(v.details.system_peer_id, 1);
    EXPECT_EQ(v.state.leap, Leap::none);
    EXPECT_EQ(v.state.stratum, 3);
    EXPECT_EQ(v.state.reference_id, 0xC0000201u); // 192.0.2.1 as four bytes
    EXPECT_EQ(v.state.reference_time, to_ntp(wall));
    EXPECT_EQ(v.state.precision, -18);
    // Root delay: the server's plus the path to it.
    EXPECT_NEAR(from_short(v.state.root_delay) * 1e-9, 0.010 + 0.004, 2 * short_unit);
    // Root dispersion: the server's, the jitters (none with one sample), and this sample's
    // dispersion plus our offset from it (we serve our own clock, which is off by that much).
    EXPECT_NEAR(from_short(v.state.root_dispersion) * 1e-9,
                0.020 + std::max(p.dispersion + 0.005, 0.01), 2 * short_unit);
    EXPECT_NEAR(v.details.offset, 0.005, stamp_error);
}

TEST_F(Clocks, LeapWarningOfThePeerIsPassedOn) {
    std::vector<Association> as;
    as.emplace_back(1, upstream("192.0.2.1"), AssociationOptions{}, mono);
    Header h;
    h.leap = Leap::add_second;
    ASSERT_EQ(exchange(as[0], 0, 0.002, h), ReplyResult::accepted);
    SystemProcess system({}, mono);
    EXPECT_EQ(system.update(as, mono, wall).state.leap, Leap::add_second);
}

TEST_F(Clocks, FalsetickerIsRejectedAmongThree) {
    std::vector<Association> as;
    as.emplace_back(1, upstream("192.0.2.1"), AssociationOptions{}, mono);
    as.emplace_back(2, upstream("192.0.2.2"), AssociationOptions{}, mono);
    as.emplace_back(3, upstream("192.0.2.3"), AssociationOptions{}, mono);
    const double offsets[] = {0.0010, 0.0012, 1.0010}; // the third is a second off
    for (int round = 0; round < 4; ++round)
        for (std::size_t i = 0; i < 3; ++i)
            ASSERT_EQ(exchange(as[i], offsets[i], 0.002), ReplyResult::accepted);
    SystemProcess system({}, mono);
    ClientView v = system.update(as, mono, wall);
    EXPECT_EQ(v.peers[2].selection, PeerSelection::falsetick);
    ASSERT_NE(v.details.system_peer_id, 0);
    EXPECT_NE(v.details.system_peer_id, 3);
    for (std::size_t i = 0; i < 2; ++i)
        EXPECT_TRUE(v.peers[i].selection == PeerSelection::sys_peer ||
                    v.peers[i].selection == PeerSelection::candidate)
            << i;
    // The combined offset lies between the two truechimers'.
    EXPECT_GE(v.details.offset, 0.0010 - stamp_error);
    EXPECT_LE(v.details.offset, 0.0012 + stamp_error);
    EXPECT_EQ(v.state.stratum, 3);
}

TEST_F(Clocks, UnreachableAndNoselectUpstreamsAreRejected) {
    std::vector<Association> as;
    as.emplace_back(1, upstream("192.0.2.1"), AssociationOptions{}, mono);
    UpstreamConfig quiet = upstream("192.0.2.2");
    as.emplace_back(2, quiet, AssociationOptions{}, mono);
    UpstreamConfig shown = upstream("192.0.2.3");
    shown.noselect = true;
    as.emplace_back(3, shown, AssociationOptions{}, mono);
    ASSERT_EQ(exchange(as[0], 0.001, 0.002), ReplyResult::accepted);
    poll(as[1]); // never answers
    ASSERT_EQ(exchange(as[2], 0.001, 0.002), ReplyResult::accepted);
    SystemProcess system({}, mono);
    ClientView v = system.update(as, mono, wall);
    EXPECT_EQ(v.peers[0].selection, PeerSelection::sys_peer);
    EXPECT_EQ(v.peers[1].selection, PeerSelection::reject);
    EXPECT_EQ(v.peers[1].reach, 0);
    EXPECT_EQ(v.peers[2].selection, PeerSelection::reject);
    EXPECT_EQ(v.peers[2].reach, 1);
}

TEST_F(Clocks, LocalClockIsAlwaysReachableAndServesItsStratumPlusOne) {
    std::vector<Association> as;
    as.emplace_back(1, local_clock(7), AssociationOptions{}, mono);
    EXPECT_FALSE(as[0].next_poll_ns()); // no packets
    SystemProcess system({}, mono);
    ClientView v = system.update(as, mono, wall);
    const PeerStatus& p = v.peers[0];
    EXPECT_TRUE(p.local_clock);
    EXPECT_EQ(p.reach, 0xff);
    EXPECT_EQ(p.stratum, 7);
    EXPECT_EQ(p.offset, 0);
    EXPECT_EQ(p.selection, PeerSelection::sys_peer);
    EXPECT_EQ(v.state.stratum, 8);
    EXPECT_EQ(v.state.reference_id, ascii_id("LOCL"));
    EXPECT_EQ(v.state.leap, Leap::none);
    EXPECT_EQ(v.state.root_delay, 0u);
    EXPECT_EQ(v.state.reference_time, to_ntp(wall));
}

TEST_F(Clocks, RealUpstreamOfLowerStratumWinsOverTheLocalClock) {
    std::vector<Association> as;
    as.emplace_back(1, local_clock(10), AssociationOptions{}, mono);
    as.emplace_back(2, upstream("192.0.2.1"), AssociationOptions{}, mono);
    Header h;
    h.stratum = 2;
    ASSERT_EQ(exchange(as[1], 0.001, 0.002, h), ReplyResult::accepted);
    SystemProcess system({}, mono);
    ClientView v = system.update(as, mono, wall);
    EXPECT_EQ(v.peers[1].selection, PeerSelection::sys_peer);
    EXPECT_EQ(v.peers[0].selection, PeerSelection::backup);
    EXPECT_EQ(v.state.stratum, 3);
    EXPECT_EQ(v.state.reference_id, 0xC0000201u);
}

TEST_F(Clocks, LocalClockWinsOverAnUpstreamOfHigherStratum) {
    std::vector<Association> as;
    as.emplace_back(1, local_clock(5), AssociationOptions{}, mono);
    as.emplace_back(2, upstream("192.0.2.1"), AssociationOptions{}, mono);
    Header h;
    h.stratum = 6;
    ASSERT_EQ(exchange(as[1], 0.001, 0.002, h), ReplyResult::accepted);
    SystemProcess system({}, mono);
    ClientView v = system.update(as, mono, wall);
    EXPECT_EQ(v.peers[0].selection, PeerSelection::sys_peer);
    EXPECT_EQ(v.peers[1].selection, PeerSelection::candidate);
    EXPECT_EQ(v.state.stratum, 6);
    EXPECT_EQ(v.state.reference_id, ascii_id("LOCL"));
    EXPECT_EQ(v.details.offset, 0);
}

TEST_F(Clocks, WithoutSourcesTheServerIsUnsynchronized) {
    SystemProcess system({}, mono);
    ClientView v = system.update({}, mono, wall);
    EXPECT_EQ(v.state.stratum, 16);
    EXPECT_EQ(v.state.leap, Leap::unsynchronized);
    EXPECT_EQ(v.state.reference_id, ascii_id("INIT"));
    EXPECT_EQ(v.details.system_peer_id, 0);
}

TEST_F(Clocks, OrphanModeAfterOrphanwait) {
    std::vector<Association> as;
    as.emplace_back(1, upstream("192.0.2.1"), AssociationOptions{}, mono);
    SystemOptions o;
    o.orphan_stratum = 10;
    o.orphan_wait = 300s;
    SystemProcess system(o, mono);
    poll(as[0]); // never answers
    advance(299 * second);
    ClientView v = system.update(as, mono, wall);
    EXPECT_EQ(v.state.stratum, 16); // still waiting
    EXPECT_EQ(v.state.leap, Leap::unsynchronized);
    advance(1 * second);
    v = system.update(as, mono, wall);
    EXPECT_EQ(v.state.stratum, 10);
    EXPECT_EQ(v.state.leap, Leap::none);
    EXPECT_EQ(v.state.reference_id, 0x7f000001u); // ntpd: the loopback address
    EXPECT_EQ(v.state.root_delay, 0u);
    EXPECT_EQ(v.state.root_dispersion, 0u);
    EXPECT_EQ(v.details.system_peer_id, 0);

    // A real source ends it.
    ASSERT_EQ(exchange(as[0], 0, 0.002), ReplyResult::accepted);
    v = system.update(as, mono, wall);
    EXPECT_EQ(v.state.stratum, 3);

    o.orphan_stratum = 1; // ntpd says "LOOP" then: a stratum-1 refid is ASCII
    o.orphan_wait = 0s;
    SystemProcess top(o, mono);
    EXPECT_EQ(top.update({}, mono, wall).state.reference_id, ascii_id("LOOP"));
}

TEST_F(Clocks, FrequencyIsTheSlopeOfTheOffset) {
    std::vector<Association> as;
    as.emplace_back(1, upstream("192.0.2.1", 6, 6), AssociationOptions{}, mono);
    SystemProcess system({}, mono);
    ClientView v;
    // Our clock runs 5 ppm fast: the server's offset falls 5 us per second (320 us a poll).
    // Each delay a little shorter than the last, so that the filter's best is the newest.
    for (int i = 0; i < 6; ++i) {
        const double offset = 0.010 - 5e-6 * static_cast<double>(64 * i);
        const double delay = 0.002 - 1e-6 * static_cast<double>(i);
        ASSERT_EQ(exchange(as[0], offset, delay), ReplyResult::accepted);
        v = system.update(as, mono, wall);
        EXPECT_NEAR(v.details.offset, offset, stamp_error);
    }
    EXPECT_NEAR(v.details.frequency_ppm, -5.0, 1e-3);
}

TEST(ReferenceId, Ipv6IsTheFirstFourOctetsOfTheMd5OfTheAddress) {
    // md5(::1) = cf404dc8..., md5(2001:db8::1) = 39ab9b37... (md5sum of the 16 bytes)
    EXPECT_EQ(reference_id_for(ip("::1")), 0xcf404dc8u);
    EXPECT_EQ(reference_id_for(ip("2001:db8::1")), 0x39ab9b37u);
    EXPECT_EQ(reference_id_for(ip("::ffff:10.1.2.3")), 0x0a010203u); // v4-mapped: IPv4
}

// --- from ntp.conf -------------------------------------------------------------------------

using FromConfig = config_test::NtpConfig;

TEST_F(FromConfig, UpstreamsAndTosComeFromTheConfig) {
    Config c = clean("server 192.0.2.1 iburst minpoll 4 maxpoll 6 key 3 prefer\n"
                     "server 127.127.1.0\n"
                     "fudge 127.127.1.0 stratum 7 refid AB\n"
                     "pool pool.example.org\n"
                     "server ntp.example.org noselect version 3\n"
                     "tos orphan 9 orphanwait 10 minsane 2 minclock 4 maxdist 2 mindist 0.01\n");
    auto ups = upstreams_from(c);
    ASSERT_EQ(ups.size(), 4u);
    EXPECT_EQ(ups[0].address, ip("192.0.2.1"));
    EXPECT_TRUE(ups[0].iburst);
    EXPECT_TRUE(ups[0].prefer);
    EXPECT_EQ(ups[0].minpoll, 4);
    EXPECT_EQ(ups[0].maxpoll, 6);
    EXPECT_EQ(ups[0].key, 3u);
    EXPECT_TRUE(ups[1].local_clock);
    EXPECT_EQ(ups[1].local_stratum, 7);
    EXPECT_EQ(ups[1].local_refid, 0x41420000u); // "AB\0\0"
    EXPECT_EQ(ups[2].name, "pool.example.org");
    EXPECT_FALSE(ups[2].address); // names are never resolved in the core
    EXPECT_FALSE(ups[2].configured);
    EXPECT_TRUE(ups[3].noselect);
    EXPECT_EQ(ups[3].version, 3);
    EXPECT_TRUE(ups[3].configured);

    SystemOptions o = system_options_from(c, -21);
    EXPECT_EQ(o.orphan_stratum, 9);
    EXPECT_EQ(o.orphan_wait, 10s);
    EXPECT_EQ(o.limits.minsane, 2);
    EXPECT_EQ(o.limits.minclock, 4);
    EXPECT_EQ(o.limits.maxdist, 2);
    EXPECT_EQ(o.mindist, 0.01);
    EXPECT_EQ(o.precision, -21);

    SystemOptions d = system_options_from(clean("server 192.0.2.1\n"), -20);
    EXPECT_EQ(d.orphan_stratum, 16);
    EXPECT_EQ(d.orphan_wait, 300s);
    EXPECT_EQ(upstreams_from(clean("server 127.127.1.0\n"))[0].local_stratum, 5);
}

} // namespace
} // namespace superd::ntp
