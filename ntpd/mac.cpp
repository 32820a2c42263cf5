// The MACs through OpenSSL 3: EVP_MD for the digests, EVP_MAC "CMAC" over AES-128-CBC for
// RFC 8573. Algorithms are fetched once (explicit fetches are the fast path in OpenSSL 3; the
// implicit ones look the name up on every call) and shared read-only between threads. A CMAC
// context cannot be duplicated before it has a key (CMAC_CTX_copy refuses), so each MAC builds
// its own and names the cipher again.
#include "ntpd/mac.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>

namespace superd::ntp {

namespace {

struct MdFree {
    void operator()(EVP_MD* md) const { EVP_MD_free(md); }
};
struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct MacFree {
    void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxFree {
    void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MdPtr = std::unique_ptr<EVP_MD, MdFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacPtr = std::unique_ptr<EVP_MAC, MacFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Null when the providers loaded do not offer the algorithm (MD5 under FIPS).
const EVP_MD* md5() {
    static const MdPtr md{EVP_MD_fetch(nullptr, "MD5", nullptr)};
    return md.get();
}

const EVP_MD* sha1() {
    static const MdPtr md{EVP_MD_fetch(nullptr, "SHA1", nullptr)};
    return md.get();
}

EVP_MAC* cmac() {
    static const MacPtr mac{EVP_MAC_fetch(nullptr, "CMAC", nullptr)};
    return mac.get();
}

// digest(key || covered): the MAC of RFC 5905 and ntpd.
std::vector<std::uint8_t> keyed_digest(const EVP_MD* md, std::span<const std::uint8_t> key,
                                       std::span<const std::uint8_t> covered) {
    if (md == nullptr) return {};
    const MdCtxPtr ctx{EVP_MD_CTX_new()};
    std::vector<std::uint8_t> out(EVP_MAX_MD_SIZE);
    unsigned int size = 0;
    if (!ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), key.data(), key.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), covered.data(), covered.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out.data(), &size) != 1)
        return {};
    out.resize(size);
    return out;
}

std::vector<std::uint8_t> aes_cmac(std::span<const std::uint8_t> key,
                                   std::span<const std::uint8_t> covered) {
    // parse_keys() guarantees the length; a Key built by hand might not.
    EVP_MAC* mac = cmac();
    if (mac == nullptr || key.size() != aes128_key_bytes) return {};
    const MacCtxPtr ctx{EVP_MAC_CTX_new(mac)};
    char cipher[] = "AES-128-CBC";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                                 OSSL_PARAM_construct_end()};
    std::vector<std::uint8_t> out(EVP_MAX_BLOCK_LENGTH);
    std::size_t size = 0;
    if (!ctx || EVP_MAC_init(ctx.get(), key.data(), key.size(), params) != 1 ||
        EVP_MAC_update(ctx.get(), covered.data(), covered.size()) != 1 ||
        EVP_MAC_final(ctx.get(), out.data(), &size, out.size()) != 1)
        return {};
    out.resize(size);
    return out;
}

} // namespace

std::vector<std::uint8_t> compute_mac(const Key& key, std::span<const std::uint8_t> covered) {
    switch (key.type) {
    case KeyType::md5:
        return keyed_digest(md5(), key.secret, covered);
    case KeyType::sha1:
        return keyed_digest(sha1(), key.secret, covered);
    case KeyType::aes128_cmac:
        return aes_cmac(key.secret, covered);
    }
    return {};
}

bool verify_mac(const Key& key, std::span<const std::uint8_t> covered,
                std::span<const std::uint8_t> digest) {
    if (digest.size() != digest_size(key.type)) return false;
    const std::vector<std::uint8_t> expected = compute_mac(key, covered);
    return expected.size() == digest.size() &&
           CRYPTO_memcmp(expected.data(), digest.data(), digest.size()) == 0;
}

std::vector<std::uint8_t> mac_field(const Key& key, std::span<const std::uint8_t> covered) {
    const std::vector<std::uint8_t> digest = compute_mac(key, covered);
    if (digest.empty()) return {};
    std::vector<std::uint8_t> out{
        static_cast<std::uint8_t>(key.id >> 24), static_cast<std::uint8_t>(key.id >> 16),
        static_cast<std::uint8_t>(key.id >> 8), static_cast<std::uint8_t>(key.id)};
    out.insert(out.end(), digest.begin(), digest.end());
    return out;
}

} // namespace superd::ntp
