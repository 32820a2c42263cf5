#pragma once
// VNC Authentication (RFC 6143 7.2.2): the server sends a 16-byte challenge, the client returns
// it DES-encrypted with its password as the key. The challenge comes from the caller (no RNG
// here) so that tests can fix it.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace superd::vnc {

using Challenge = std::array<std::uint8_t, 16>;

// The DES key RFB derives from a password: its first 8 bytes (zero-padded), each byte's bits
// reversed (the original VNC's DES code numbered key bits the other way round).
std::array<std::uint8_t, 8> vnc_auth_key(std::string_view password);

// The response a client with `password` sends to `challenge`.
Challenge vnc_auth_response(std::string_view password, const Challenge& challenge);

// Whether `response` answers `challenge` for `password`; compares in constant time.
bool vnc_auth_check(std::string_view password, const Challenge& challenge,
                    std::span<const std::uint8_t, 16> response);

} // namespace superd::vnc
