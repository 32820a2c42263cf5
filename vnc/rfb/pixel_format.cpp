#include "vnc/rfb/pixel_format.hpp"

#include <bit>

namespace superd::vnc {

PixelFormat decode_pixel_format(std::span<const std::uint8_t, pixel_format_wire_size> w) {
    PixelFormat f;
    f.bits_per_pixel = w[0];
    f.depth = w[1];
    f.big_endian = w[2] != 0;
    f.true_colour = w[3] != 0;
    f.red_max = get_u16(&w[4]);
    f.green_max = get_u16(&w[6]);
    f.blue_max = get_u16(&w[8]);
    f.red_shift = w[10];
    f.green_shift = w[11];
    f.blue_shift = w[12];
    return f; // w[13..15]: padding
}

void encode_pixel_format(const PixelFormat& f, Bytes& out) {
    put_u8(out, f.bits_per_pixel);
    put_u8(out, f.depth);
    put_u8(out, f.big_endian ? 1 : 0);
    put_u8(out, f.true_colour ? 1 : 0);
    put_u16(out, f.red_max);
    put_u16(out, f.green_max);
    put_u16(out, f.blue_max);
    put_u8(out, f.red_shift);
    put_u8(out, f.green_shift);
    put_u8(out, f.blue_shift);
    put_u8(out, 0);
    put_u8(out, 0);
    put_u8(out, 0);
}

namespace {

// A channel's max must be 2^n - 1 (the viewers scale by it as a bit mask) and must fit in the
// pixel at its shift.
bool channel_fits(std::uint16_t max, std::uint8_t shift, int bpp) {
    if (max == 0 || (max & (max + 1)) != 0) return false;
    return shift + std::bit_width(max) <= bpp;
}

} // namespace

std::string validate(const PixelFormat& f) {
    int bpp = f.bits_per_pixel;
    if (bpp != 8 && bpp != 16 && bpp != 32)
        return "bits per pixel " + std::to_string(bpp) + " (not 8, 16 or 32)";
    if (!f.true_colour) return "colour map formats are not supported";
    if (!channel_fits(f.red_max, f.red_shift, bpp) ||
        !channel_fits(f.green_max, f.green_shift, bpp) ||
        !channel_fits(f.blue_max, f.blue_shift, bpp))
        return "a colour channel's max is not 2^n-1 or does not fit in the pixel";
    return {};
}

PixelConverter::PixelConverter(const PixelFormat& format)
    : format_(format) {
    // Rounded scaling of 0..255 to 0..max, so 255 maps to max and 0 to 0.
    auto fill = [](std::array<std::uint32_t, 256>& table, std::uint32_t max, int shift) {
        if (shift >= 32) shift = 0; // an unvalidated format: no undefined shifts, whatever it is
        for (std::uint32_t c = 0; c < 256; ++c)
            table[c] = ((c * max + 127) / 255) << shift;
    };
    fill(red_, format.red_max, format.red_shift);
    fill(green_, format.green_max, format.green_shift);
    fill(blue_, format.blue_max, format.blue_shift);
}

void PixelConverter::put_value(Bytes& out, std::uint32_t v) const {
    switch (format_.bits_per_pixel) {
    case 8:
        out.push_back(static_cast<std::uint8_t>(v));
        break;
    case 16:
        if (format_.big_endian) {
            out.push_back(static_cast<std::uint8_t>(v >> 8));
            out.push_back(static_cast<std::uint8_t>(v));
        } else {
            out.push_back(static_cast<std::uint8_t>(v));
            out.push_back(static_cast<std::uint8_t>(v >> 8));
        }
        break;
    default:
        if (format_.big_endian) {
            put_u32(out, v);
        } else {
            out.push_back(static_cast<std::uint8_t>(v));
            out.push_back(static_cast<std::uint8_t>(v >> 8));
            out.push_back(static_cast<std::uint8_t>(v >> 16));
            out.push_back(static_cast<std::uint8_t>(v >> 24));
        }
    }
}

} // namespace superd::vnc
