#pragma once
// UTF-8 both ways, for the few places the console handles text itself.
#include <string>
#include <string_view>

namespace superd::vnc {

// Appends `cp` as UTF-8 (a surrogate or a value past U+10FFFF becomes U+FFFD).
void append_utf8(std::string& out, char32_t cp);
// The codepoints of `text`; each invalid byte becomes U+FFFD.
std::u32string utf8_to_codepoints(std::string_view text);

} // namespace superd::vnc
