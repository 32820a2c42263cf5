// The server handshake, byte for byte, for each protocol version and security type, with the
// client's side written out as the RFB spec gives it; every split of a client's bytes.
#include "vnc/rfb/handshake.hpp"

#include <gtest/gtest.h>

#include <string>

namespace superd::vnc {
namespace {

Bytes bytes(std::string_view s) {
    return Bytes(s.begin(), s.end());
}
Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}
Bytes u32(std::uint32_t v) {
    Bytes b;
    put_u32(b, v);
    return b;
}
Bytes lstring(std::string_view s) {
    Bytes b;
    put_lstring(b, s);
    return b;
}

Challenge test_challenge() {
    Challenge c;
    for (std::size_t i = 0; i < c.size(); ++i)
        c[i] = static_cast<std::uint8_t>(i);
    return c;
}
Bytes challenge_bytes() {
    Challenge c = test_challenge();
    return Bytes(c.begin(), c.end());
}
// "password" and "secret" answering test_challenge() (see test_vnc_auth.cpp for the vectors).
const Bytes password_response{0xb8, 0x66, 0x92, 0x41, 0x25, 0xc8, 0xee, 0xbb,
                              0x9d, 0xeb, 0xc1, 0xdb, 0x61, 0xc5, 0x38, 0xe2};
const Bytes secret_response{0xee, 0x22, 0x53, 0x9f, 0x33, 0xa5, 0x98, 0x3e,
                            0xc1, 0x2f, 0x9c, 0x2e, 0xdb, 0xc9, 0x95, 0xdd};

HandshakeConfig none_config() {
    return HandshakeConfig{};
}
HandshakeConfig vnc_auth_config() {
    HandshakeConfig c;
    c.security_types = {SecurityType::vnc_auth};
    c.password = "password";
    c.view_only_password = "secret";
    c.challenge = test_challenge();
    return c;
}

// Starts a handshake and checks the greeting.
struct Session {
    explicit Session(HandshakeConfig config)
        : hs(std::move(config)) {
        hs.start(out);
        EXPECT_EQ(out, bytes("RFB 003.008\n"));
        out.clear();
    }
    // Feeds the client's bytes; returns what the server sent.
    Bytes feed(const Bytes& in, HandshakeStatus expected,
               std::size_t expected_consumed = SIZE_MAX) {
        out.clear();
        auto p = hs.feed(in, out);
        EXPECT_EQ(p.status, expected);
        EXPECT_EQ(p.consumed, expected_consumed == SIZE_MAX ? in.size() : expected_consumed);
        return out;
    }
    ServerHandshake hs;
    Bytes out;
};

const ServerInit server_init{640, 480, native_pixel_format, "console"};

Bytes server_init_bytes() {
    Bytes b;
    encode_server_init(server_init, b);
    return b;
}

TEST(Handshake, ServerInitBytes) {
    Bytes expected =
        cat({Bytes{0x02, 0x80, 0x01, 0xe0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0},
             lstring("console")});
    EXPECT_EQ(server_init_bytes(), expected);
}

TEST(Handshake, V38None) {
    Session s(none_config());
    EXPECT_EQ(s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more), (Bytes{1, 1}));
    EXPECT_EQ(s.feed({1}, HandshakeStatus::need_more), u32(0)); // 3.8: SecurityResult after None
    EXPECT_EQ(s.feed({1}, HandshakeStatus::client_init), Bytes{});
    EXPECT_TRUE(s.hs.shared());
    EXPECT_EQ(s.hs.version(), ProtocolVersion::v3_8);
    EXPECT_EQ(s.hs.access(), Access::full);
    Bytes init;
    s.hs.send_server_init(server_init, init);
    EXPECT_EQ(init, server_init_bytes());
    EXPECT_EQ(s.hs.status(), HandshakeStatus::done);
}

TEST(Handshake, V37NoneHasNoSecurityResult) {
    Session s(none_config());
    EXPECT_EQ(s.feed(bytes("RFB 003.007\n"), HandshakeStatus::need_more), (Bytes{1, 1}));
    EXPECT_EQ(s.feed({1}, HandshakeStatus::need_more), Bytes{});
    EXPECT_EQ(s.feed({0}, HandshakeStatus::client_init), Bytes{});
    EXPECT_FALSE(s.hs.shared());
    EXPECT_EQ(s.hs.version(), ProtocolVersion::v3_7);
}

