// Tight (7) without JPEG: solid pieces as "fill", two-colour to 16-colour pieces through the
// palette filter, the rest as basic compression (copy filter) on zlib stream 0. Pieces are at
// most 2048 wide (the viewers' limit) and 65536 pixels.
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/rect_encoders.hpp"
#include "vnc/rfb/server_messages.hpp"

#include <algorithm>

namespace superd::vnc {

namespace {

constexpr std::uint8_t control_fill = 0x80;
constexpr std::uint8_t control_explicit_filter = 0x40;
constexpr std::uint8_t filter_palette = 1;
// Data shorter than this goes uncompressed, without a length (rfbproto "Tight").
constexpr std::size_t min_to_compress = 12;
constexpr std::size_t max_palette = 16;
// Which zlib stream each kind of data uses: streams keep separate dictionaries, and the
// viewer only needs them to be used consistently.
constexpr int stream_full_colour = 0;
constexpr int stream_mono = 1;
constexpr int stream_indexed = 2;

bool is_tpixel24(const PixelFormat& f) {
    return f.bits_per_pixel == 32 && f.depth == 24 && f.true_colour && f.red_max == 255 &&
           f.green_max == 255 && f.blue_max == 255;
}

void put_tpixel(Bytes& out, std::uint32_t value, const PixelConverter& converter) {
    const PixelFormat& f = converter.format();
    if (is_tpixel24(f)) {
        out.push_back(static_cast<std::uint8_t>(value >> f.red_shift));
        out.push_back(static_cast<std::uint8_t>(value >> f.green_shift));
        out.push_back(static_cast<std::uint8_t>(value >> f.blue_shift));
    } else {
        converter.put_value(out, value);
    }
}

// Tight's "compact" length: 7 bits per byte, high bit = more follows, at most three bytes.
void put_compact_length(Bytes& out, std::size_t length) {
    out.push_back(static_cast<std::uint8_t>((length & 0x7f) | (length > 0x7f ? 0x80 : 0)));
    if (length > 0x7f) {
        out.push_back(
            static_cast<std::uint8_t>(((length >> 7) & 0x7f) | (length > 0x3fff ? 0x80 : 0)));
        if (length > 0x3fff) out.push_back(static_cast<std::uint8_t>(length >> 14));
    }
}

} // namespace

int tight_pixel_size(const PixelFormat& format) {
    return is_tpixel24(format) ? 3 : format.bytes_per_pixel();
}

TightEncoder::TightEncoder(int zlib_level) {
    for (int i = 0; i < 4; ++i)
        streams_.emplace_back(zlib_level);
}

int TightEncoder::encode(const Framebuffer& fb, const Rect& r, const PixelConverter& converter,
                         Bytes& out) {
    int count = 0;
    for (int x = r.x; x < r.x + r.w; x += max_width) {
        int w = std::min(max_width, r.x + r.w - x);
        int rows = std::max(1, max_area / w);
        for (int y = r.y; y < r.y + r.h; y += rows) {
            encode_piece(fb, Rect{x, y, w, std::min(rows, r.y + r.h - y)}, converter, out);
            ++count;
        }
    }
    return count;
}

void TightEncoder::put_compressed(int stream, const Bytes& data, Bytes& out) {
    if (data.size() < min_to_compress) {
        put_bytes(out, data);
        return;
    }
    Bytes compressed;
    streams_[std::size_t(stream)].compress(data, compressed);
    put_compact_length(out, compressed.size());
    put_bytes(out, compressed);
}

void TightEncoder::encode_piece(const Framebuffer& fb, const Rect& r,
                                const PixelConverter& converter, Bytes& out) {
    put_rect_header(out, r, encoding::tight);
    auto values = client_values(fb, r, converter);
    std::vector<std::uint32_t> palette;
    for (std::uint32_t v : values) {
        if (std::find(palette.begin(), palette.end(), v) != palette.end()) continue;
        if (palette.size() > max_palette) break;
        palette.push_back(v);
    }
    if (palette.size() == 1) {
        out.push_back(control_fill);
        put_tpixel(out, palette[0], converter);
        return;
    }
    scratch_.clear();
    if (palette.size() <= max_palette) {
        // Palette filter: 1 bit per pixel (rows padded to a byte) for two colours, else a byte.
        bool mono = palette.size() == 2;
        int stream = mono ? stream_mono : stream_indexed;
        out.push_back(static_cast<std::uint8_t>(stream << 4 | control_explicit_filter));
        out.push_back(filter_palette);
        out.push_back(static_cast<std::uint8_t>(palette.size() - 1));
        for (std::uint32_t v : palette)
            put_tpixel(out, v, converter);
        auto index_of = [&](std::uint32_t v) {
            return static_cast<std::uint8_t>(std::find(palette.begin(), palette.end(), v) -
                                             palette.begin());
        };
        for (int y = 0; y < r.h; ++y) {
            const std::uint32_t* row = values.data() + std::size_t(y) * std::size_t(r.w);
            if (!mono) {
                for (int x = 0; x < r.w; ++x)
                    scratch_.push_back(index_of(row[x]));
                continue;
            }
            for (int x = 0; x < r.w; x += 8) {
                std::uint8_t byte = 0;
                for (int b = 0; b < 8 && x + b < r.w; ++b)
                    if (row[x + b] == palette[1]) byte |= static_cast<std::uint8_t>(0x80 >> b);
                scratch_.push_back(byte);
            }
        }
        put_compressed(stream, scratch_, out);
        return;
    }
    out.push_back(static_cast<std::uint8_t>(stream_full_colour << 4)); // basic, copy filter
    for (std::uint32_t v : values)
        put_tpixel(scratch_, v, converter);
    put_compressed(stream_full_colour, scratch_, out);
}

} // namespace superd::vnc
