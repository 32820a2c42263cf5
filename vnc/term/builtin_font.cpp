// Font::builtin: the font embedded at build time (fonts/README.md).
#include "vnc/term/font.hpp"

#include <cstdio>
#include <cstdlib>

namespace superd::vnc {

extern const std::span<const std::uint8_t> builtin_font_bytes; // builtin_font_data.cpp

const Font& Font::builtin() {
    // Parsed once; the bytes are ours and tested, so failing here is a build defect.
    static const Font font = [] {
        auto parsed = parse(builtin_font_bytes);
        if (!parsed) {
            std::fprintf(stderr, "superd: the built-in console font is broken: %s\n",
                         parsed.error().c_str());
            std::abort();
        }
        return std::move(*parsed);
    }();
    return font;
}

} // namespace superd::vnc
