#pragma once
// Symmetric-key MACs of NTP packets, through OpenSSL 3's EVP interfaces:
//
//   MD5         MD5(key || covered), 16 bytes            RFC 5905 section 7.3 / appendix A
//   SHA1        SHA1(key || covered), 20 bytes           ntpd, ntpsec
//   AES128CMAC  AES-CMAC(key, covered), 16 bytes         RFC 8573 (CMAC: RFC 4493)
//
// `covered` is every byte before the MAC: the 48-byte header and any extension fields. On the
// wire the MAC is the key id (32 bits, big-endian) followed by the digest. Pure functions: no
// logging, no throwing; a failure inside OpenSSL (MD5 refused by a FIPS-only configuration, no
// memory) yields an empty digest, which verify_mac() never accepts.
#include "ntpd/keys.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace superd::ntp {

// The digest alone (digest_size(key.type) bytes), or empty if OpenSSL failed.
std::vector<std::uint8_t> compute_mac(const Key& key, std::span<const std::uint8_t> covered);

// True when `digest` is the key's digest of `covered`. Compares in constant time (CRYPTO_memcmp);
// a digest of the wrong length is refused before any comparison (the length is not secret).
bool verify_mac(const Key& key, std::span<const std::uint8_t> covered,
                std::span<const std::uint8_t> digest);

// What follows `covered` on the wire: key id (big-endian) then the digest; empty if OpenSSL
// failed (send nothing rather than a packet the peer will drop as forged).
std::vector<std::uint8_t> mac_field(const Key& key, std::span<const std::uint8_t> covered);

} // namespace superd::ntp
