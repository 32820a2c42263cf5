// The DHCPv4/BOOTP codec on byte vectors: hand-built messages for each rule (option overload,
// RFC 3396 long options, plain BOOTP, every decode error), real captures from Debian's clients
// and ISC dhcpd (captures/, see its README), and every truncation and byte mutation of them.
#include "dhcpd/packet.hpp"
#include "tests/unit/dhcpd/captures.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace superd::dhcp {
namespace {

using Bytes = std::vector<std::uint8_t>;
using test::capture;
using test::read_hex;

// A BOOTREQUEST header from chaddr 52:54:00:12:34:56, xid 0x11223344, then `tail`.
Bytes request_header(const Bytes& tail, bool cookie = true) {
    Bytes b(fixed_size, 0);
    b[0] = 1;
    b[1] = 1;
    b[2] = 6;
    b[4] = 0x11, b[5] = 0x22, b[6] = 0x33, b[7] = 0x44;
    b[10] = 0x80; // broadcast flag
    const std::uint8_t mac[] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    std::copy(std::begin(mac), std::end(mac), b.begin() + 28);
    // resize + copy rather than insert: g++ 12 warns falsely (-Warray-bounds) on the latter.
    std::size_t at = b.size();
    b.resize(at + (cookie ? magic_cookie.size() : 0) + tail.size());
    if (cookie) {
        std::copy(magic_cookie.begin(), magic_cookie.end(), b.begin() + static_cast<long>(at));
        at += magic_cookie.size();
    }
    std::copy(tail.begin(), tail.end(), b.begin() + static_cast<long>(at));
    return b;
}

bool same(const Packet& a, const Packet& b) {
    return a.op == b.op && a.htype == b.htype && a.hlen == b.hlen && a.hops == b.hops &&
           a.xid == b.xid && a.secs == b.secs && a.flags == b.flags && a.ciaddr == b.ciaddr &&
           a.yiaddr == b.yiaddr && a.siaddr == b.siaddr && a.giaddr == b.giaddr &&
           a.chaddr == b.chaddr && a.sname == b.sname && a.file == b.file && a.dhcp == b.dhcp &&
           std::map(a.options.begin(), a.options.end()) ==
               std::map(b.options.begin(), b.options.end());
}

TEST(DhcpPacket, DecodesADiscover) {
    Bytes b = request_header({53, 1, 1, 61, 7, 1,  0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
                              55, 4, 1, 3,  6, 42, 12,   3,    'v',  'm',  '1',  255});
    auto p = decode(b);
    ASSERT_TRUE(p) << to_string(p.error());
    EXPECT_EQ(p->op, 1);
    EXPECT_EQ(p->xid, 0x11223344u);
    EXPECT_EQ(p->flags, broadcast_flag);
    EXPECT_EQ(p->message_type(), MessageType::discover);
    EXPECT_EQ(p->hardware_address().size(), 6u);
    EXPECT_EQ(p->hardware_address()[5], 0x56);
    ASSERT_NE(p->find(option::parameter_request_list), nullptr);
    EXPECT_EQ(*p->find(option::parameter_request_list), (Bytes{1, 3, 6, 42}));
    EXPECT_EQ(*p->find(option::host_name), (Bytes{'v', 'm', '1'}));
    EXPECT_EQ(p->find(option::routers), nullptr);
}

TEST(DhcpPacket, PadsAndAMissingEndAreAccepted) {
    auto p = decode(request_header({0, 0, 53, 1, 3, 0, 50, 4, 10, 0, 0, 7}));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->message_type(), MessageType::request);
    EXPECT_EQ(p->ip_option(option::requested_address), 0x0a000007u);
}

TEST(DhcpPacket, LongOptionsAreJoined) {
    // RFC 3396: option 121 in two parts, another option between them.
    auto p = decode(request_header({121, 3, 24, 10, 1, 53, 1, 1, 121, 4, 10, 0, 0, 1, 255}));
    ASSERT_TRUE(p);
    EXPECT_EQ(*p->find(option::classless_static_routes), (Bytes{24, 10, 1, 10, 0, 0, 1}));
    EXPECT_EQ(p->options.front().first, option::classless_static_routes); // first appearance
}

TEST(DhcpPacket, OverloadReadsFileThenSname) {
    Bytes b = request_header({53, 1, 1, 52, 1, 3, 255});
    // file field (offset 108) holds option 12, sname (offset 44) holds option 15.
    const Bytes in_file{12, 2, 'h', 'i', 255};
    const Bytes in_sname{15, 3, 'l', 'a', 'b', 255};
    std::copy(in_file.begin(), in_file.end(), b.begin() + 108);
    std::copy(in_sname.begin(), in_sname.end(), b.begin() + 44);
    auto p = decode(b);
    ASSERT_TRUE(p) << to_string(p.error());
    EXPECT_EQ(*p->find(option::host_name), (Bytes{'h', 'i'}));
    EXPECT_EQ(*p->find(option::domain_name), (Bytes{'l', 'a', 'b'}));
    EXPECT_EQ(p->file, ""); // the fields carried options, not names
    EXPECT_EQ(p->sname, "");
    EXPECT_EQ(p->find(option::overload), nullptr);
}

