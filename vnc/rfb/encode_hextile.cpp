// Hextile (5): 16x16 tiles, each raw, solid, or a background with subrectangles; background
// and foreground carry over from tile to tile when unchanged.
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/rect_encoders.hpp"
#include "vnc/rfb/server_messages.hpp"
#include "vnc/rfb/subrects.hpp"

#include <algorithm>
#include <optional>

namespace superd::vnc {

namespace {

namespace bits {
constexpr std::uint8_t raw = 1;
constexpr std::uint8_t background_specified = 2;
constexpr std::uint8_t foreground_specified = 4;
constexpr std::uint8_t any_subrects = 8;
constexpr std::uint8_t subrects_coloured = 16;
} // namespace bits

constexpr int tile_size = 16;

// Whether the tile has exactly two colours (then subrects share one foreground).
bool two_colours(std::span<const std::uint32_t> values, std::uint32_t background,
                 std::uint32_t& foreground) {
    std::optional<std::uint32_t> other;
    for (std::uint32_t v : values) {
        if (v == background) continue;
        if (!other)
            other = v;
        else if (*other != v)
            return false;
    }
    foreground = other.value_or(background);
    return true;
}

} // namespace

int encode_hextile(const Framebuffer& fb, const Rect& r, const PixelConverter& converter,
                   Bytes& out) {
    put_rect_header(out, r, encoding::hextile);
    const std::size_t bpp = std::size_t(converter.format().bytes_per_pixel());
    std::optional<std::uint32_t> last_background, last_foreground;
    std::vector<Subrect> subrects;
    for (int ty = r.y; ty < r.y + r.h; ty += tile_size) {
        for (int tx = r.x; tx < r.x + r.w; tx += tile_size) {
            Rect tile{tx, ty, std::min(tile_size, r.x + r.w - tx),
                      std::min(tile_size, r.y + r.h - ty)};
            auto values = client_values(fb, tile, converter);
            std::uint32_t background = most_frequent(values);
            std::uint32_t foreground = 0;
            bool mono = two_colours(values, background, foreground);
            bool solid = mono && foreground == background;

            std::size_t raw_size = values.size() * bpp;
            // 255 subrects at most (a U8 count); beyond raw's size there is no gain.
            bool fits = find_subrects(values, tile.w, tile.h, background, 255, subrects);
            std::size_t size = (background != last_background ? bpp : 0);
            if (!solid) {
                size += 1 + subrects.size() * (mono ? 2 : 2 + bpp);
                if (mono && foreground != last_foreground) size += bpp;
            }
            if (!fits || size > raw_size) {
                put_u8(out, bits::raw);
                for (std::uint32_t v : values)
                    converter.put_value(out, v);
                // After a raw tile neither carries over (TigerVNC's and libvncserver's rule).
                last_background.reset();
                last_foreground.reset();
                continue;
            }
            std::uint8_t mask = 0;
            if (background != last_background) mask |= bits::background_specified;
            if (!solid) {
                mask |= bits::any_subrects;
                if (!mono)
                    mask |= bits::subrects_coloured;
                else if (foreground != last_foreground)
                    mask |= bits::foreground_specified;
            }
            put_u8(out, mask);
            if (mask & bits::background_specified) converter.put_value(out, background);
            if (mask & bits::foreground_specified) converter.put_value(out, foreground);
            last_background = background;
            if (solid) continue;
            put_u8(out, static_cast<std::uint32_t>(subrects.size()));
            for (const Subrect& s : subrects) {
                if (!mono) converter.put_value(out, s.value);
                put_u8(out, static_cast<std::uint32_t>(s.x << 4 | s.y));
                put_u8(out, static_cast<std::uint32_t>((s.w - 1) << 4 | (s.h - 1)));
            }
            if (mono)
                last_foreground = foreground;
            else
                last_foreground.reset(); // a coloured tile leaves no foreground behind
        }
    }
    return 1;
}

} // namespace superd::vnc
