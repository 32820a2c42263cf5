// The decision for each request from restrict, the rate limit and the keys (ntpd/policy.hpp),
// on captured authenticated requests from ntpsec's ntpdig (captures/README.md) and on plain
// requests, with a fake monotonic clock.
#include "ntpd/policy.hpp"

#include "ntpd/mac.hpp"
#include "tests/unit/ntpd/config_fixture.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace superd::ntp {
namespace {

using config_test::ip;
using config_test::NtpConfig;
using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view text) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(
            static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}

Packet capture(const std::string& name) {
    std::ifstream in(std::string(NTP_CAPTURE_DIR) + "/" + name);
    std::string text;
    std::getline(in, text);
    auto p = decode(hex(text));
    EXPECT_TRUE(p.has_value()) << name;
    return p.value_or(Packet{});
}

// The key file the captures were taken with.
KeyTable capture_keys() {
    common::Diagnostics diags;
    KeyTable keys = parse_keys("1 MD5 superd-md5-example\n"
                               "2 sha1 7c5f3e9a1b2d4c6e8f0a1b2c3d4e5f60718293a4\n"
                               "3 AES128CMAC 000102030405060708090a0b0c0d0e0f\n"
                               "4 AES Ex4mple!AESkey16\n",
                               "ntp.keys", diags);
    EXPECT_FALSE(diags.has_errors());
    return keys;
}

Packet client_request(Mode mode = Mode::client, std::uint8_t version = 4) {
    Packet p;
    p.mode = mode;
    p.version = version;
    p.transmit = Timestamp::from_raw(0xE0000000'00000001ull);
    return p;
}

constexpr std::int64_t second = 1'000'000'000;

class NtpPolicy : public NtpConfig {
  protected:
    Policy policy(const std::string& conf, KeyTable keys = {}) {
        Config c = load(conf);
        EXPECT_FALSE(diags_.has_errors());
        return Policy::from_config(c, std::move(keys));
    }
};

TEST_F(NtpPolicy, NoRestrictLinesServesEveryone) {
    Policy p = policy("");
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 40000, client_request(), 0), Access::serve);
    EXPECT_TRUE(p.control_allowed(ip("192.0.2.1"), 40000));
}

TEST_F(NtpPolicy, IgnoreDropsTimeAndControlAlike) {
    Policy p = policy("restrict default ignore\nrestrict 127.0.0.1\n");
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 123, client_request(), 0), Access::ignore);
    EXPECT_FALSE(p.control_allowed(ip("192.0.2.1"), 123));
    EXPECT_EQ(p.decide(ip("127.0.0.1"), 123, client_request(), 0), Access::serve);
    EXPECT_TRUE(p.control_allowed(ip("127.0.0.1"), 123));
}

TEST_F(NtpPolicy, NoqueryRefusesModeSixOnly) {
    Policy p = policy("restrict default noquery nomodify\n");
    EXPECT_FALSE(p.control_allowed(ip("2001:db8::1"), 50000));
    EXPECT_EQ(p.decide(ip("2001:db8::1"), 50000, client_request(), 0), Access::serve);
}

TEST_F(NtpPolicy, NoserveIsADenyKissWithKodAndSilenceWithout) {
    Policy quiet = policy("restrict 192.0.2.0 mask 255.255.255.0 noserve\n");
    EXPECT_EQ(quiet.decide(ip("192.0.2.9"), 1, client_request(), 0), Access::ignore);
    EXPECT_TRUE(quiet.control_allowed(ip("192.0.2.9"), 1)); // noserve leaves ntpq alone
    Policy kissing = policy("restrict 192.0.2.0 mask 255.255.255.0 noserve kod\n");
    EXPECT_EQ(kissing.decide(ip("192.0.2.9"), 1, client_request(), 0), Access::kiss_deny);
    EXPECT_EQ(kissing.decide(ip("192.0.3.9"), 1, client_request(), 0), Access::serve);
}