TEST(DhcpPacket, PlainBootpHasNoOptions) {
    Bytes b = request_header(Bytes(64, 0), false);
    const std::string file = "pxelinux.0";
    std::copy(file.begin(), file.end(), b.begin() + 108);
    auto p = decode(b);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->dhcp);
    EXPECT_TRUE(p->options.empty());
    EXPECT_EQ(p->file, "pxelinux.0");
    EXPECT_EQ(p->message_type(), std::nullopt);
    auto again = encode(*p);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->size(), bootp_size);
    EXPECT_TRUE(same(*decode(*again), *p));
}

TEST(DhcpPacket, EachDecodeError) {
    EXPECT_EQ(decode(Bytes(235, 0)).error(), DecodeError::too_short);
    Bytes b = request_header({53, 1, 1, 255});
    b[0] = 3;
    EXPECT_EQ(decode(b).error(), DecodeError::bad_op);
    b = request_header({53, 1, 1, 255});
    b[2] = 17;
    EXPECT_EQ(decode(b).error(), DecodeError::bad_hlen);
    EXPECT_EQ(decode(request_header({53, 1, 1, 12, 9, 'a'})).error(),
              DecodeError::truncated_option);
    EXPECT_EQ(decode(request_header({53, 1, 1, 12})).error(), DecodeError::truncated_option);
    EXPECT_EQ(decode(request_header({52, 1, 4, 255})).error(), DecodeError::bad_overload);
    EXPECT_EQ(decode(request_header({52, 2, 1, 1, 255})).error(), DecodeError::bad_overload);
    EXPECT_EQ(decode(request_header({53, 1, 9, 255})).error(), DecodeError::bad_message_type);
    EXPECT_EQ(decode(request_header({53, 2, 1, 1, 255})).error(), DecodeError::bad_message_type);
}

Packet reply_with_options(std::size_t extra) {
    Packet p;
    p.op = 2;
    p.xid = 0xdeadbeef;
    p.yiaddr = 0x0a000064;
    p.siaddr = 0x0a000001;
    p.chaddr = {0x52, 0x54, 0, 1, 2, 3};
    p.set(option::message_type, {5});
    p.set(option::server_identifier, {10, 0, 0, 1});
    p.set(option::lease_time, {0, 0, 0x0e, 0x10});
    p.set(option::routers, {10, 0, 0, 1});
    Bytes search(extra, 'x');
    p.set(option::domain_search, search);
    return p;
}

TEST(DhcpPacket, EncodeRoundTripsAndPadsToBootpSize) {
    Packet p = reply_with_options(10);
    p.file = "pxelinux.0";
    p.sname = "tftp.lab";
    auto bytes = encode(p);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(bytes->size(), bootp_size);
    EXPECT_EQ((*bytes)[240], option::message_type); // first, where clients look
    auto back = decode(*bytes);
    ASSERT_TRUE(back);
    EXPECT_TRUE(same(*back, p));
}

TEST(DhcpPacket, NamesMayFillTheirFields) {
    Packet p = reply_with_options(0);
    p.sname = std::string(sname_size, 's'); // no room for a NUL: none is written
    p.file = std::string(file_size, 'f');
    auto back = decode(*encode(p));
    ASSERT_TRUE(back);
    EXPECT_TRUE(same(*back, p));
}

TEST(DhcpPacket, LongValuesAreSplitAndTooManyOptionsOverload) {
    // 300 bytes: split into 255 + 45; fits in 576 without overload.
    Packet p = reply_with_options(300);
    auto bytes = encode(p);
    ASSERT_TRUE(bytes);
    EXPECT_LE(bytes->size(), min_dhcp_size);
    EXPECT_TRUE(same(*decode(*bytes), p));
    // 450 bytes do not fit in 576 with the rest: file and sname carry the rest (option 52).
    p = reply_with_options(450);
    bytes = encode(p);
    ASSERT_TRUE(bytes) << to_string(bytes.error());
    EXPECT_EQ(bytes->size(), min_dhcp_size);
    auto back = decode(*bytes);
    ASSERT_TRUE(back);
    EXPECT_TRUE(same(*back, p));
    // A client that takes larger messages gets no overload.
    bytes = encode(p, 1500);
    ASSERT_TRUE(bytes);
    EXPECT_GT(bytes->size(), min_dhcp_size);
    EXPECT_TRUE(same(*decode(*bytes), p));
    // Too much for 576 even with file and sname, and both fields taken by names.
    p = reply_with_options(700);
    p.file = "boot";
    EXPECT_EQ(encode(p).error(), EncodeError::too_big);
}

// ---- real captures

