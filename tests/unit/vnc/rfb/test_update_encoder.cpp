// The per-viewer UpdateEncoder: which encoding it picks, copies, pseudo-rectangles, LastRect.
#include "rfb_test_client.hpp"
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/update_encoder.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

Framebuffer stripes(int w, int h) {
    Framebuffer fb{w, h, std::vector<std::uint32_t>(std::size_t(w) * std::size_t(h))};
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            fb.pixels[std::size_t(y) * std::size_t(w) + std::size_t(x)] =
                std::uint32_t(y * 10 + x % 3) * 0x010101u;
    return fb;
}

TEST(UpdateEncoder, PicksTheClientsFirstSupportedEncoding) {
    UpdateEncoder e;
    EXPECT_EQ(e.pixel_encoding(), encoding::raw);
    std::int32_t list[] = {encoding::cursor, 99, encoding::copy_rect, encoding::zrle,
                           encoding::tight};
    e.set_encodings(list);
    EXPECT_EQ(e.pixel_encoding(), encoding::zrle);
    EXPECT_TRUE(e.client_supports(encoding::copy_rect));
    EXPECT_TRUE(e.client_supports(encoding::raw)); // always
    EXPECT_FALSE(e.client_supports(encoding::hextile));
}

TEST(UpdateEncoder, CopiesAsCopyRectOnlyWhenListed) {
    Framebuffer fb = stripes(64, 40);
    CopyOp copy[] = {{Rect{0, 0, 64, 30}, 0, 10}}; // scrolled up by 10 rows
    Rect fresh[] = {{0, 30, 64, 10}};

    UpdateEncoder with;
    std::int32_t list[] = {encoding::copy_rect, encoding::hextile};
    with.set_encodings(list);
    test::TestClient client(native_pixel_format, 64, 40);
    // The viewer's picture before the scroll: rows shifted down by 10.
    Framebuffer before = fb;
    for (int y = 10; y < 40; ++y)
        for (int x = 0; x < 64; ++x)
            before.pixels[std::size_t(y) * 64 + std::size_t(x)] = fb.at(x, y - 10);
    Rect all[] = {{0, 0, 64, 40}};
    ASSERT_EQ(client.apply(with.encode_update(before, {}, all)), "");
    ASSERT_EQ(client.apply(with.encode_update(fb, copy, fresh)), "");
    EXPECT_EQ(client.encodings_seen,
              (std::vector<std::int32_t>{encoding::copy_rect, encoding::hextile}));
    PixelConverter c(native_pixel_format);
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 64; ++x)
            ASSERT_EQ(client.at(x, y), c.value(fb.at(x, y))) << x << "," << y;

    UpdateEncoder without;
    std::int32_t hextile_only[] = {encoding::hextile};
    without.set_encodings(hextile_only);
    test::TestClient other(native_pixel_format, 64, 40);
    ASSERT_EQ(other.apply(without.encode_update(fb, copy, fresh)), "");
    EXPECT_EQ(other.encodings_seen,
              (std::vector<std::int32_t>{encoding::hextile, encoding::hextile}));
    for (int y = 0; y < 40; ++y)
        for (int x = 0; x < 64; ++x)
            ASSERT_EQ(other.at(x, y), c.value(fb.at(x, y)));
}

TEST(UpdateEncoder, RectanglesAreClippedAndEmptyOnesDropped) {
    Framebuffer fb = stripes(20, 10);
    UpdateEncoder e;
    Rect rects[] = {{15, 5, 100, 100}, {30, 30, 5, 5}, {0, 0, 0, 4}};
    Bytes update = e.encode_update(fb, {}, rects);
    test::TestClient client(native_pixel_format, 20, 10);
    ASSERT_EQ(client.apply(update), "");
    EXPECT_EQ(client.rects_seen, 1);
}

