// NTP MACs: RFC 4493's AES-CMAC vectors, MD5/SHA1 of key || message computed outside this code
// (python3 hashlib, `openssl dgst`), and authenticated requests captured from ntpsec's ntpdig
// (captures/README.md says how).
#include "ntpd/mac.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace superd::ntp {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view text) {
    Bytes out;
    for (std::size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(
            static_cast<std::uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}

Bytes ascii(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

Key key(std::uint32_t id, KeyType type, Bytes secret) {
    return Key{id, type, std::move(secret), {"test", 0}};
}

// RFC 4493 section 4: the key and the 64-byte message whose prefixes are signed.
const Key rfc4493_key = key(1, KeyType::aes128_cmac, hex("2b7e151628aed2a6abf7158809cf4f3c"));
const Bytes rfc4493_message = hex("6bc1bee22e409f96e93d7e117393172a"
                                  "ae2d8a571e03ac9c9eb76fac45af8e51"
                                  "30c81c46a35ce411e5fbc1191a0a52ef"
                                  "f69f2445df4f9b17ad2b417be66c3710");

TEST(NtpMac, Rfc4493AesCmacVectors) {
    const std::span<const std::uint8_t> m = rfc4493_message;
    EXPECT_EQ(compute_mac(rfc4493_key, m.first(0)), hex("bb1d6929e95937287fa37d129b756746"));
    EXPECT_EQ(compute_mac(rfc4493_key, m.first(16)), hex("070a16b46b4d4144f79bdd9dd04a287c"));
    EXPECT_EQ(compute_mac(rfc4493_key, m.first(40)), hex("dfa66747de9ae63030ca32611497c827"));
    EXPECT_EQ(compute_mac(rfc4493_key, m.first(64)), hex("51f0bebf7e3b9d92fc49741779363cfe"));
    EXPECT_TRUE(verify_mac(rfc4493_key, m.first(40), hex("dfa66747de9ae63030ca32611497c827")));
    EXPECT_FALSE(verify_mac(rfc4493_key, m.first(41), hex("dfa66747de9ae63030ca32611497c827")));
}

Bytes bytes_0_to_47() {
    Bytes out;
    for (int i = 0; i < 48; ++i)
        out.push_back(static_cast<std::uint8_t>(i));
    return out;
}

// hashlib.md5(key + msg), hashlib.sha1(key + msg); the 48-byte ones also with `openssl dgst`.
TEST(NtpMac, DigestOfKeyThenMessage) {
    const Bytes msg = bytes_0_to_47();
    const Key md5_ascii = key(1, KeyType::md5, ascii("superd"));
    const Key sha1_ascii = key(2, KeyType::sha1, ascii("superd"));
    EXPECT_EQ(compute_mac(md5_ascii, {}), hex("4b0f454906efa6d94b60fbdf976236ab"));
    EXPECT_EQ(compute_mac(md5_ascii, msg), hex("30a9ef53806d29e0034fe8033a6e3b4c"));
    EXPECT_EQ(compute_mac(sha1_ascii, {}), hex("5804ab1727f55e0b6d7130e3339d2c1cf0b92aed"));
    EXPECT_EQ(compute_mac(sha1_ascii, msg), hex("b946b5368cedc23d3668d91506cadcca5e766323"));

    const Bytes secret = hex("0123456789abcdef0123456789abcdef01234567");
    const Key md5_hex = key(3, KeyType::md5, secret);
    const Key sha1_hex = key(4, KeyType::sha1, secret);
    EXPECT_EQ(compute_mac(md5_hex, {}), hex("a8f20b01786b7d38f405d624265354c9"));
    EXPECT_EQ(compute_mac(md5_hex, msg), hex("f0257ba2b552b3517826b2013cf24cf5"));
    EXPECT_EQ(compute_mac(sha1_hex, {}), hex("ef473bbc24024ac1d66b318ac96bb31a95fd9a7d"));
    EXPECT_EQ(compute_mac(sha1_hex, msg), hex("1003e0fff2dbe72a252fbbe53c1c1bf91a5d9fa3"));
}

TEST(NtpMac, MacFieldIsKeyIdThenDigest) {
    const Bytes msg = bytes_0_to_47();
    const Key k = key(0x01020304, KeyType::md5, ascii("superd"));
    EXPECT_EQ(mac_field(k, msg), hex("01020304"
                                     "30a9ef53806d29e0034fe8033a6e3b4c"));
    const Key aes = key(65535, KeyType::aes128_cmac, rfc4493_key.secret);
    EXPECT_EQ(mac_field(aes, std::span(rfc4493_message).first(16)),
              hex("0000ffff"
                  "070a16b46b4d4144f79bdd9dd04a287c"));
}

TEST(NtpMac, VerifyRefusesWrongLengthsKeysAndTypes) {
    const Bytes msg = bytes_0_to_47();
    const Key md5 = key(1, KeyType::md5, ascii("superd"));
    const Bytes good = hex("30a9ef53806d29e0034fe8033a6e3b4c");
    EXPECT_TRUE(verify_mac(md5, msg, good));
    EXPECT_FALSE(verify_mac(md5, msg, std::span(good).first(15)));
    Bytes longer = good;
    longer.push_back(0);
    EXPECT_FALSE(verify_mac(md5, msg, longer));
    EXPECT_FALSE(verify_mac(md5, msg, {}));
    EXPECT_FALSE(verify_mac(key(1, KeyType::md5, ascii("superD")), msg, good));
    // Same length, other algorithm: an AES key never accepts an MD5 digest.
    EXPECT_FALSE(verify_mac(key(1, KeyType::aes128_cmac, Bytes(16, 0)), msg, good));
}

TEST(NtpMac, AesKeyOfWrongLengthGivesNoMac) {
    // parse_keys() never builds one; a hand-made Key must not crash or sign.
    const Key bad = key(1, KeyType::aes128_cmac, Bytes(15, 1));
    EXPECT_TRUE(compute_mac(bad, bytes_0_to_47()).empty());
    EXPECT_TRUE(mac_field(bad, bytes_0_to_47()).empty());
    EXPECT_FALSE(verify_mac(bad, bytes_0_to_47(), Bytes(16, 0)));
}

// --- ntpdig's requests ----------------------------------------------------------------------

Bytes read_capture(const std::string& name) {
    std::ifstream in(std::string(NTP_CAPTURE_DIR) + "/" + name);
    EXPECT_TRUE(in) << name;
    std::string text;
    std::getline(in, text);
    return hex(text);
}

// The key file the captures were taken with, through our own parser.
KeyTable capture_keys() {
    common::Diagnostics diags;
    KeyTable table = parse_keys("1 MD5 superd-md5-example\n"
                                "2 sha1 7c5f3e9a1b2d4c6e8f0a1b2c3d4e5f60718293a4\n"
                                "3 AES128CMAC 000102030405060708090a0b0c0d0e0f\n"
                                "4 AES Ex4mple!AESkey16\n",
                                "captures/ntp.keys", diags);
    EXPECT_FALSE(diags.has_errors());
    return table;
}

std::uint32_t be32(std::span<const std::uint8_t> b) {
    return std::uint32_t(b[0]) << 24 | std::uint32_t(b[1]) << 16 | std::uint32_t(b[2]) << 8 |
           std::uint32_t(b[3]);
}

TEST(NtpMac, NtpdigRequestsVerify) {
    const KeyTable keys = capture_keys();
    ASSERT_EQ(keys.size(), 4u);
    const struct {
        const char* file;
        std::uint32_t id;
        std::size_t size;
    } captures[] = {{"ntpdig-md5.hex", 1, 68},
                    {"ntpdig-sha1.hex", 2, 72},
                    {"ntpdig-aes128cmac.hex", 3, 68},
                    {"ntpdig-aes-ascii.hex", 4, 68}};
    for (const auto& c : captures) {
        SCOPED_TRACE(c.file);
        const Bytes packet = read_capture(c.file);
        ASSERT_EQ(packet.size(), c.size);
        const std::span<const std::uint8_t> p = packet;
        const auto covered = p.first(48);
        ASSERT_EQ(be32(p.subspan(48, 4)), c.id);
        const Key* k = keys.find(c.id);
        ASSERT_NE(k, nullptr);
        const auto digest = p.subspan(52);
        EXPECT_TRUE(verify_mac(*k, covered, digest));
        // What we would send for the same bytes is what ntpdig sent.
        EXPECT_EQ(mac_field(*k, covered), Bytes(p.begin() + 48, p.end()));

        // One bit flipped anywhere, in the header or in the digest, and it is refused.
        for (std::size_t bit = 0; bit < packet.size() * 8; ++bit) {
            if (bit / 8 >= 48 && bit / 8 < 52) continue; // the key id picks the key, not verified
            Bytes bad = packet;
            bad[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
            const std::span<const std::uint8_t> b = bad;
            EXPECT_FALSE(verify_mac(*k, b.first(48), b.subspan(52))) << "bit " << bit;
        }
        // Another key of the file never accepts it.
        for (const auto& [id, other] : keys.all()) {
            if (id != c.id) {
                EXPECT_FALSE(verify_mac(other, covered, digest)) << "key " << id;
            }
        }
    }
}

} // namespace
} // namespace superd::ntp
