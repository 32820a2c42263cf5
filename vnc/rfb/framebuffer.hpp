#pragma once
// The picture a console draws and the RFB encoders read: shared by vnc/term (the producer) and
// vnc/rfb (the consumer), so it stays minimal and dependency-free.
#include <cstdint>
#include <vector>

namespace superd::vnc {

struct Framebuffer {
    int width = 0, height = 0;
    std::vector<std::uint32_t> pixels; // 0x00RRGGBB, row-major, width * height entries

    std::uint32_t at(int x, int y) const {
        return pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                      static_cast<std::size_t>(x)];
    }
};

struct Rect {
    int x = 0, y = 0, w = 0, h = 0;

    bool empty() const { return w <= 0 || h <= 0; }
    bool operator==(const Rect&) const = default;
};

// The part of `r` inside a width x height area (empty if none).
// A region a viewer can copy from its own framebuffer: `dst` gets what was at (src_x, src_y)
// (CopyRect; a console's scroll).
struct CopyOp {
    Rect dst;
    int src_x = 0, src_y = 0;
    bool operator==(const CopyOp&) const = default;
};

inline Rect clip(Rect r, int width, int height) {
    int x0 = r.x < 0 ? 0 : r.x, y0 = r.y < 0 ? 0 : r.y;
    int x1 = r.x + r.w > width ? width : r.x + r.w;
    int y1 = r.y + r.h > height ? height : r.y + r.h;
    if (x1 <= x0 || y1 <= y0) return Rect{x0, y0, 0, 0};
    return Rect{x0, y0, x1 - x0, y1 - y0};
}

} // namespace superd::vnc
