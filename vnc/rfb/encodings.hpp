#pragma once
// Encoding numbers (RFC 6143 7.7 and the community's registry in rfbproto).
#include <cstdint>

namespace superd::vnc::encoding {

inline constexpr std::int32_t raw = 0;
inline constexpr std::int32_t copy_rect = 1;
inline constexpr std::int32_t rre = 2;
inline constexpr std::int32_t hextile = 5;
inline constexpr std::int32_t tight = 7;
inline constexpr std::int32_t zrle = 16;

// Pseudo-encodings: what the client can take besides pixels.
inline constexpr std::int32_t desktop_size = -223;
inline constexpr std::int32_t last_rect = -224;
inline constexpr std::int32_t cursor = -239;
inline constexpr std::int32_t extended_desktop_size = -308;
inline constexpr std::int32_t continuous_updates = -313;
// Tight's compression level 0..9 is -256 + level; JPEG quality -32 + level (we send no JPEG).
inline constexpr std::int32_t compress_level_0 = -256;
inline constexpr std::int32_t compress_level_9 = -247;

} // namespace superd::vnc::encoding
