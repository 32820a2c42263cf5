#include "vnc/term/cell_painter.hpp"

namespace superd::vnc {

namespace {

// Row y of the cell's glyph as bits (bit x = pixel x), with its stretching and emboldening.
std::uint64_t glyph_row(const Font& font, const CellLook& look, int y) {
    std::uint64_t bits = font.row_bits(look.glyph, y);
    if (look.wide_half >= 0) {
        // A double-width glyph: the font's narrow glyph stretched to two cells, half in each.
        std::uint64_t stretched = 0;
        for (int x = 0; x < font.width(); ++x)
            if (bits >> ((look.wide_half * font.width() + x) / 2) & 1)
                stretched |= std::uint64_t{1} << x;
        bits = stretched;
    }
    if (look.embolden) bits |= bits << 1;
    return bits & font.width_mask();
}

} // namespace

void paint_cell(Framebuffer& fb, const Font& font, int x0, int y0, const CellLook& look) {
    int w = font.width(), h = font.height();
    int underline_row = h - 1, second_underline_row = h - 3, strike_row = h / 2;
    int cursor_rows = h >= 8 ? 2 : 1, cursor_cols = w >= 8 ? 2 : 1;
    std::uint64_t bar = look.cursor == CursorMark::bar ? (std::uint64_t{1} << cursor_cols) - 1 : 0;
    for (int y = 0; y < h; ++y) {
        bool line = (look.underline >= 1 && y == underline_row) ||
                    (look.underline >= 2 && y == second_underline_row) ||
                    (look.strike && y == strike_row) ||
                    (look.cursor == CursorMark::underline && y >= h - cursor_rows);
        std::uint64_t ink = line ? font.width_mask() : glyph_row(font, look, y) | bar;
        std::uint32_t* out = fb.pixels.data() +
                             static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(fb.width) +
                             static_cast<std::size_t>(x0);
        for (int x = 0; x < w; ++x)
            out[x] = (ink >> x) & 1 ? look.fg : look.bg;
    }
}

} // namespace superd::vnc
