// ZRLE (16): 64x64 tiles, each solid, packed palette, plain RLE, palette RLE or raw, whichever
// is smallest; all tiles of a rectangle go through the viewer's one zlib stream.
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/rect_encoders.hpp"
#include "vnc/rfb/server_messages.hpp"

#include <algorithm>

namespace superd::vnc {

namespace {

constexpr int tile_size = 64;
constexpr std::size_t max_palette = 127;

enum class CpixelForm { whole, low_three, high_three };

CpixelForm cpixel_form(const PixelFormat& f) {
    if (f.bits_per_pixel != 32 || f.depth > 24 || !f.true_colour) return CpixelForm::whole;
    std::uint64_t used = (std::uint64_t{f.red_max} << f.red_shift) |
                         (std::uint64_t{f.green_max} << f.green_shift) |
                         (std::uint64_t{f.blue_max} << f.blue_shift);
    if (used < (1u << 24)) return CpixelForm::low_three;
    if ((used & 0xff) == 0) return CpixelForm::high_three;
    return CpixelForm::whole;
}

class CpixelWriter {
  public:
    explicit CpixelWriter(const PixelConverter& converter)
        : converter_(converter)
        , form_(cpixel_form(converter.format()))
        , big_endian_(converter.format().big_endian) {}

    void put(Bytes& out, std::uint32_t v) const {
        if (form_ == CpixelForm::whole) return converter_.put_value(out, v);
        if (form_ == CpixelForm::high_three) v >>= 8;
        auto byte = [](std::uint32_t x) { return static_cast<std::uint8_t>(x); };
        if (big_endian_) {
            out.insert(out.end(), {byte(v >> 16), byte(v >> 8), byte(v)});
        } else {
            out.insert(out.end(), {byte(v), byte(v >> 8), byte(v >> 16)});
        }
    }

  private:
    const PixelConverter& converter_;
    CpixelForm form_;
    bool big_endian_;
};

// A run length as ZRLE writes it: (length - 1) as bytes of 255 and a final byte below 255.
void put_run_length(Bytes& out, std::size_t length) {
    std::size_t rest = length - 1;
    while (rest >= 255) {
        out.push_back(255);
        rest -= 255;
    }
    out.push_back(static_cast<std::uint8_t>(rest));
}

std::size_t run_length_size(std::size_t length) {
    return (length - 1) / 255 + 1;
}

void encode_tile(std::span<const std::uint32_t> values, int w, int h, const CpixelWriter& cpixel,
                 std::size_t cp, Bytes& out) {
    // The palette (up to 127 colours) and the runs, in one pass.
    std::vector<std::uint32_t> palette;
    bool palette_fits = true;
    std::size_t plain_rle = 0, palette_rle_runs = 0;
    for (std::size_t i = 0; i < values.size();) {
        std::size_t j = i + 1;
        while (j < values.size() && values[j] == values[i])
            ++j;
        std::size_t run = j - i;
        plain_rle += cp + run_length_size(run);
        palette_rle_runs += run == 1 ? 1 : 1 + run_length_size(run);
        if (palette_fits && std::find(palette.begin(), palette.end(), values[i]) == palette.end()) {
            if (palette.size() == max_palette)
                palette_fits = false;
            else
                palette.push_back(values[i]);
        }
        i = j;
    }
    if (palette_fits && palette.size() == 1) {
        out.push_back(1); // solid
        cpixel.put(out, palette[0]);
        return;
    }
    std::size_t raw = values.size() * cp;
    std::size_t best = raw;
    enum { raw_form, packed, plain, palette_rle } form = raw_form;
    int index_bits = palette.size() <= 2 ? 1 : palette.size() <= 4 ? 2 : 4;
    if (palette_fits && palette.size() <= 16) {
        std::size_t row_bytes = (std::size_t(w) * std::size_t(index_bits) + 7) / 8;
        std::size_t size = palette.size() * cp + row_bytes * std::size_t(h);
        if (size < best) best = size, form = packed;
    }
    if (plain_rle < best) best = plain_rle, form = plain;
    if (palette_fits && palette.size() * cp + palette_rle_runs < best)
        best = palette.size() * cp + palette_rle_runs, form = palette_rle;

    auto index_of = [&](std::uint32_t v) {
        return static_cast<std::uint8_t>(std::find(palette.begin(), palette.end(), v) -
                                         palette.begin());
    };
    switch (form) {
    case raw_form:
        out.push_back(0);
        for (std::uint32_t v : values)
            cpixel.put(out, v);
        return;
    case packed: {
        out.push_back(static_cast<std::uint8_t>(palette.size()));
        for (std::uint32_t v : palette)
            cpixel.put(out, v);
        // Rows start on a byte; indices fill each byte from its most significant bit.
        for (int y = 0; y < h; ++y) {
            unsigned acc = 0;
            int filled = 0;
            for (int x = 0; x < w; ++x) {
                acc = acc << index_bits | index_of(values[std::size_t(y) * std::size_t(w) + x]);
                filled += index_bits;
                if (filled == 8) {
                    out.push_back(static_cast<std::uint8_t>(acc));
                    acc = 0;
                    filled = 0;
                }
            }
            if (filled > 0) out.push_back(static_cast<std::uint8_t>(acc << (8 - filled)));
        }
        return;
    }
    case plain:
    case palette_rle:
        if (form == plain) {
            out.push_back(128);
        } else {
            out.push_back(static_cast<std::uint8_t>(128 + palette.size()));
            for (std::uint32_t v : palette)
                cpixel.put(out, v);
        }
        for (std::size_t i = 0; i < values.size();) {
            std::size_t j = i + 1;
            while (j < values.size() && values[j] == values[i])
                ++j;
            std::size_t run = j - i;
            if (form == plain) {
                cpixel.put(out, values[i]);
                put_run_length(out, run);
            } else if (run == 1) {
                out.push_back(index_of(values[i]));
            } else {
                out.push_back(static_cast<std::uint8_t>(index_of(values[i]) | 128));
                put_run_length(out, run);
            }
            i = j;
        }
        return;
    }
}

} // namespace

int zrle_cpixel_size(const PixelFormat& format) {
    return cpixel_form(format) == CpixelForm::whole ? format.bytes_per_pixel() : 3;
}

int ZrleEncoder::encode(const Framebuffer& fb, const Rect& r, const PixelConverter& converter,
                        Bytes& out) {
    CpixelWriter cpixel(converter);
    std::size_t cp = std::size_t(zrle_cpixel_size(converter.format()));
    tiles_.clear();
    for (int ty = r.y; ty < r.y + r.h; ty += tile_size)
        for (int tx = r.x; tx < r.x + r.w; tx += tile_size) {
            Rect tile{tx, ty, std::min(tile_size, r.x + r.w - tx),
                      std::min(tile_size, r.y + r.h - ty)};
            auto values = client_values(fb, tile, converter);
            encode_tile(values, tile.w, tile.h, cpixel, cp, tiles_);
        }
    put_rect_header(out, r, encoding::zrle);
    std::size_t length_at = out.size();
    put_u32(out, 0);
    deflater_.compress(tiles_, out);
    std::size_t length = out.size() - length_at - 4;
    out[length_at] = static_cast<std::uint8_t>(length >> 24);
    out[length_at + 1] = static_cast<std::uint8_t>(length >> 16);
    out[length_at + 2] = static_cast<std::uint8_t>(length >> 8);
    out[length_at + 3] = static_cast<std::uint8_t>(length);
    return 1;
}

} // namespace superd::vnc