TEST(UpdateEncoder, PseudoRectanglesOnlyWhenListed) {
    Framebuffer fb = stripes(20, 10);
    PseudoRect pseudo[] = {
        ExtendedDesktopSizePseudo{
            DesktopSizeReason::this_client, DesktopSizeStatus::ok, 20, 10, {}},
        DesktopSizePseudo{20, 10},
        make_cell_cursor(CursorShape::underline, 9, 16, 0x00ffffff),
    };
    UpdateEncoder none;
    Bytes update = none.encode_update(fb, {}, {}, pseudo);
    EXPECT_EQ(update, (Bytes{0, 0, 0, 0}));

    UpdateEncoder all;
    std::int32_t list[] = {encoding::extended_desktop_size, encoding::desktop_size,
                           encoding::cursor};
    all.set_encodings(list);
    test::TestClient client(native_pixel_format, 20, 10);
    ASSERT_EQ(client.apply(all.encode_update(fb, {}, {}, pseudo)), "");
    EXPECT_EQ(client.rects_seen, 3);
    EXPECT_EQ(client.desktop_reason, 1);
    EXPECT_EQ(client.desktop_status, 0);
    ASSERT_EQ(client.screens.size(), 1u);
    EXPECT_EQ(client.screens[0].area, (Rect{0, 0, 20, 10}));
    ASSERT_TRUE(client.cursor);
    EXPECT_EQ(client.cursor->width, 9);
    EXPECT_EQ(client.cursor->height, 16);
    // Underline: the last two rows drawn, 9 pixels = 0xff 0x80 per row.
    EXPECT_EQ(client.cursor->mask[0], 0);
    EXPECT_EQ(client.cursor->mask[2 * 15], 0xff);
    EXPECT_EQ(client.cursor->mask[2 * 15 + 1], 0x80);
}

TEST(UpdateEncoder, ExtendedDesktopSizeReplyBytes) {
    Bytes out;
    put_extended_desktop_size(
        out, ExtendedDesktopSizePseudo{
                 DesktopSizeReason::this_client, DesktopSizeStatus::prohibited, 640, 480, {}});
    Bytes expected{0, 1, 0, 1, 2, 0x80, 1, 0xe0, 0xff, 0xff, 0xfe, 0xcc, // header, -308
                   1, 0, 0, 0,                                           // one screen
                   0, 0, 0, 0, 0, 0,    0, 0,    2,    0x80, 1,    0xe0, 0, 0, 0, 0};
    EXPECT_EQ(out, expected);
}

TEST(UpdateEncoder, LastRectOnlyWhenAskedAndListed) {
    Framebuffer fb = stripes(20, 10);
    Rect rects[] = {{0, 0, 20, 10}};
    std::int32_t list[] = {encoding::last_rect, encoding::raw};

    UpdateEncoder counted; // use_last_rect off by default
    counted.set_encodings(list);
    Bytes a = counted.encode_update(fb, {}, rects);
    EXPECT_EQ(a[2], 0);
    EXPECT_EQ(a[3], 1);

    UpdateEncoder streamed(EncoderOptions{.use_last_rect = true});
    streamed.set_encodings(list);
    Bytes b = streamed.encode_update(fb, {}, rects);
    EXPECT_EQ(b[2], 0xff);
    EXPECT_EQ(b[3], 0xff);
    test::TestClient client(native_pixel_format, 20, 10);
    ASSERT_EQ(client.apply(b), "");
    EXPECT_EQ(client.encodings_seen.back(), encoding::last_rect);

    UpdateEncoder unlisted(EncoderOptions{.use_last_rect = true});
    Bytes c = unlisted.encode_update(fb, {}, rects);
    EXPECT_EQ(c[3], 1);
}

TEST(ServerMessages, BellAndCutText) {
    Bytes out;
    put_bell(out);
    put_server_cut_text(out, "hi");
    EXPECT_EQ(out, (Bytes{2, 3, 0, 0, 0, 0, 0, 0, 2, 'h', 'i'}));
}

} // namespace
} // namespace superd::vnc
