#include "vnc/term/keyboard.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

constexpr Modifiers none{}, shift{true, false, false}, ctrl{false, true, false},
    alt{false, false, true}, ctrl_shift{true, true, false};

std::string key(std::uint32_t keysym, Modifiers mods = none, bool app_cursor = false,
                bool app_keypad = false) {
    return key_to_bytes(keysym, mods, app_cursor, app_keypad);
}

TEST(Keyboard, PrintableLatin1AndUnicodeKeysymsAreUtf8) {
    EXPECT_EQ(key('a'), "a");
    EXPECT_EQ(key('A', shift), "A"); // shift is already in the keysym
    EXPECT_EQ(key(' '), " ");
    EXPECT_EQ(key('~'), "~");
    EXPECT_EQ(key(0xe9), "\xc3\xa9");                    // eacute
    EXPECT_EQ(key(0xa3), "\xc2\xa3");                    // sterling
    EXPECT_EQ(key(0x01000000 + 0x20ac), "\xe2\x82\xac"); // U+20AC as a Unicode keysym
    EXPECT_EQ(key(0x20ac), "\xe2\x82\xac");              // EuroSign
    EXPECT_EQ(key(0x01000000 + 0x1f600), "\xf0\x9f\x98\x80");
    EXPECT_EQ(key(0x01000000 + 0xd800), ""); // a surrogate is no character
}

TEST(Keyboard, EditingKeys) {
    EXPECT_EQ(key(0xff0d), "\r");       // Return
    EXPECT_EQ(key(0xff0d, ctrl), "\r"); // not CSI 13;5u
    EXPECT_EQ(key(0xff0d, alt), "\x1b\r");
    EXPECT_EQ(key(0xff08), "\x7f"); // BackSpace
    EXPECT_EQ(key(0xff08, ctrl), "\b");
    EXPECT_EQ(key(0xff08, alt), "\x1b\x7f");
    EXPECT_EQ(key(0xff09), "\t"); // Tab
    EXPECT_EQ(key(0xff09, shift), "\x1b[Z");
    EXPECT_EQ(key(0xfe20, shift), "\x1b[Z"); // ISO_Left_Tab
    EXPECT_EQ(key(0xff1b), "\x1b");          // Escape
    EXPECT_EQ(key(0xffff), "\x1b[3~");       // Delete
    EXPECT_EQ(key(0xff63), "\x1b[2~");       // Insert
    EXPECT_EQ(key(0xff55), "\x1b[5~");       // Prior
    EXPECT_EQ(key(0xff56), "\x1b[6~");       // Next
    EXPECT_EQ(key(0xff50), "\x1b[H");        // Home
    EXPECT_EQ(key(0xff57), "\x1b[F");        // End
    EXPECT_EQ(key(0xff0a), "\n");            // Linefeed
}

TEST(Keyboard, ArrowsInNormalAndApplicationCursorMode) {
    EXPECT_EQ(key(0xff52), "\x1b[A"); // Up
    EXPECT_EQ(key(0xff54), "\x1b[B"); // Down
    EXPECT_EQ(key(0xff53), "\x1b[C"); // Right
    EXPECT_EQ(key(0xff51), "\x1b[D"); // Left
    EXPECT_EQ(key(0xff52, none, true), "\x1bOA");
    EXPECT_EQ(key(0xff54, none, true), "\x1bOB");
    EXPECT_EQ(key(0xff53, none, true), "\x1bOC");
    EXPECT_EQ(key(0xff51, none, true), "\x1bOD");
    EXPECT_EQ(key(0xff50, none, true), "\x1bOH");
    EXPECT_EQ(key(0xff57, none, true), "\x1bOF");
}

TEST(Keyboard, ModifiedArrowsAndFunctionKeysUseXtermParameters) {
    EXPECT_EQ(key(0xff52, shift), "\x1b[1;2A");
    EXPECT_EQ(key(0xff52, alt), "\x1b[1;3A");
    EXPECT_EQ(key(0xff53, ctrl), "\x1b[1;5C");
    EXPECT_EQ(key(0xff53, ctrl, true), "\x1b[1;5C"); // modified: CSI even in application mode
    EXPECT_EQ(key(0xff51, ctrl_shift), "\x1b[1;6D");
    EXPECT_EQ(key(0xffbe, shift), "\x1b[1;2P"); // Shift-F1
    EXPECT_EQ(key(0xffc2, ctrl), "\x1b[15;5~"); // Ctrl-F5
    EXPECT_EQ(key(0xffff, shift), "\x1b[3;2~"); // Shift-Delete
}

TEST(Keyboard, FunctionKeysAreXterms) {
    const char* expected[] = {"\x1bOP",   "\x1bOQ",   "\x1bOR",   "\x1bOS",
                              "\x1b[15~", "\x1b[17~", "\x1b[18~", "\x1b[19~",
                              "\x1b[20~", "\x1b[21~", "\x1b[23~", "\x1b[24~"};
    for (int n = 0; n < 12; ++n)
        EXPECT_EQ(key(0xffbe + n), expected[n]) << "F" << n + 1;
    EXPECT_EQ(key(0xffca), "\x1b[1;2P"); // F13 is Shift-F1, as in xterm
    EXPECT_EQ(key(0xff91), "\x1bOP");    // KP_F1
}

