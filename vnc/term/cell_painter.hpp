#pragma once
// Draws one character cell into a framebuffer: a font glyph in two colours and the decorations
// a terminal cell can have.
#include "vnc/term/font.hpp"
#include "vnc/term/framebuffer.hpp"

#include <cstdint>

namespace superd::vnc {

enum class CursorMark { none, underline, bar }; // a block cursor is drawn by swapping colours

struct CellLook {
    std::uint32_t glyph = 0;
    std::uint32_t fg = 0, bg = 0;
    bool embolden = false; // bold drawn by thickening the glyph (when no brighter colour is used)
    int underline = 0;     // 0 none, 1 single, 2 double
    bool strike = false;
    int wide_half = -1; // -1: a narrow glyph; 0 / 1: left / right half of a double-width glyph
    CursorMark cursor = CursorMark::none;
};

// Paints the cell whose top-left pixel is (x0, y0); the cell is font.width() x font.height() and
// lies inside the framebuffer.
void paint_cell(Framebuffer& fb, const Font& font, int x0, int y0, const CellLook& look);

} // namespace superd::vnc