TEST(Handshake, V33ServerPicksNone) {
    Session s(none_config());
    EXPECT_EQ(s.feed(bytes("RFB 003.003\n"), HandshakeStatus::need_more), u32(1));
    EXPECT_EQ(s.feed({1}, HandshakeStatus::client_init), Bytes{});
    EXPECT_EQ(s.hs.version(), ProtocolVersion::v3_3);
}

TEST(Handshake, V33VncAuth) {
    Session s(vnc_auth_config());
    EXPECT_EQ(s.feed(bytes("RFB 003.003\n"), HandshakeStatus::need_more),
              cat({u32(2), challenge_bytes()}));
    EXPECT_EQ(s.feed(password_response, HandshakeStatus::need_more), u32(0));
    EXPECT_EQ(s.hs.access(), Access::full);
    EXPECT_EQ(s.feed({1}, HandshakeStatus::client_init), Bytes{});
}

TEST(Handshake, V33VncAuthFailureHasNoReason) {
    Session s(vnc_auth_config());
    s.feed(bytes("RFB 003.003\n"), HandshakeStatus::need_more);
    Bytes wrong = password_response;
    wrong[0] ^= 0x01;
    EXPECT_EQ(s.feed(wrong, HandshakeStatus::failed), u32(1));
    EXPECT_EQ(s.hs.failure_reason(), "authentication failed");
}

TEST(Handshake, V37VncAuthFailureHasNoReason) {
    Session s(vnc_auth_config());
    EXPECT_EQ(s.feed(bytes("RFB 003.007\n"), HandshakeStatus::need_more), (Bytes{1, 2}));
    s.feed({2}, HandshakeStatus::need_more);
    EXPECT_EQ(s.feed(Bytes(16, 0), HandshakeStatus::failed), u32(1));
}

TEST(Handshake, V38VncAuthFailureSendsReason) {
    Session s(vnc_auth_config());
    s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    EXPECT_EQ(s.feed({2}, HandshakeStatus::need_more), challenge_bytes());
    EXPECT_EQ(s.feed(Bytes(16, 0), HandshakeStatus::failed),
              cat({u32(1), lstring("authentication failed")}));
}

TEST(Handshake, ViewOnlyPassword) {
    Session s(vnc_auth_config());
    s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    s.feed({2}, HandshakeStatus::need_more);
    EXPECT_EQ(s.feed(secret_response, HandshakeStatus::need_more), u32(0));
    EXPECT_EQ(s.hs.access(), Access::view_only);
    EXPECT_EQ(s.hs.security_type(), SecurityType::vnc_auth);
}

TEST(Handshake, VersionsOfOtherViewers) {
    struct Case {
        const char* announced;
        std::optional<ProtocolVersion> agreed;
    };
    for (auto [announced, agreed] : {
             Case{"RFB 003.003\n", ProtocolVersion::v3_3},
             Case{"RFB 003.004\n", ProtocolVersion::v3_3}, // UltraVNC
             Case{"RFB 003.005\n", ProtocolVersion::v3_3}, // RFC 6143: "interpreted as 3.3"
             Case{"RFB 003.006\n", ProtocolVersion::v3_3}, // UltraVNC
             Case{"RFB 003.007\n", ProtocolVersion::v3_7},
             Case{"RFB 003.008\n", ProtocolVersion::v3_8},
             Case{"RFB 003.889\n", ProtocolVersion::v3_8}, // Apple Remote Desktop
             Case{"RFB 003.009\n", std::nullopt},
             Case{"RFB 004.001\n", std::nullopt},
             Case{"RFB 003.00x\n", std::nullopt},
             Case{"GET / HTTP/1", std::nullopt},
         }) {
        SCOPED_TRACE(announced);
        Session s(none_config());
        if (agreed) {
            s.feed(bytes(announced), HandshakeStatus::need_more);
            EXPECT_EQ(s.hs.version(), *agreed);
        } else {
            EXPECT_EQ(s.feed(bytes(announced), HandshakeStatus::failed), Bytes{});
            EXPECT_FALSE(s.hs.failure_reason().empty());
        }
    }
}

