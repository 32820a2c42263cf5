#include "vnc/term/paste.hpp"

#include <algorithm>

namespace superd::vnc {

std::string paste_bytes(std::string_view latin1_text, std::size_t cap) {
    std::string out;
    out.reserve(std::min(cap, latin1_text.size() * 2));
    for (std::size_t i = 0; i < latin1_text.size(); ++i) {
        auto c = static_cast<unsigned char>(latin1_text[i]);
        char bytes[2];
        std::size_t len = 1;
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < latin1_text.size() && latin1_text[i + 1] == '\n') ++i;
            bytes[0] = '\r';
        } else if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
            bytes[0] = static_cast<char>(c);
        } else if (c >= 0xa0) {
            bytes[0] = static_cast<char>(0xc0 | (c >> 6));
            bytes[1] = static_cast<char>(0x80 | (c & 0x3f));
            len = 2;
        } else {
            continue; // a control character
        }
        if (out.size() + len > cap) break;
        out.append(bytes, len);
    }
    return out;
}

} // namespace superd::vnc
