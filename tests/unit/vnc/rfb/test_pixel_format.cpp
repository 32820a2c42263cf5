// Pixel formats: the wire form, validation, and conversion of 0x00RRGGBB to the client's bytes.
#include "vnc/rfb/pixel_format.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

TEST(PixelFormat, WireFormRoundTrips) {
    for (const PixelFormat& f : {native_pixel_format, rgb888_big_endian, rgb565, bgr233}) {
        Bytes wire;
        encode_pixel_format(f, wire);
        ASSERT_EQ(wire.size(), pixel_format_wire_size);
        EXPECT_EQ(decode_pixel_format(std::span<const std::uint8_t, 16>(wire.data(), 16)), f);
    }
}

TEST(PixelFormat, NativeFormatOnTheWire) {
    Bytes wire;
    encode_pixel_format(native_pixel_format, wire);
    Bytes expected{32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0};
    EXPECT_EQ(wire, expected);
}

TEST(PixelFormat, ValidationRejectsWhatWeCannotServe) {
    EXPECT_EQ(validate(native_pixel_format), "");
    EXPECT_EQ(validate(rgb565), "");
    EXPECT_EQ(validate(bgr233), "");
    PixelFormat f = native_pixel_format;
    f.bits_per_pixel = 24;
    EXPECT_NE(validate(f), "");
    f = native_pixel_format;
    f.true_colour = false;
    EXPECT_NE(validate(f), "");
    f = native_pixel_format;
    f.red_max = 200; // not 2^n - 1
    EXPECT_NE(validate(f), "");
    f = rgb565;
    f.red_shift = 12; // 5 bits at 12 overflow 16 bpp
    EXPECT_NE(validate(f), "");
    f = native_pixel_format;
    f.blue_max = 0;
    EXPECT_NE(validate(f), "");
}

TEST(PixelFormat, ConversionInBothByteOrders) {
    const std::uint32_t orange = 0x00ff8000;
    Bytes le, be, p565, p233;
    PixelConverter(native_pixel_format).put(le, orange);
    PixelConverter(rgb888_big_endian).put(be, orange);
    PixelConverter(rgb565).put(p565, orange);
    PixelConverter(bgr233).put(p233, orange);
    EXPECT_EQ(le, (Bytes{0x00, 0x80, 0xff, 0x00}));
    EXPECT_EQ(be, (Bytes{0x00, 0xff, 0x80, 0x00}));
    // 565: red 31, green round(128 * 63 / 255) = 32, blue 0 -> 0xfc00, little-endian.
    EXPECT_EQ(p565, (Bytes{0x00, 0xfc}));
    PixelFormat be565 = rgb565;
    be565.big_endian = true;
    Bytes p565be;
    PixelConverter(be565).put(p565be, orange);
    EXPECT_EQ(p565be, (Bytes{0xfc, 0x00}));
    // bgr233: red 7 at 0, green 4 at 3, blue 0 at 6.
    EXPECT_EQ(p233, (Bytes{0x27}));
}

TEST(PixelFormat, ExtremesMapToExtremes) {
    PixelConverter c(rgb565);
    EXPECT_EQ(c.value(0x00ffffff), 0xffffu);
    EXPECT_EQ(c.value(0), 0u);
}

} // namespace
} // namespace superd::vnc
