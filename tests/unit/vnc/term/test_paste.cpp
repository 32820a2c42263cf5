#include "vnc/term/paste.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

TEST(Paste, Latin1BecomesUtf8) {
    EXPECT_EQ(paste_bytes("caf\xe9 \xa3"
                          "5",
                          100),
              "caf\xc3\xa9 \xc2\xa3"
              "5");
    EXPECT_EQ(paste_bytes("\xff", 100), "\xc3\xbf");
}

TEST(Paste, LineEndsBecomeCr) {
    EXPECT_EQ(paste_bytes("a\nb\r\nc\rd\n\ne", 100), "a\rb\rc\rd\r\re");
}

TEST(Paste, ControlCharactersAreDropped) {
    EXPECT_EQ(paste_bytes("a\tb", 100), "a\tb");
    EXPECT_EQ(paste_bytes("rm\x1b[201~\x03\x7f\x85x", 100), "rm[201~x");
    EXPECT_EQ(paste_bytes(std::string_view("a\0b", 3), 100), "ab");
}

TEST(Paste, CappedWithoutSplittingACharacter) {
    EXPECT_EQ(paste_bytes("abcdef", 4), "abcd");
    EXPECT_EQ(paste_bytes("ab\xe9", 3), "ab"); // é is two bytes
    EXPECT_EQ(paste_bytes("ab\xe9", 4), "ab\xc3\xa9");
    EXPECT_EQ(paste_bytes("abc", 0), "");
}

} // namespace
} // namespace superd::vnc
