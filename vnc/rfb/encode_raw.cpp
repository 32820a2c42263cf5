// Raw (0) and CopyRect (1), and the pixel fetch every encoder shares.
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/rect_encoders.hpp"
#include "vnc/rfb/server_messages.hpp"

namespace superd::vnc {

std::vector<std::uint32_t> client_values(const Framebuffer& fb, const Rect& r,
                                         const PixelConverter& converter) {
    std::vector<std::uint32_t> values;
    values.reserve(std::size_t(r.w) * std::size_t(r.h));
    for (int y = r.y; y < r.y + r.h; ++y)
        for (int x = r.x; x < r.x + r.w; ++x)
            values.push_back(converter.value(fb.at(x, y)));
    return values;
}

int encode_raw(const Framebuffer& fb, const Rect& r, const PixelConverter& converter, Bytes& out) {
    put_rect_header(out, r, encoding::raw);
    out.reserve(out.size() + std::size_t(r.w) * std::size_t(r.h) *
                                 std::size_t(converter.format().bytes_per_pixel()));
    for (int y = r.y; y < r.y + r.h; ++y)
        for (int x = r.x; x < r.x + r.w; ++x)
            converter.put(out, fb.at(x, y));
    return 1;
}

int encode_copy_rect(const Rect& dst, int src_x, int src_y, Bytes& out) {
    put_rect_header(out, dst, encoding::copy_rect);
    put_u16(out, static_cast<std::uint32_t>(src_x));
    put_u16(out, static_cast<std::uint32_t>(src_y));
    return 1;
}

} // namespace superd::vnc
