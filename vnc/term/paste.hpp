#pragma once
// Clipboard text from a viewer (RFB ClientCutText) as bytes for the pty.
#include <cstddef>
#include <string>
#include <string_view>

namespace superd::vnc {

// RFB cut text is Latin-1: each byte becomes its character in UTF-8. Line ends (CR LF, LF, CR)
// become CR, as the Return key sends; TAB stays; every other control character (C0, DEL, C1) is
// dropped, so a paste cannot smuggle escape sequences or signals (^C) to the program. At most
// `cap` bytes, never half a character.
std::string paste_bytes(std::string_view latin1_text, std::size_t cap);

} // namespace superd::vnc
