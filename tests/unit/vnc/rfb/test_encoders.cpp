// Every pixel encoder round-tripped through the test viewer (rfb_test_client.hpp) for several
// client pixel formats, picture kinds and rectangle sizes, edge tiles included.
#include "rfb_test_client.hpp"
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/rect_encoders.hpp"
#include "vnc/rfb/server_messages.hpp"
#include "vnc/rfb/update_encoder.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace superd::vnc {
namespace {

// 32 bpp with the colour in the high three bytes (ZRLE's other 3-byte CPIXEL case), and a
// 32 bpp depth-32 format (4-byte CPIXELs, no 3-byte TPIXEL).
constexpr PixelFormat rgb888_high{32, 24, false, true, 255, 255, 255, 24, 16, 8};
constexpr PixelFormat rgb888_depth32{32, 32, false, true, 255, 255, 255, 16, 8, 0};
constexpr PixelFormat rgb565_big_endian{16, 16, true, true, 31, 63, 31, 11, 5, 0};

struct NamedFormat {
    const char* name;
    PixelFormat format;
};
const NamedFormat formats[] = {
    {"32bpp-LE", native_pixel_format},
    {"32bpp-BE", rgb888_big_endian},
    {"32bpp-high", rgb888_high},
    {"32bpp-depth32", rgb888_depth32},
    {"16bpp-565", rgb565},
    {"16bpp-565-BE", rgb565_big_endian},
    {"8bpp-332", rgb332},
    {"8bpp-bgr233", bgr233},
};

std::uint32_t lcg(std::uint32_t& state) {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
}

// Pictures of the kinds a console makes, and the kinds it does not.
Framebuffer picture(const std::string& kind, int w, int h) {
    Framebuffer fb{w, h, std::vector<std::uint32_t>(std::size_t(w) * std::size_t(h))};
    std::uint32_t seed = 12345;
    const std::uint32_t colours[] = {0x000000, 0xaa0000, 0x00aa00, 0xaa5500,
                                     0x0000aa, 0xaa00aa, 0x00aaaa, 0xaaaaaa};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            std::uint32_t& p = fb.pixels[std::size_t(y) * std::size_t(w) + std::size_t(x)];
            if (kind == "solid") {
                p = 0x336699;
            } else if (kind == "text") { // 8x16 cells, one colour per cell on black
                int cell = (x / 8) * 7 + (y / 16) * 13;
                bool ink = ((x * 3 + y * 5 + cell) % 7) < 2 && (x % 8) != 7;
                p = ink ? colours[1 + cell % 7] : 0x000000;
            } else if (kind == "two") {
                p = ((x / 3 + y / 2) % 5 == 0) ? 0xffffff : 0x0000aa;
            } else if (kind == "gradient") {
                p = std::uint32_t((x * 7) & 255) << 16 | std::uint32_t((y * 5) & 255) << 8 |
                    std::uint32_t((x + y) * 3 & 255);
            } else { // noise
                p = lcg(seed) & 0xffffff;
            }
        }
    return fb;
}

// What the viewer must hold for `r`: the framebuffer's pixels in its format.
void expect_matches(const test::TestClient& client, const Framebuffer& fb, const Rect& r,
                    const PixelConverter& converter) {
    int wrong = 0;
    for (int y = r.y; y < r.y + r.h; ++y)
        for (int x = r.x; x < r.x + r.w; ++x)
            if (client.at(x, y) != converter.value(fb.at(x, y)) && ++wrong <= 3)
                ADD_FAILURE() << "pixel (" << x << "," << y << "): got " << std::hex
                              << client.at(x, y) << ", want " << converter.value(fb.at(x, y));
    EXPECT_EQ(wrong, 0);
}

const std::int32_t pixel_encodings[] = {encoding::raw, encoding::rre, encoding::hextile,
                                        encoding::zrle, encoding::tight};

