#pragma once
// RFB's wire integers: big-endian ("network order") whatever the pixel format says.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace superd::vnc {

using Bytes = std::vector<std::uint8_t>;

inline void put_u8(Bytes& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v));
}
inline void put_u16(Bytes& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
inline void put_u32(Bytes& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
inline void put_s32(Bytes& out, std::int32_t v) {
    put_u32(out, static_cast<std::uint32_t>(v));
}
inline void put_bytes(Bytes& out, std::span<const std::uint8_t> b) {
    out.insert(out.end(), b.begin(), b.end());
}
inline void put_string(Bytes& out, std::string_view s) {
    out.insert(out.end(), s.begin(), s.end());
}
// A U32 length followed by the bytes: reasons, the desktop name, cut text.
inline void put_lstring(Bytes& out, std::string_view s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    put_string(out, s);
}

// Readers: the caller has checked that the bytes exist.
inline std::uint16_t get_u16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}
inline std::uint32_t get_u32(const std::uint8_t* p) {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 |
           std::uint32_t{p[3]};
}
inline std::int32_t get_s32(const std::uint8_t* p) {
    return static_cast<std::int32_t>(get_u32(p));
}

} // namespace superd::vnc