TEST(Handshake, TypeNotOfferedFails) {
    Session s(none_config());
    s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    Bytes out = s.feed({2}, HandshakeStatus::failed);
    EXPECT_EQ(out, cat({u32(1), lstring("security type 2 was not offered")}));
}

TEST(Handshake, NoUsableTypeIsReportedToTheClient) {
    HandshakeConfig c;
    c.security_types = {SecurityType::vnc_auth}; // but no password
    Session s(c);
    EXPECT_EQ(s.feed(bytes("RFB 003.008\n"), HandshakeStatus::failed),
              cat({Bytes{0}, lstring("no security type configured")}));
    Session s33(c);
    EXPECT_EQ(s33.feed(bytes("RFB 003.003\n"), HandshakeStatus::failed),
              cat({u32(0), lstring("no security type for RFB 3.3 clients")}));
}

HandshakeConfig vencrypt_config() {
    HandshakeConfig c = vnc_auth_config();
    c.security_types = {SecurityType::vencrypt, SecurityType::vnc_auth};
    c.vencrypt_subtypes = {VencryptSubtype::x509_vnc, VencryptSubtype::tls_none,
                           VencryptSubtype::plain}; // plain: not offered, no check_plain
    return c;
}

TEST(Handshake, VencryptX509VncAuth) {
    Session s(vencrypt_config());
    EXPECT_EQ(s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more), (Bytes{2, 19, 2}));
    EXPECT_EQ(s.feed({19}, HandshakeStatus::need_more), (Bytes{0, 2}));
    EXPECT_EQ(s.feed({0, 2}, HandshakeStatus::need_more), cat({Bytes{0, 2}, u32(261), u32(257)}));
    // The client's TLS ClientHello may follow in the same read: it is not consumed.
    Bytes choice = cat({u32(261), Bytes{0x16, 0x03, 0x01}});
    EXPECT_EQ(s.feed(choice, HandshakeStatus::start_tls, 4), (Bytes{1}));
    EXPECT_EQ(s.hs.vencrypt_subtype(), VencryptSubtype::x509_vnc);
    Bytes out;
    EXPECT_EQ(s.hs.tls_ready(out), HandshakeStatus::need_more);
    EXPECT_EQ(out, challenge_bytes());
    EXPECT_EQ(s.feed(password_response, HandshakeStatus::need_more), u32(0));
    EXPECT_EQ(s.feed({1}, HandshakeStatus::client_init), Bytes{});
    EXPECT_EQ(s.hs.security_type(), SecurityType::vencrypt);
}

TEST(Handshake, VencryptTlsNoneOnV37SendsSecurityResult) {
    Session s(vencrypt_config());
    s.feed(bytes("RFB 003.007\n"), HandshakeStatus::need_more);
    s.feed({19}, HandshakeStatus::need_more);
    s.feed({0, 2}, HandshakeStatus::need_more);
    EXPECT_EQ(s.feed(u32(257), HandshakeStatus::start_tls), (Bytes{1}));
    Bytes out;
    EXPECT_EQ(s.hs.tls_ready(out), HandshakeStatus::need_more);
    EXPECT_EQ(out, u32(0)); // the type was VeNCrypt, not None: a result even before 3.8
}

TEST(Handshake, VencryptRejectsOtherVersionsAndSubtypes) {
    Session s(vencrypt_config());
    s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    s.feed({19}, HandshakeStatus::need_more);
    EXPECT_EQ(s.feed({0, 1}, HandshakeStatus::failed), (Bytes{1}));

    Session t(vencrypt_config());
    t.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    t.feed({19}, HandshakeStatus::need_more);
    t.feed({0, 2}, HandshakeStatus::need_more);
    EXPECT_EQ(t.feed(u32(256), HandshakeStatus::failed), (Bytes{0})); // Plain was not offered
}