TEST(Encoders, RoundTripEveryEncodingFormatAndPicture) {
    const int w = 150, h = 90;
    const Rect rects[] = {{0, 0, w, h},    {0, 0, 1, 1},    {17, 15, 33, 17}, {63, 63, 66, 27},
                          {1, 2, 149, 88}, {149, 0, 1, 90}, {0, 89, 150, 1},  {64, 0, 64, 64}};
    for (std::int32_t enc : pixel_encodings)
        for (const auto& [name, format] : formats)
            for (const char* kind : {"solid", "text", "two", "gradient", "noise"}) {
                SCOPED_TRACE(std::string(name) + " " + kind + " encoding " + std::to_string(enc));
                Framebuffer fb = picture(kind, w, h);
                UpdateEncoder encoder;
                encoder.set_pixel_format(format);
                std::int32_t list[] = {enc};
                encoder.set_encodings(list);
                ASSERT_EQ(encoder.pixel_encoding(), enc);
                test::TestClient client(format, w, h);
                PixelConverter converter(format);
                // One update per rectangle, through the same encoder: the zlib streams carry
                // over from one to the next, as on a real connection.
                for (const Rect& r : rects) {
                    Rect one[] = {r};
                    Bytes update = encoder.encode_update(fb, {}, one);
                    ASSERT_EQ(client.apply(update), "") << "rect " << r.x << "," << r.y;
                    for (std::int32_t seen : client.encodings_seen) {
                        bool rre_fallback = enc == encoding::rre && seen == encoding::raw;
                        EXPECT_TRUE(seen == enc || rre_fallback) << seen;
                    }
                    expect_matches(client, fb, r, converter);
                }
            }
}

TEST(Encoders, SmallerThanRawWhereTheyShould) {
    Framebuffer fb = picture("text", 640, 480);
    Rect all[] = {{0, 0, 640, 480}};
    std::size_t raw_size = 0;
    for (std::int32_t enc : pixel_encodings) {
        UpdateEncoder encoder;
        std::int32_t list[] = {enc};
        encoder.set_encodings(list);
        std::size_t size = encoder.encode_update(fb, {}, all).size();
        if (enc == encoding::raw)
            raw_size = size;
        else if (enc == encoding::rre) // text is RRE's worst case: it falls back to Raw
            EXPECT_LE(size, raw_size) << "encoding " << enc;
        else
            EXPECT_LT(size * 4, raw_size) << "encoding " << enc;
    }
}

TEST(Encoders, TightSplitsWideAndLargeRectangles) {
    for (auto [w, h] : {std::pair{4200, 3}, std::pair{300, 300}, std::pair{2049, 40}}) {
        SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
        Framebuffer fb = picture("noise", w, h);
        UpdateEncoder encoder;
        std::int32_t list[] = {encoding::tight};
        encoder.set_encodings(list);
        Rect all[] = {{0, 0, w, h}};
        Bytes update = encoder.encode_update(fb, {}, all);
        test::TestClient client(native_pixel_format, w, h);
        ASSERT_EQ(client.apply(update), ""); // the client rejects pieces wider than 2048
        EXPECT_GT(client.rects_seen, 1);
        expect_matches(client, fb, all[0], PixelConverter(native_pixel_format));
    }
}

TEST(Encoders, TpixelAndCpixelSizes) {
    EXPECT_EQ(tight_pixel_size(native_pixel_format), 3);
    EXPECT_EQ(tight_pixel_size(rgb888_big_endian), 3);
    EXPECT_EQ(tight_pixel_size(rgb888_depth32), 4);
    EXPECT_EQ(tight_pixel_size(rgb565), 2);
    EXPECT_EQ(zrle_cpixel_size(native_pixel_format), 3);
    EXPECT_EQ(zrle_cpixel_size(rgb888_high), 3);
    EXPECT_EQ(zrle_cpixel_size(rgb888_depth32), 4);
    EXPECT_EQ(zrle_cpixel_size(bgr233), 1);
}

TEST(Encoders, RawBytesExactly) {
    Framebuffer fb{2, 1, {0x00112233, 0x00445566}};
    Bytes out;
    encode_raw(fb, Rect{0, 0, 2, 1}, PixelConverter(rgb888_big_endian), out);
    Bytes expected{0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0, 0x44, 0x55, 0x66};
    EXPECT_EQ(out, expected);
}

TEST(Encoders, TightFillBytesExactly) {
    Framebuffer fb{4, 4, std::vector<std::uint32_t>(16, 0x00102030)};
    TightEncoder tight;
    Bytes out;
    tight.encode(fb, Rect{0, 0, 4, 4}, PixelConverter(native_pixel_format), out);
    Bytes expected{0, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 7, 0x80, 0x10, 0x20, 0x30};
    EXPECT_EQ(out, expected);
}

TEST(Encoders, HextileSolidTilesReuseTheBackground) {
    Framebuffer fb{32, 16, std::vector<std::uint32_t>(512, 0x00ffffff)};
    Bytes out;
    encode_hextile(fb, Rect{0, 0, 32, 16}, PixelConverter(bgr233), out);
    // Header, tile 1: background specified (0x02) + pixel; tile 2: nothing new (0x00).
    Bytes expected{0, 0, 0, 0, 0, 32, 0, 16, 0, 0, 0, 5, 0x02, 0xff, 0x00};
    EXPECT_EQ(out, expected);
}

} // namespace
} // namespace superd::vnc
