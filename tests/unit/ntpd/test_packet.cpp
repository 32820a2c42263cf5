// The NTP packet codec on real client requests and on built, truncated and mutated packets.
//
// The two requests were captured on 2026-11-23 on this project's Debian 12 machine by a python3
// UDP listener on 127.0.0.1 (no server answered): chronyd 4.3 (Debian chrony 4.3-2+deb12u3,
// unpacked with dpkg -x, run as `chronyd -x -u root -Q -f /dev/null "server 127.0.0.1 port
// 12323 iburst maxsamples 1"` without CAP_SYS_TIME) and rdate 1.11 (`rdate -n -p -o 12324
// 127.0.0.1`). Both fill the transmit timestamp with random bits, as their privacy measure.
#include "ntpd/packet.hpp"

#include <gtest/gtest.h>

#include <string>

namespace superd::ntp {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(const std::string& text) {
    EXPECT_EQ(text.size() % 2, 0u);
    Bytes out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
    return out;
}

const Bytes chronyd_request = hex("2300062000000000000000000000000000000000000000000000000000000000"
                                  "0000000000000000209582b7e3e82d7c");
const Bytes rdate_request = hex("2300000000000000000000000000000000000000000000000000000000000000"
                                "0000000000000000ffcebb9feaa07b22");

TEST(NtpPacket, RealClientRequests) {
    auto c = decode(chronyd_request);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->version, 4);
    EXPECT_EQ(c->mode, Mode::client);
    EXPECT_EQ(c->leap, Leap::none);
    EXPECT_EQ(c->poll, 6);
    EXPECT_EQ(c->precision, 32);
    EXPECT_EQ(c->transmit, (Timestamp{0x209582b7, 0xe3e82d7c}));
    EXPECT_TRUE(c->origin.is_zero());
    EXPECT_FALSE(c->mac);
    EXPECT_TRUE(c->extensions.empty());
    EXPECT_EQ(encode(*c), chronyd_request);

    auto r = decode(rdate_request);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->mode, Mode::client);
    EXPECT_EQ(r->poll, 0);
    EXPECT_EQ(r->transmit, (Timestamp{0xffcebb9f, 0xeaa07b22}));
    EXPECT_EQ(encode(*r), rdate_request);
}

TEST(NtpPacket, EveryFieldRoundTrips) {
    Packet p;
    p.leap = Leap::unsynchronized;
    p.version = 3;
    p.mode = Mode::server;
    p.stratum = 2;
    p.poll = -3;
    p.precision = -24;
    p.root_delay = 0x00012345;
    p.root_dispersion = 0x00000a00;
    p.reference_id = ascii_id("LOCL");
    p.reference = {1, 2};
    p.origin = {3, 4};
    p.receive = {5, 6};
    p.transmit = {0xfffffffe, 0xffffffff};
    Bytes wire = encode(p);
    ASSERT_EQ(wire.size(), header_size);
    EXPECT_EQ(wire[0], 0xdc); // LI 3, VN 3, mode 4
    EXPECT_EQ(wire[12], 'L');
    EXPECT_EQ(wire[15], 'L');
    auto back = decode(wire);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, p);
}

TEST(NtpPacket, MacsAndExtensionFields) {
    Packet p = *decode(chronyd_request);
    for (std::size_t digest : {16u, 20u}) { // MD5 or AES-CMAC; SHA1
        p.mac = Mac{42, Bytes(digest, 0xab)};
        Bytes wire = encode(p);
        EXPECT_EQ(wire.size(), header_size + 4 + digest);
        auto back = decode(wire);
        ASSERT_TRUE(back);
        EXPECT_EQ(back->mac, p.mac);
        EXPECT_EQ(mac_covered_size(*back), header_size);
    }
    // A crypto-NAK: key id 0, no digest.
    p.mac = Mac{0, {}};
    ASSERT_TRUE(decode(encode(p)));
    EXPECT_EQ(decode(encode(p))->mac, p.mac);
    // An extension field (type 0x0104, length 28) then a MAC.
    p.extensions = {0x01, 0x04, 0x00, 0x1c};
    p.extensions.resize(28, 0x55);
    p.mac = Mac{7, Bytes(16, 1)};
    auto back = decode(encode(p));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->extensions, p.extensions);
    EXPECT_EQ(back->mac, p.mac);
    EXPECT_EQ(mac_covered_size(*back), header_size + 28);
}

TEST(NtpPacket, BadInputIsNamed) {
    for (std::size_t n = 0; n < header_size; ++n) {
        auto r = decode(std::span(chronyd_request).first(n));
        ASSERT_FALSE(r) << n;
        EXPECT_EQ(r.error(), DecodeError::too_short) << n;
    }
    Bytes v0 = chronyd_request;
    v0[0] = 0x03; // version 0
    EXPECT_EQ(decode(v0).error(), DecodeError::bad_version);
    Bytes v5 = chronyd_request;
    v5[0] = 0x2b; // version 5
    EXPECT_EQ(decode(v5).error(), DecodeError::bad_version);
    Bytes control = {0x16, 0x01, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}; // ntpq's readstat
    EXPECT_EQ(decode(control).error(), DecodeError::control_message);
    // Trailers that are neither a MAC (4, 20, 24 bytes) nor extension fields.
    for (std::size_t extra : {1u, 8u, 16u, 21u}) {
        Bytes b = chronyd_request;
        b.resize(header_size + extra, 0);
        EXPECT_EQ(decode(b).error(), DecodeError::bad_trailer) << extra;
    }
    Bytes nak = chronyd_request;
    nak.insert(nak.end(), {0, 0, 0, 9}); // 4 bytes, but not key id 0
    EXPECT_EQ(decode(nak).error(), DecodeError::bad_trailer);
    // Extension fields that are too short, unaligned, or run past the end.
    for (std::uint16_t length : {8, 30, 400}) {
        Bytes b = chronyd_request;
        b.insert(b.end(), {0x01, 0x04, static_cast<std::uint8_t>(length >> 8),
                           static_cast<std::uint8_t>(length)});
        b.resize(header_size + 32, 0);
        EXPECT_EQ(decode(b).error(), DecodeError::bad_extension) << length;
    }
}

TEST(NtpPacket, TransmitTimestampIsPatchedInPlace) {
    Bytes wire = encode(*decode(chronyd_request));
    write_timestamp(std::span(wire).subspan(transmit_offset, 8), {0x01020304, 0x05060708});
    EXPECT_EQ(decode(wire)->transmit, (Timestamp{0x01020304, 0x05060708}));
    EXPECT_EQ(wire.size(), header_size);
}

} // namespace
} // namespace superd::ntp