TEST(Handshake, VencryptPlain) {
    HandshakeConfig c;
    c.security_types = {SecurityType::vencrypt};
    c.vencrypt_subtypes = {VencryptSubtype::plain};
    c.check_plain = [](std::string_view user, std::string_view password) -> std::optional<Access> {
        if (user == "lab" && password == "pw") return Access::view_only;
        return std::nullopt;
    };
    Session s(c);
    EXPECT_EQ(s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more), (Bytes{1, 19}));
    s.feed({19}, HandshakeStatus::need_more);
    EXPECT_EQ(s.feed({0, 2}, HandshakeStatus::need_more), cat({Bytes{0, 1}, u32(256)}));
    EXPECT_EQ(s.feed(u32(256), HandshakeStatus::need_more), Bytes{}); // no TLS, no ack
    Bytes creds = cat({u32(3), u32(2), bytes("labpw")});
    EXPECT_EQ(s.feed(creds, HandshakeStatus::need_more), u32(0));
    EXPECT_EQ(s.hs.access(), Access::view_only);
    EXPECT_EQ(s.hs.plain_user(), "lab");

    Session bad(c);
    bad.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    bad.feed({19}, HandshakeStatus::need_more);
    bad.feed({0, 2}, HandshakeStatus::need_more);
    bad.feed(u32(256), HandshakeStatus::need_more);
    EXPECT_EQ(bad.feed(cat({u32(3), u32(0), bytes("lab")}), HandshakeStatus::failed),
              cat({u32(1), lstring("authentication failed")}));

    Session huge(c);
    huge.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    huge.feed({19}, HandshakeStatus::need_more);
    huge.feed({0, 2}, HandshakeStatus::need_more);
    huge.feed(u32(256), HandshakeStatus::need_more);
    huge.feed(cat({u32(0xffffffff), u32(0)}), HandshakeStatus::failed);
}

TEST(Handshake, StopsAtClientInit) {
    Session s(none_config());
    s.feed(bytes("RFB 003.008\n"), HandshakeStatus::need_more);
    s.feed({1}, HandshakeStatus::need_more);
    // ClientInit then the first SetEncodings: only the ClientInit is the handshake's.
    s.feed({1, 2, 0, 0, 1, 0, 0, 0, 0}, HandshakeStatus::client_init, 1);
    // Nothing more is consumed until ServerInit is sent, nor after.
    s.feed({2, 0}, HandshakeStatus::client_init, 0);
    Bytes init;
    s.hs.send_server_init(server_init, init);
    s.feed({2, 0}, HandshakeStatus::done, 0);
}

// The server's answer to a client's whole byte sequence, fed in two pieces split at `at`.
Bytes run_split(const HandshakeConfig& c, const Bytes& client, std::size_t at,
                HandshakeStatus& status) {
    ServerHandshake hs(c);
    Bytes out;
    hs.start(out);
    Bytes first(client.begin(), client.begin() + static_cast<std::ptrdiff_t>(at));
    Bytes second(client.begin() + static_cast<std::ptrdiff_t>(at), client.end());
    auto p1 = hs.feed(first, out);
    EXPECT_EQ(p1.consumed, first.size());
    auto p2 = hs.feed(second, out);
    EXPECT_EQ(p2.consumed, second.size());
    status = p2.status;
    return out;
}

TEST(Handshake, EverySplitGivesTheSameAnswer) {
    Bytes client = cat({bytes("RFB 003.008\n"), Bytes{2}, password_response, Bytes{0}});
    HandshakeStatus status;
    Bytes whole = run_split(vnc_auth_config(), client, client.size(), status);
    EXPECT_EQ(status, HandshakeStatus::client_init);
    for (std::size_t at = 0; at <= client.size(); ++at) {
        SCOPED_TRACE(at);
        EXPECT_EQ(run_split(vnc_auth_config(), client, at, status), whole);
        EXPECT_EQ(status, HandshakeStatus::client_init);
    }
    // And byte by byte.
    ServerHandshake hs(vnc_auth_config());
    Bytes out;
    hs.start(out);
    for (std::uint8_t b : client)
        hs.feed(std::span<const std::uint8_t>(&b, 1), out);
    EXPECT_EQ(out, whole);
    EXPECT_EQ(hs.status(), HandshakeStatus::client_init);
}

} // namespace
} // namespace superd::vnc
