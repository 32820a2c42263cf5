#include "vnc/rfb/update_encoder.hpp"

#include "vnc/rfb/encodings.hpp"

#include <algorithm>

namespace superd::vnc {

namespace {

bool is_pixel_encoding(std::int32_t e) {
    return e == encoding::raw || e == encoding::rre || e == encoding::hextile ||
           e == encoding::zrle || e == encoding::tight;
}

} // namespace

UpdateEncoder::UpdateEncoder(EncoderOptions options)
    : options_(options) {}

void UpdateEncoder::set_pixel_format(const PixelFormat& format) {
    converter_ = PixelConverter(format);
}

void UpdateEncoder::set_encodings(std::span<const std::int32_t> encodings) {
    encodings_.assign(encodings.begin(), encodings.end());
    auto first = std::find_if(encodings_.begin(), encodings_.end(), is_pixel_encoding);
    pixel_encoding_ = first == encodings_.end() ? encoding::raw : *first;
}

bool UpdateEncoder::client_supports(std::int32_t e) const {
    return e == encoding::raw ||
           std::find(encodings_.begin(), encodings_.end(), e) != encodings_.end();
}

int UpdateEncoder::zlib_level() const {
    // The first compression level the client lists wins.
    for (std::int32_t e : encodings_)
        if (e >= encoding::compress_level_0 && e <= encoding::compress_level_9)
            return e - encoding::compress_level_0;
    return options_.zlib_level;
}

int UpdateEncoder::encode_pixels(const Framebuffer& fb, const Rect& r, Bytes& out) {
    switch (pixel_encoding_) {
    case encoding::rre:
        return encode_rre(fb, r, converter_, out);
    case encoding::hextile:
        return encode_hextile(fb, r, converter_, out);
    case encoding::zrle:
        if (!zrle_) zrle_.emplace(zlib_level());
        return zrle_->encode(fb, r, converter_, out);
    case encoding::tight:
        if (!tight_) tight_.emplace(zlib_level());
        return tight_->encode(fb, r, converter_, out);
    default:
        return encode_raw(fb, r, converter_, out);
    }
}

int UpdateEncoder::encode_update(const Framebuffer& fb, std::span<const CopyOp> copies,
                                 std::span<const Rect> rects, std::span<const PseudoRect> pseudo,
                                 Bytes& out) {
    bool last_rect = options_.use_last_rect && client_supports(encoding::last_rect);
    std::size_t header_at = out.size();
    put_update_header(out, 0);
    int count = 0;
    for (const PseudoRect& p : pseudo) {
        if (auto* d = std::get_if<DesktopSizePseudo>(&p)) {
            if (!client_supports(encoding::desktop_size)) continue;
            put_desktop_size(out, *d);
        } else if (auto* e = std::get_if<ExtendedDesktopSizePseudo>(&p)) {
            if (!client_supports(encoding::extended_desktop_size)) continue;
            put_extended_desktop_size(out, *e);
        } else if (auto* c = std::get_if<CursorPseudo>(&p)) {
            if (!client_supports(encoding::cursor)) continue;
            put_cursor(out, *c, converter_);
        }
        ++count;
    }
    bool copy_rect = client_supports(encoding::copy_rect);
    for (const CopyOp& c : copies) {
        Rect dst = clip(c.dst, fb.width, fb.height);
        if (dst.empty()) continue;
        // Clipping moved the destination's corner: the source moves with it.
        Rect src =
            clip(Rect{c.src_x + (dst.x - c.dst.x), c.src_y + (dst.y - c.dst.y), dst.w, dst.h},
                 fb.width, fb.height);
        if (copy_rect && src.w == dst.w && src.h == dst.h)
            count += encode_copy_rect(dst, src.x, src.y, out);
        else
            count += encode_pixels(fb, dst, out); // the framebuffer already holds the result
    }
    for (const Rect& r : rects) {
        Rect c = clip(r, fb.width, fb.height);
        if (!c.empty()) count += encode_pixels(fb, c, out);
    }
    std::uint16_t wire_count;
    if (last_rect || count >= rect_count_until_last_rect) {
        // More rectangles than the U16 count holds can only be sent this way.
        put_last_rect(out);
        wire_count = rect_count_until_last_rect;
    } else {
        wire_count = static_cast<std::uint16_t>(count);
    }
    out[header_at + 2] = static_cast<std::uint8_t>(wire_count >> 8);
    out[header_at + 3] = static_cast<std::uint8_t>(wire_count);
    return count;
}

Bytes UpdateEncoder::encode_update(const Framebuffer& fb, std::span<const CopyOp> copies,
                                   std::span<const Rect> rects,
                                   std::span<const PseudoRect> pseudo) {
    Bytes out;
    encode_update(fb, copies, rects, pseudo, out);
    return out;
}

} // namespace superd::vnc
