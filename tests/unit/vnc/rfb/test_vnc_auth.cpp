// VNC Authentication's DES against vectors made with an independent implementation: OpenSSL's
// command line on this project's Debian 12 machine (OpenSSL 3.0), the key bit-reversed by hand:
//   printf '\x00\x01...\x0f' | openssl enc -des-ecb -provider legacy -provider default
//       -K 0e86ceceeef64e26 -nopad | xxd -p      (one command line)
#include "vnc/rfb/vnc_auth.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

Challenge counting_challenge() {
    Challenge c;
    for (std::size_t i = 0; i < c.size(); ++i)
        c[i] = static_cast<std::uint8_t>(i);
    return c;
}

Challenge from_hex(const char* hex) {
    Challenge c{};
    for (std::size_t i = 0; i < c.size(); ++i)
        c[i] = static_cast<std::uint8_t>(std::stoi(std::string(hex + 2 * i, 2), nullptr, 16));
    return c;
}

TEST(VncAuth, KeyIsTheFirstEightBytesBitReversed) {
    auto key = vnc_auth_key("password");
    std::array<std::uint8_t, 8> expected{0x0e, 0x86, 0xce, 0xce, 0xee, 0xf6, 0x4e, 0x26};
    EXPECT_EQ(key, expected);
    auto short_key = vnc_auth_key("secret");
    std::array<std::uint8_t, 8> padded{0xce, 0xa6, 0xc6, 0x4e, 0xa6, 0x2e, 0, 0};
    EXPECT_EQ(short_key, padded);
}

TEST(VncAuth, ResponsesMatchOpensslVectors) {
    auto c = counting_challenge();
    EXPECT_EQ(vnc_auth_response("password", c), from_hex("b866924125c8eebb9debc1db61c538e2"));
    EXPECT_EQ(vnc_auth_response("secret", c), from_hex("ee22539f33a5983ec12f9c2edbc995dd"));
    EXPECT_EQ(vnc_auth_response("", c), from_hex("491e890de9ace932838a49792f2213f3"));
    // Only eight characters count, as in every VNC server.
    EXPECT_EQ(vnc_auth_response("123456789", c), from_hex("83dd2b4dbd04367f28578fdd5b142740"));
    EXPECT_EQ(vnc_auth_response("12345678", c), vnc_auth_response("123456789", c));
    EXPECT_EQ(vnc_auth_response("view", from_hex("8a1bd5f3e2c6a0947fd0b2e13c59a8d6")),
              from_hex("4032079b54447fdc3e00cf2bd7682983"));
}

TEST(VncAuth, CheckAcceptsOnlyTheRightResponse) {
    auto c = counting_challenge();
    auto good = from_hex("b866924125c8eebb9debc1db61c538e2");
    EXPECT_TRUE(vnc_auth_check("password", c, good));
    EXPECT_FALSE(vnc_auth_check("passwore", c, good));
    good[15] ^= 1;
    EXPECT_FALSE(vnc_auth_check("password", c, good));
}

} // namespace
} // namespace superd::vnc
