#pragma once
// The picture a console draws and the RFB encoders read. vnc/rfb defines the same two structs
// (same names, same members); whoever merges the parts keeps one of the two headers.
#include <cstdint>
#include <vector>

namespace superd::vnc {

struct Framebuffer {
    int width = 0, height = 0;
    std::vector<std::uint32_t> pixels; // 0x00RRGGBB, row-major, width * height entries
};

struct Rect {
    int x = 0, y = 0, w = 0, h = 0;

    bool operator==(const Rect&) const = default;
};

} // namespace superd::vnc