TEST(Keyboard, KeypadInNormalAndApplicationMode) {
    EXPECT_EQ(key(0xffb0), "0"); // KP_0
    EXPECT_EQ(key(0xffb9), "9");
    EXPECT_EQ(key(0xffab), "+");
    EXPECT_EQ(key(0xffaa), "*");
    EXPECT_EQ(key(0xffae), ".");
    EXPECT_EQ(key(0xff8d), "\r"); // KP_Enter
    EXPECT_EQ(key(0xffb0, none, false, true), "\x1bOp");
    EXPECT_EQ(key(0xffb9, none, false, true), "\x1bOy");
    EXPECT_EQ(key(0xffab, none, false, true), "\x1bOk");
    EXPECT_EQ(key(0xffad, none, false, true), "\x1bOm");
    EXPECT_EQ(key(0xff8d, none, false, true), "\x1bOM");
    EXPECT_EQ(key(0xff97), "\x1b[A");  // KP_Up (NumLock off)
    EXPECT_EQ(key(0xff9f), "\x1b[3~"); // KP_Delete
}

TEST(Keyboard, CtrlMakesC0Controls) {
    EXPECT_EQ(key('c', ctrl), "\x03");
    EXPECT_EQ(key('a', ctrl), "\x01");
    EXPECT_EQ(key('z', ctrl), "\x1a");
    EXPECT_EQ(key('C', ctrl_shift), "\x03");
    EXPECT_EQ(key('[', ctrl), "\x1b");
    EXPECT_EQ(key('\\', ctrl), "\x1c");
    EXPECT_EQ(key(']', ctrl), "\x1d");
    EXPECT_EQ(key('^', ctrl), "\x1e");
    EXPECT_EQ(key('_', ctrl), "\x1f");
    EXPECT_EQ(key('@', ctrl), std::string(1, '\0'));
    EXPECT_EQ(key(' ', ctrl), std::string(1, '\0'));
    EXPECT_EQ(key('i', ctrl), "\t");
    EXPECT_EQ(key('m', ctrl), "\r");
    EXPECT_EQ(key('1', ctrl), "1"); // no control: the character
}

TEST(Keyboard, AltIsAnEscPrefix) {
    EXPECT_EQ(key('x', alt), "\x1bx");
    EXPECT_EQ(key('X', Modifiers{true, false, true}), "\x1bX");
    EXPECT_EQ(key('c', Modifiers{false, true, true}), "\x1b\x03");
    EXPECT_EQ(key(0xe9, alt), "\x1b\xc3\xa9");
}

TEST(Keyboard, ModifierKeysSendNothing) {
    for (std::uint32_t keysym : {0xffe1u, 0xffe3u, 0xffe9u, 0xffe7u, 0xfe03u, 0xffe5u, 0xff7fu})
        EXPECT_EQ(key(keysym), "") << std::hex << keysym;
    EXPECT_EQ(key(0xff13), ""); // Pause
}

TEST(KeyboardState, TracksModifiersFromDownsAndUps) {
    KeyboardState kb;
    EXPECT_EQ(kb.event(0xffe3, true, false, false), ""); // Control_L down
    EXPECT_EQ(kb.modifiers(), ctrl);
    EXPECT_EQ(kb.event('c', true, false, false), "\x03");
    EXPECT_EQ(kb.event('c', false, false, false), ""); // releases send nothing
    EXPECT_EQ(kb.event(0xffe3, false, false, false), "");
    EXPECT_EQ(kb.event('c', true, false, false), "c");
    kb.event(0xffe9, true, false, false); // Alt_L
    EXPECT_EQ(kb.event('x', true, false, false), "\x1bx");
    kb.event(0xffe9, false, false, false);
    kb.event(0xffe8, true, false, false); // Meta_R
    EXPECT_EQ(kb.modifiers(), alt);
    kb.reset();
    EXPECT_EQ(kb.modifiers(), none);
}

TEST(KeyboardState, LeftAndRightAreSeparateKeys) {
    KeyboardState kb;
    kb.event(0xffe1, true, false, false);  // Shift_L
    kb.event(0xffe2, true, false, false);  // Shift_R
    kb.event(0xffe1, false, false, false); // Shift_L up, Shift_R still held
    EXPECT_EQ(kb.event(0xff52, true, false, false), "\x1b[1;2A");
}

TEST(KeyboardState, PassesTheModes) {
    KeyboardState kb;
    EXPECT_EQ(kb.event(0xff52, true, true, false), "\x1bOA");
    EXPECT_EQ(kb.event(0xffb1, true, false, true), "\x1bOq");
}

TEST(KeyboardState, AltGrSendsTheCharacter) {
    KeyboardState kb;
    kb.event(0xfe03, true, false, false); // ISO_Level3_Shift
    EXPECT_EQ(kb.event('@', true, false, false), "@");
    kb.event(0xfe03, false, false, false);
    // Windows viewers send AltGr as Control_L + Alt_R.
    kb.event(0xffe3, true, false, false);
    kb.event(0xffea, true, false, false);
    EXPECT_EQ(kb.event('{', true, false, false), "{");
    EXPECT_EQ(kb.event(0x20ac, true, false, false), "\xe2\x82\xac");
    EXPECT_EQ(kb.event('x', true, false, false), "\x1b\x18"); // Ctrl-Alt-x stays
}

} // namespace
} // namespace superd::vnc