std::vector<std::filesystem::path> captures() {
    std::vector<std::filesystem::path> out;
    for (const auto& e : std::filesystem::directory_iterator(CAPTURE_DIR))
        if (e.path().extension() == ".hex") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

TEST(DhcpCaptures, EveryCaptureDecodesAndRoundTrips) {
    auto files = captures();
    ASSERT_FALSE(files.empty()) << CAPTURE_DIR;
    for (const auto& f : files) {
        SCOPED_TRACE(f.filename().string());
        Bytes b = read_hex(f);
        auto p = decode(b);
        ASSERT_TRUE(p) << to_string(p.error());
        std::string name = f.filename().string();
        if (!p->message_type()) {
            // BOOTP (RFC 951), with or without RFC 1048 vendor extensions after the cookie.
            EXPECT_NE(name.find("boot"), std::string::npos) << "no DHCP message type";
        } else {
            std::string type(to_string(*p->message_type()));
            std::string word = type.substr(4); // DISCOVER, OFFER, ...
            std::transform(word.begin(), word.end(), word.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            EXPECT_NE(name.find(word), std::string::npos) << "file name vs " << type;
        }
        auto again = encode(*p, std::max<std::size_t>(b.size(), min_dhcp_size));
        ASSERT_TRUE(again);
        auto back = decode(*again);
        ASSERT_TRUE(back);
        EXPECT_TRUE(same(*back, *p));
    }
}

TEST(DhcpCaptures, WhatTheClientsAndIscDhcpdSaid) {
    Packet discover = capture("udhcpc_discover.hex");
    EXPECT_EQ(discover.u16_option(option::max_message_size), 576);
    EXPECT_EQ(*discover.find(option::parameter_request_list), (Bytes{1, 3, 6, 12, 15, 28, 42}));
    EXPECT_EQ(discover.hardware_address()[5], 0x01);

    Packet offer = capture("iscdhcpd_offer_to_dhclient.hex");
    EXPECT_EQ(offer.op, 2);
    EXPECT_EQ(offer.message_type(), MessageType::offer);
    EXPECT_EQ(offer.yiaddr, 0x0a630065u); // 10.99.0.101
    EXPECT_EQ(offer.ip_option(option::server_identifier), 0x0a630001u);
    EXPECT_EQ(offer.u32_option(option::lease_time), 600u);
    EXPECT_EQ(offer.ip_option(option::subnet_mask), 0xffffff00u);
    EXPECT_EQ(offer.ip_option(option::routers), 0x0a630001u);
    EXPECT_EQ(*offer.find(option::domain_name_servers), (Bytes{10, 99, 0, 53, 10, 99, 0, 54}));
    EXPECT_EQ(offer.ip_option(option::ntp_servers), 0x0a63007bu);
    const auto* domain = offer.find(option::domain_name);
    ASSERT_NE(domain, nullptr);
    EXPECT_EQ(std::string(domain->begin(), domain->end()), "test.example");

    // dhcpcd's REQUEST ends exactly at byte 300 with its end option: no padding at all.
    Packet request = capture("dhcpcd_request.hex");
    EXPECT_EQ(request.message_type(), MessageType::request);
    EXPECT_EQ(request.ip_option(option::requested_address), 0x0a630066u);

    Packet release = capture("udhcpc_release.hex");
    EXPECT_EQ(release.message_type(), MessageType::release);
    EXPECT_EQ(release.ciaddr, 0x0a630064u);

    // BOOTP: a cookie and nothing else from bootpc; the fixed address and boot file back.
    Packet boot = capture("bootpc_request.hex");
    EXPECT_TRUE(boot.options.empty());
    EXPECT_EQ(boot.flags, broadcast_flag);
    Packet reply = capture("iscdhcpd_bootreply_to_bootpc.hex");
    EXPECT_EQ(reply.yiaddr, 0x0a63002cu); // 10.99.0.44
    EXPECT_EQ(reply.siaddr, 0x0a630001u);
    EXPECT_EQ(reply.file, "pxelinux.0");
    EXPECT_EQ(reply.message_type(), std::nullopt);
}

TEST(DhcpCaptures, TruncationsAndMutationsNeverBreakTheCodec) {
    for (const auto& f : captures()) {
        SCOPED_TRACE(f.filename().string());
        Bytes b = read_hex(f);
        for (std::size_t n = 0; n < b.size(); ++n) { // every prefix
            auto p = decode(std::span(b).first(n));
            if (n < fixed_size) {
                EXPECT_EQ(p.error(), DecodeError::too_short);
            }
        }
        for (std::size_t i = 0; i < b.size(); ++i) { // every byte, three ways
            for (std::uint8_t v :
                 {std::uint8_t(0), std::uint8_t(0xff), std::uint8_t(b[i] ^ 0x55)}) {
                Bytes m = b;
                m[i] = v;
                auto p = decode(m);
                if (!p) continue;
                auto again = encode(*p, 1500);
                if (!again) continue;
                auto back = decode(*again);
                ASSERT_TRUE(back) << "byte " << i;
                EXPECT_TRUE(same(*back, *p)) << "byte " << i;
            }
        }
    }
}

} // namespace
} // namespace superd::dhcp
