#pragma once
// RFB pixel formats (RFC 6143 7.4): the 16-byte wire form, the checks a client's format must
// pass, and the conversion of the server's 0x00RRGGBB pixels into the client's bytes.
#include "vnc/rfb/wire.hpp"

#include <array>
#include <cstdint>
#include <expected>
#include <span>
#include <string>

namespace superd::vnc {

struct PixelFormat {
    std::uint8_t bits_per_pixel = 32; // 8, 16 or 32
    std::uint8_t depth = 24;
    bool big_endian = false;
    bool true_colour = true;
    std::uint16_t red_max = 255, green_max = 255, blue_max = 255;
    std::uint8_t red_shift = 16, green_shift = 8, blue_shift = 0;

    bool operator==(const PixelFormat&) const = default;
    int bytes_per_pixel() const { return bits_per_pixel / 8; }
};

// The server's own format: 32 bpp true colour 0x00RRGGBB, little-endian.
inline constexpr PixelFormat native_pixel_format{};
// Common client formats, named as the viewers name them.
inline constexpr PixelFormat rgb888_big_endian{32, 24, true, true, 255, 255, 255, 16, 8, 0};
inline constexpr PixelFormat rgb565{16, 16, false, true, 31, 63, 31, 11, 5, 0};
inline constexpr PixelFormat bgr233{8, 8, false, true, 7, 7, 3, 0, 3, 6};
inline constexpr PixelFormat rgb332{8, 8, false, true, 7, 7, 3, 5, 2, 0};

inline constexpr std::size_t pixel_format_wire_size = 16;
// Decodes the 16 bytes as they come; validate() says whether we can serve it.
PixelFormat decode_pixel_format(std::span<const std::uint8_t, pixel_format_wire_size> wire);
void encode_pixel_format(const PixelFormat& format, Bytes& out);

// Why a format cannot be served ("" if it can): bpp other than 8/16/32, colour maps
// (true_colour = 0: we keep no colour map), a max that is not 2^n - 1, a channel that does not
// fit in the pixel.
std::string validate(const PixelFormat& format);

// Converts 0x00RRGGBB into a client's pixel value; built once per format (tables, not math per
// pixel). Only for formats that validate() accepts.
class PixelConverter {
  public:
    explicit PixelConverter(const PixelFormat& format = native_pixel_format);

    const PixelFormat& format() const { return format_; }
    std::uint32_t value(std::uint32_t rgb) const {
        return red_[(rgb >> 16) & 0xff] | green_[(rgb >> 8) & 0xff] | blue_[rgb & 0xff];
    }
    // The pixel as bits_per_pixel / 8 bytes in the client's byte order.
    void put(Bytes& out, std::uint32_t rgb) const { put_value(out, value(rgb)); }
    void put_value(Bytes& out, std::uint32_t value) const;

  private:
    PixelFormat format_;
    std::array<std::uint32_t, 256> red_{}, green_{}, blue_{};
};

} // namespace superd::vnc