TEST_F(NtpPolicy, NopeerRefusesSymmetricActiveButServesClients) {
    Policy p = policy("restrict default kod nopeer\n");
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 123, client_request(Mode::symmetric_active), 0),
              Access::kiss_rstr);
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 123, client_request(), 0), Access::serve);
}

TEST_F(NtpPolicy, NtpportEntriesMatchOnlySourcePort123) {
    Policy p = policy("restrict 192.0.2.1 ntpport noserve kod\n");
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 123, client_request(), 0), Access::kiss_deny);
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 40000, client_request(), 0), Access::serve);
}

TEST_F(NtpPolicy, VersionRefusesOlderClients) {
    Policy p = policy("restrict default version\n");
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 123, client_request(Mode::client, 3), 0), Access::ignore);
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 123, client_request(Mode::client, 4), 0), Access::serve);
}

TEST_F(NtpPolicy, LimitedKissesRateOnlyPastTheBucketAndOnlyThatSource) {
    // discard minimum 2: two requests within a second are too close (ntpd counts whole seconds).
    Policy p = policy("discard average 0 minimum 2\nrestrict default limited kod\n");
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 1, client_request(), 10 * second), Access::serve);
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 1, client_request(), 10 * second + second / 2),
              Access::kiss_rate);
    EXPECT_EQ(p.decide(ip("192.0.2.2"), 1, client_request(), 10 * second + second / 2),
              Access::serve);
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 1, client_request(), 20 * second), Access::serve);

    Policy silent = policy("discard average 0 minimum 2\nrestrict default limited\n");
    EXPECT_EQ(silent.decide(ip("192.0.2.1"), 1, client_request(), 10 * second), Access::serve);
    EXPECT_EQ(silent.decide(ip("192.0.2.1"), 1, client_request(), 10 * second + 1), Access::ignore);
}

TEST_F(NtpPolicy, EveryCapturedSignedRequestVerifiesWithATrustedKey) {
    Policy p = policy("trustedkey 1 (2 ... 4)\n", capture_keys());
    for (const char* name :
         {"ntpdig-md5.hex", "ntpdig-sha1.hex", "ntpdig-aes128cmac.hex", "ntpdig-aes-ascii.hex"}) {
        Packet request = capture(name);
        ASSERT_TRUE(request.mac) << name;
        EXPECT_EQ(p.check_mac(request), MacCheck::good) << name;
        EXPECT_EQ(p.decide(ip("127.0.0.1"), 40000, request, 0), Access::serve) << name;
        // What the server signs the reply with is that key's MAC.
        Bytes digest = p.sign(request.mac->key_id, Bytes(48, 0));
        EXPECT_EQ(digest, compute_mac(*p.keys().find(request.mac->key_id), Bytes(48, 0)));
        // One bit changed in the covered header: a crypto-NAK.
        request.transmit = Timestamp::from_raw(request.transmit.raw() ^ 1);
        EXPECT_EQ(p.decide(ip("127.0.0.1"), 40000, request, 0), Access::crypto_nak) << name;
    }
}

TEST_F(NtpPolicy, AnUntrustedOrUnknownKeyGetsACryptoNak) {
    Packet md5 = capture("ntpdig-md5.hex");
    Policy untrusted = policy("trustedkey 2\n", capture_keys());
    EXPECT_EQ(untrusted.check_mac(md5), MacCheck::bad);
    EXPECT_EQ(untrusted.decide(ip("127.0.0.1"), 1, md5, 0), Access::crypto_nak);
    Policy no_keys = policy("trustedkey 1\n");
    EXPECT_EQ(no_keys.decide(ip("127.0.0.1"), 1, md5, 0), Access::crypto_nak);
    EXPECT_TRUE(no_keys.sign(1, Bytes(48, 0)).empty());
}

TEST_F(NtpPolicy, NotrustServesOnlySignedRequests) {
    Policy p = policy("trustedkey 1\nrestrict default notrust\n", capture_keys());
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 1, client_request(), 0), Access::ignore);
    EXPECT_EQ(p.decide(ip("192.0.2.1"), 1, capture("ntpdig-md5.hex"), 0), Access::serve);
}

} // namespace
} // namespace superd::ntp
