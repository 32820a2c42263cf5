// DES through OpenSSL's low-level DES_* functions: OpenSSL 3 moved EVP_des_ecb to the legacy
// provider, which would have to be loaded into the process-wide library context; DES_* still
// works without it. They are deprecated, hence the macro before the include.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "vnc/rfb/vnc_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/des.h>

#include <cstring>

namespace superd::vnc {

namespace {

std::uint8_t reverse_bits(std::uint8_t b) {
    std::uint8_t r = 0;
    for (int i = 0; i < 8; ++i)
        if (b & (1u << i)) r |= static_cast<std::uint8_t>(0x80u >> i);
    return r;
}

} // namespace

std::array<std::uint8_t, 8> vnc_auth_key(std::string_view password) {
    std::array<std::uint8_t, 8> key{};
    for (std::size_t i = 0; i < key.size() && i < password.size(); ++i)
        key[i] = reverse_bits(static_cast<std::uint8_t>(password[i]));
    return key;
}

Challenge vnc_auth_response(std::string_view password, const Challenge& challenge) {
    auto key = vnc_auth_key(password);
    DES_cblock des_key;
    std::memcpy(des_key, key.data(), sizeof des_key);
    DES_key_schedule schedule;
    DES_set_key_unchecked(&des_key, &schedule); // any 8 bytes: parity is not RFB's concern
    Challenge response{};
    for (std::size_t half = 0; half < 16; half += 8) {
        DES_cblock in, out;
        std::memcpy(in, challenge.data() + half, 8);
        DES_ecb_encrypt(&in, &out, &schedule, DES_ENCRYPT);
        std::memcpy(response.data() + half, out, 8);
    }
    OPENSSL_cleanse(&schedule, sizeof schedule);
    OPENSSL_cleanse(des_key, sizeof des_key);
    return response;
}

bool vnc_auth_check(std::string_view password, const Challenge& challenge,
                    std::span<const std::uint8_t, 16> response) {
    Challenge expected = vnc_auth_response(password, challenge);
    return CRYPTO_memcmp(expected.data(), response.data(), expected.size()) == 0;
}

} // namespace superd::vnc
