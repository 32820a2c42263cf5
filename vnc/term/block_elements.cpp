// Font::add_block_elements: U+2580-259F drawn for any cell size. Most console fonts carry only
// a few of them (Uni2-Fixed16 has U+2588, U+2591 and U+2592), yet full-screen programs use them
// for bars and graphs.
#include "vnc/term/font.hpp"

namespace superd::vnc {

namespace {

// Whether pixel (x, y) of a w x h cell is set in block element `cp`.
bool block_pixel(char32_t cp, int x, int y, int w, int h) {
    auto lower = [&](int eighths) { return y >= h - (h * eighths + 4) / 8; };
    auto left = [&](int eighths) { return x < (w * eighths + 4) / 8; };
    bool top = y < h / 2, west = x < w / 2;
    // Quadrants as bits: upper-left 1, upper-right 2, lower-left 4, lower-right 8.
    auto quadrants = [&](int bits) {
        int q = top ? (west ? 1 : 2) : (west ? 4 : 8);
        return (bits & q) != 0;
    };
    switch (cp) {
    case 0x2580:
        return top;
    case 0x2581:
    case 0x2582:
    case 0x2583:
    case 0x2584:
    case 0x2585:
    case 0x2586:
    case 0x2587:
    case 0x2588:
        return lower(static_cast<int>(cp - 0x2580));
    case 0x2589:
    case 0x258a:
    case 0x258b:
    case 0x258c:
    case 0x258d:
    case 0x258e:
    case 0x258f:
        return left(static_cast<int>(0x2590 - cp));
    case 0x2590:
        return !west;
    case 0x2591:
        return x % 2 == 0 && y % 2 == 0; // light shade, 25%
    case 0x2592:
        return (x + y) % 2 == 0; // medium shade, 50%
    case 0x2593:
        return !(x % 2 == 1 && y % 2 == 1); // dark shade, 75%
    case 0x2594:
        return y < (h + 4) / 8; // upper one eighth
    case 0x2595:
        return x >= w - (w + 4) / 8; // right one eighth
    case 0x2596:
        return quadrants(4);
    case 0x2597:
        return quadrants(8);
    case 0x2598:
        return quadrants(1);
    case 0x2599:
        return quadrants(1 | 4 | 8);
    case 0x259a:
        return quadrants(1 | 8);
    case 0x259b:
        return quadrants(1 | 2 | 4);
    case 0x259c:
        return quadrants(1 | 2 | 8);
    case 0x259d:
        return quadrants(2);
    case 0x259e:
        return quadrants(2 | 4);
    case 0x259f:
        return quadrants(2 | 4 | 8);
    }
    return false;
}

} // namespace

void Font::add_block_elements() {
    for (char32_t cp = 0x2580; cp <= 0x259f; ++cp) {
        if (has(cp)) continue;
        auto glyph = static_cast<std::uint32_t>(glyph_count());
        std::size_t base = bitmaps_.size();
        bitmaps_.resize(base + glyph_bytes());
        for (int y = 0; y < height_; ++y)
            for (int x = 0; x < width_; ++x)
                if (block_pixel(cp, x, y, width_, height_))
                    bitmaps_[base + static_cast<std::size_t>(y) * row_bytes_ + x / 8] |=
                        static_cast<std::uint8_t>(0x80 >> (x % 8));
        glyph_of_.emplace(cp, glyph);
    }
}

} // namespace superd::vnc
