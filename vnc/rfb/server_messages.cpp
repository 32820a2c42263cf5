#include "vnc/rfb/server_messages.hpp"

#include "vnc/rfb/encodings.hpp"

namespace superd::vnc {

void put_update_header(Bytes& out, std::uint16_t rect_count) {
    put_u8(out, server_message_type::framebuffer_update);
    put_u8(out, 0);
    put_u16(out, rect_count);
}

void put_rect_header(Bytes& out, const Rect& r, std::int32_t encoding) {
    put_u16(out, static_cast<std::uint32_t>(r.x));
    put_u16(out, static_cast<std::uint32_t>(r.y));
    put_u16(out, static_cast<std::uint32_t>(r.w));
    put_u16(out, static_cast<std::uint32_t>(r.h));
    put_s32(out, encoding);
}

void put_bell(Bytes& out) {
    put_u8(out, server_message_type::bell);
}

void put_server_cut_text(Bytes& out, std::string_view text) {
    put_u8(out, server_message_type::server_cut_text);
    put_u8(out, 0);
    put_u16(out, 0);
    put_lstring(out, text);
}

void put_end_of_continuous_updates(Bytes& out) {
    put_u8(out, server_message_type::end_of_continuous_updates);
}

void put_desktop_size(Bytes& out, const DesktopSizePseudo& p) {
    put_rect_header(out, Rect{0, 0, p.width, p.height}, encoding::desktop_size);
}

void put_extended_desktop_size(Bytes& out, const ExtendedDesktopSizePseudo& p) {
    // x carries the reason, y the status (rfbproto "ExtendedDesktopSize Pseudo-encoding").
    put_rect_header(out,
                    Rect{static_cast<int>(p.reason), static_cast<int>(p.status), p.width, p.height},
                    encoding::extended_desktop_size);
    std::vector<Screen> screens = p.screens;
    if (screens.empty()) screens.push_back(Screen{0, Rect{0, 0, p.width, p.height}, 0});
    if (screens.size() > 255) screens.resize(255);
    put_u8(out, static_cast<std::uint32_t>(screens.size()));
    put_u8(out, 0);
    put_u16(out, 0);
    for (const Screen& s : screens) {
        put_u32(out, s.id);
        put_u16(out, static_cast<std::uint32_t>(s.area.x));
        put_u16(out, static_cast<std::uint32_t>(s.area.y));
        put_u16(out, static_cast<std::uint32_t>(s.area.w));
        put_u16(out, static_cast<std::uint32_t>(s.area.h));
        put_u32(out, s.flags);
    }
}

void put_cursor(Bytes& out, const CursorPseudo& p, const PixelConverter& converter) {
    bool valid = p.width > 0 && p.height > 0 &&
                 p.pixels.size() == std::size_t(p.width) * std::size_t(p.height) &&
                 p.mask.size() == std::size_t((p.width + 7) / 8) * std::size_t(p.height);
    if (!valid) { // an empty cursor: the viewer hides it
        put_rect_header(out, Rect{0, 0, 0, 0}, encoding::cursor);
        return;
    }
    put_rect_header(out, Rect{p.hotspot_x, p.hotspot_y, p.width, p.height}, encoding::cursor);
    for (std::uint32_t px : p.pixels)
        converter.put(out, px);
    put_bytes(out, p.mask);
}

void put_last_rect(Bytes& out) {
    put_rect_header(out, Rect{0, 0, 0, 0}, encoding::last_rect);
}

CursorPseudo make_cell_cursor(CursorShape shape, int cell_width, int cell_height,
                              std::uint32_t colour) {
    CursorPseudo c;
    if (cell_width <= 0 || cell_height <= 0) return c;
    c.width = cell_width;
    c.height = cell_height;
    c.pixels.assign(std::size_t(cell_width) * std::size_t(cell_height), colour);
    std::size_t row_bytes = std::size_t(cell_width + 7) / 8;
    c.mask.assign(row_bytes * std::size_t(cell_height), 0);
    int underline = cell_height >= 8 ? 2 : 1;
    int bar = cell_width >= 8 ? 2 : 1;
    for (int y = 0; y < cell_height; ++y)
        for (int x = 0; x < cell_width; ++x) {
            bool on = shape == CursorShape::block ||
                      (shape == CursorShape::underline && y >= cell_height - underline) ||
                      (shape == CursorShape::bar && x < bar);
            if (on) c.mask[std::size_t(y) * row_bytes + std::size_t(x / 8)] |= 0x80 >> (x % 8);
        }
    return c;
}

} // namespace superd::vnc
