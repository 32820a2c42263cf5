// The RFC 5905 responder as a pure function: replies to client and symmetric requests, kisses,
// crypto-NAKs, and what is never answered.
#include "ntpd/responder.hpp"

#include <gtest/gtest.h>

namespace superd::ntp {
namespace {

Packet request(Mode mode = Mode::client, std::uint8_t version = 4) {
    Packet p;
    p.mode = mode;
    p.version = version;
    p.poll = 6;
    p.precision = 32;
    p.transmit = {0x209582b7, 0xe3e82d7c}; // chronyd's random transmit timestamp
    return p;
}

SystemState synced() {
    SystemState s;
    s.leap = Leap::none;
    s.stratum = 3;
    s.reference_id = 0x7f000001;
    s.reference_time = {0xed000000, 0x80000000};
    s.root_delay = 0x00000123;
    s.root_dispersion = 0x00000456;
    s.precision = -24;
    return s;
}

const Timestamp received{0xed001234, 0x11111111};

TEST(NtpResponder, ClientRequestGetsAServerReply) {
    for (std::uint8_t version : {1, 2, 3, 4}) {
        Response r = respond(request(Mode::client, version), received, synced(), Access::serve);
        ASSERT_EQ(r.outcome, Outcome::reply);
        const Packet& p = r.packet;
        EXPECT_EQ(p.mode, Mode::server);
        EXPECT_EQ(p.version, version); // copied
        EXPECT_EQ(p.poll, 6);          // copied
        EXPECT_EQ(p.leap, Leap::none);
        EXPECT_EQ(p.stratum, 3);
        EXPECT_EQ(p.precision, -24);
        EXPECT_EQ(p.reference_id, 0x7f000001u);
        EXPECT_EQ(p.reference, (Timestamp{0xed000000, 0x80000000}));
        EXPECT_EQ(p.root_delay, 0x123u);
        EXPECT_EQ(p.root_dispersion, 0x456u);
        EXPECT_EQ(p.origin, request().transmit); // the request's transmit, byte for byte
        EXPECT_EQ(p.receive, received);
        EXPECT_TRUE(p.transmit.is_zero()); // written by the caller at the last moment
        EXPECT_FALSE(p.mac);
        EXPECT_FALSE(r.mac_key);
        EXPECT_EQ(encode(p).size(), header_size);
    }
}

TEST(NtpResponder, UnsynchronizedIsStratumZeroWithLeapThree) {
    SystemState s; // stratum 16, never synchronized
    Response r = respond(request(), received, s, Access::serve);
    ASSERT_EQ(r.outcome, Outcome::reply);
    EXPECT_EQ(r.packet.stratum, 0);
    EXPECT_EQ(r.packet.leap, Leap::unsynchronized);
    // A leap second announced by a synchronized server goes out as is.
    SystemState leap = synced();
    leap.leap = Leap::add_second;
    EXPECT_EQ(respond(request(), received, leap, Access::serve).packet.leap, Leap::add_second);
}

TEST(NtpResponder, SymmetricActiveGetsPassiveOrNothing) {
    Response r = respond(request(Mode::symmetric_active), received, synced(), Access::serve);
    ASSERT_EQ(r.outcome, Outcome::reply);
    EXPECT_EQ(r.packet.mode, Mode::symmetric_passive);
    EXPECT_EQ(
        respond(request(Mode::symmetric_active), received, synced(), Access::serve, false).outcome,
        Outcome::drop);
}

TEST(NtpResponder, NeverAnswersServersBroadcastsOrOddModes) {
    for (Mode m : {Mode::reserved, Mode::symmetric_passive, Mode::server, Mode::broadcast,
                   Mode::private_use})
        EXPECT_EQ(respond(request(m), received, synced(), Access::serve).outcome, Outcome::drop)
            << int(m);
}

TEST(NtpResponder, KissesAndSilence) {
    EXPECT_EQ(respond(request(), received, synced(), Access::ignore).outcome, Outcome::drop);
    for (auto [access, code] :
         {std::pair{Access::kiss_deny, "DENY"}, std::pair{Access::kiss_rstr, "RSTR"},
          std::pair{Access::kiss_rate, "RATE"}}) {
        Response r = respond(request(), received, synced(), access);
        ASSERT_EQ(r.outcome, Outcome::kiss);
        EXPECT_EQ(r.packet.stratum, 0);
        EXPECT_EQ(r.packet.leap, Leap::unsynchronized);
        auto wire = encode(r.packet);
        EXPECT_EQ(std::string(wire.begin() + 12, wire.begin() + 16), code);
        EXPECT_EQ(r.packet.origin, request().transmit);
    }
}

TEST(NtpResponder, MacsAnswerWithTheSameKeyOrACryptoNak) {
    Packet signed_request = request();
    signed_request.mac = Mac{17, std::vector<std::uint8_t>(16, 0xaa)};
    Response r = respond(signed_request, received, synced(), Access::serve);
    ASSERT_EQ(r.outcome, Outcome::reply);
    EXPECT_EQ(r.mac_key, 17u);
    EXPECT_FALSE(r.packet.mac); // the caller appends it, computed over the final bytes
    Response nak = respond(signed_request, received, synced(), Access::crypto_nak);
    ASSERT_EQ(nak.outcome, Outcome::crypto_nak);
    ASSERT_TRUE(nak.packet.mac);
    EXPECT_EQ(nak.packet.mac->key_id, 0u);
    EXPECT_EQ(encode(nak.packet).size(), header_size + 4);
    // Extension fields are never echoed: the reply is never larger than the request.
    Packet with_ext = request();
    with_ext.extensions.assign(16, 0);
    with_ext.extensions[3] = 16;
    EXPECT_EQ(encode(respond(with_ext, received, synced(), Access::serve).packet).size(),
              header_size);
}

} // namespace
} // namespace superd::ntp
