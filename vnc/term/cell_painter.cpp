#include "vnc/term/cell_painter.hpp"

namespace superd::vnc {

namespace {

bool glyph_pixel(const Font& font, const CellLook& look, int x, int y) {
    int w = font.width();
    // A double-width glyph: the font's narrow glyph stretched to two cells, half in each.
    int gx = look.wide_half < 0 ? x : (look.wide_half * w + x) / 2;
    if (font.pixel(look.glyph, gx, y)) return true;
    return look.embolden && gx > 0 && font.pixel(look.glyph, gx - 1, y);
}

} // namespace

void paint_cell(Framebuffer& fb, const Font& font, int x0, int y0, const CellLook& look) {
    int w = font.width(), h = font.height();
    int underline_row = h - 1, second_underline_row = h - 3, strike_row = h / 2;
    int cursor_rows = h >= 8 ? 2 : 1, cursor_cols = w >= 8 ? 2 : 1;
    for (int y = 0; y < h; ++y) {
        bool line = (look.underline >= 1 && y == underline_row) ||
                    (look.underline >= 2 && y == second_underline_row) ||
                    (look.strike && y == strike_row) ||
                    (look.cursor == CursorMark::underline && y >= h - cursor_rows);
        std::uint32_t* out = fb.pixels.data() +
                             static_cast<std::size_t>(y0 + y) * static_cast<std::size_t>(fb.width) +
                             static_cast<std::size_t>(x0);
        for (int x = 0; x < w; ++x) {
            bool ink = line || (look.cursor == CursorMark::bar && x < cursor_cols) ||
                       glyph_pixel(font, look, x, y);
            out[x] = ink ? look.fg : look.bg;
        }
    }
}

} // namespace superd::vnc
