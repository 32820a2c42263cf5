#include "vnc/term/keyboard.hpp"

#include <vterm.h>

#include <optional>

namespace superd::vnc {

namespace {

// X11 keysyms (X11/keysymdef.h).
namespace xk {
constexpr std::uint32_t BackSpace = 0xff08, Tab = 0xff09, Linefeed = 0xff0a, Return = 0xff0d,
                        Escape = 0xff1b, Delete = 0xffff, Home = 0xff50, Left = 0xff51, Up = 0xff52,
                        Right = 0xff53, Down = 0xff54, Prior = 0xff55, Next = 0xff56, End = 0xff57,
                        Insert = 0xff63, ISO_Left_Tab = 0xfe20, KP_Space = 0xff80, KP_Tab = 0xff89,
                        KP_Enter = 0xff8d, KP_F1 = 0xff91, KP_F4 = 0xff94, KP_Home = 0xff95,
                        KP_Left = 0xff96, KP_Up = 0xff97, KP_Right = 0xff98, KP_Down = 0xff99,
                        KP_Prior = 0xff9a, KP_Next = 0xff9b, KP_End = 0xff9c, KP_Insert = 0xff9e,
                        KP_Delete = 0xff9f, KP_Multiply = 0xffaa, KP_Add = 0xffab,
                        KP_Separator = 0xffac, KP_Subtract = 0xffad, KP_Decimal = 0xffae,
                        KP_Divide = 0xffaf, KP_0 = 0xffb0, KP_9 = 0xffb9, KP_Equal = 0xffbd,
                        F1 = 0xffbe, F12 = 0xffc9, F24 = 0xffd5, EuroSign = 0x20ac,
                        Unicode = 0x01000000;
// The modifier keys KeyboardState tracks, and the bit each has in held_.
struct ModifierKey {
    std::uint32_t keysym;
    std::uint32_t bit;
};
constexpr std::uint32_t shift_bits = 0x03, ctrl_bits = 0x0c, alt_bits = 0xf0, altgr_bits = 0x300;
constexpr ModifierKey modifier_keys[] = {
    {0xffe1, 0x01},  {0xffe2, 0x02},  // Shift_L, Shift_R
    {0xffe3, 0x04},  {0xffe4, 0x08},  // Control_L, Control_R
    {0xffe7, 0x10},  {0xffe8, 0x20},  // Meta_L, Meta_R
    {0xffe9, 0x40},  {0xffea, 0x80},  // Alt_L, Alt_R
    {0xfe03, 0x100}, {0xff7e, 0x200}, // ISO_Level3_Shift (AltGr), Mode_switch
};
// Other keys that change no bytes by themselves: Caps_Lock, Shift_Lock, Super, Hyper, Num_Lock.
bool is_silent_modifier(std::uint32_t keysym) {
    return (keysym >= 0xffe1 && keysym <= 0xffee) || keysym == 0xff7f ||
           (keysym >= 0xfe01 && keysym <= 0xfe0f);
}
} // namespace xk

// A one-cell libvterm terminal in the given modes, used only for its keyboard encoder.
class KeyEncoder {
  public:
    KeyEncoder(bool application_cursor_keys, bool application_keypad)
        : vt_(vterm_new(1, 1)) {
        vterm_obtain_state(vt_);
        std::string modes = application_cursor_keys ? "\x1b[?1h" : "\x1b[?1l";
        modes += application_keypad ? "\x1b=" : "\x1b>";
        vterm_input_write(vt_, modes.data(), modes.size());
        vterm_output_set_callback(vt_, &KeyEncoder::collect, &bytes_);
    }
    ~KeyEncoder() { vterm_free(vt_); }
    KeyEncoder(const KeyEncoder&) = delete;
    KeyEncoder& operator=(const KeyEncoder&) = delete;

    std::string key(VTermKey key, VTermModifier mod) {
        vterm_keyboard_key(vt_, key, mod);
        return std::move(bytes_);
    }
    std::string unichar(std::uint32_t cp, VTermModifier mod) {
        vterm_keyboard_unichar(vt_, cp, mod);
        return std::move(bytes_);
    }

  private:
    static void collect(const char* s, std::size_t len, void* user) {
        static_cast<std::string*>(user)->append(s, len);
    }

    VTerm* vt_;
    std::string bytes_;
};

VTermModifier vterm_mods(bool shift, bool ctrl, bool alt) {
    return static_cast<VTermModifier>((shift ? VTERM_MOD_SHIFT : 0) | (ctrl ? VTERM_MOD_CTRL : 0) |
                                      (alt ? VTERM_MOD_ALT : 0));
}

// The keys libvterm encodes (everything but Return, Tab, BackSpace and Escape, see below).
std::optional<VTermKey> special_key(std::uint32_t keysym) {
    switch (keysym) {
    case xk::Up:
    case xk::KP_Up:
        return VTERM_KEY_UP;
    case xk::Down:
    case xk::KP_Down:
        return VTERM_KEY_DOWN;
    case xk::Left:
    case xk::KP_Left:
        return VTERM_KEY_LEFT;
    case xk::Right:
    case xk::KP_Right:
        return VTERM_KEY_RIGHT;
    case xk::Insert:
    case xk::KP_Insert:
        return VTERM_KEY_INS;
    case xk::Delete:
    case xk::KP_Delete:
        return VTERM_KEY_DEL;
    case xk::Home:
    case xk::KP_Home:
        return VTERM_KEY_HOME;
    case xk::End:
    case xk::KP_End:
        return VTERM_KEY_END;
    case xk::Prior:
    case xk::KP_Prior:
        return VTERM_KEY_PAGEUP;
    case xk::Next:
    case xk::KP_Next:
        return VTERM_KEY_PAGEDOWN;
    case xk::KP_Enter:
        return VTERM_KEY_KP_ENTER;
    case xk::KP_Multiply:
        return VTERM_KEY_KP_MULT;
    case xk::KP_Add:
        return VTERM_KEY_KP_PLUS;
    case xk::KP_Separator:
        return VTERM_KEY_KP_COMMA;
    case xk::KP_Subtract:
        return VTERM_KEY_KP_MINUS;
    case xk::KP_Decimal:
        return VTERM_KEY_KP_PERIOD;
    case xk::KP_Divide:
        return VTERM_KEY_KP_DIVIDE;
    case xk::KP_Equal:
        return VTERM_KEY_KP_EQUAL;
    }
    if (keysym >= xk::KP_0 && keysym <= xk::KP_9)
        return static_cast<VTermKey>(VTERM_KEY_KP_0 + (keysym - xk::KP_0));
    if (keysym >= xk::F1 && keysym <= xk::F12)
        return static_cast<VTermKey>(VTERM_KEY_FUNCTION(1 + (keysym - xk::F1)));
    if (keysym >= xk::KP_F1 && keysym <= xk::KP_F4)
        return static_cast<VTermKey>(VTERM_KEY_FUNCTION(1 + (keysym - xk::KP_F1)));
    return std::nullopt;
}

// The character a keysym types, if it types one.
std::optional<char32_t> keysym_char(std::uint32_t keysym) {
    if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff)) return keysym;
    if (keysym >= xk::Unicode + 0x20 && keysym <= xk::Unicode + 0x10ffff) {
        char32_t cp = keysym - xk::Unicode;
        if ((cp >= 0x7f && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
        return cp;
    }
    if (keysym == xk::EuroSign) return U'\u20AC';
    if (keysym == xk::KP_Space) return U' ';
    return std::nullopt;
}

// Ctrl with a character, as xterm sends it: the C0 control for letters and @[\]^_ (and the
// digit row's traditional aliases); the character itself when there is no such control.
char32_t control_of(char32_t c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return c & 0x1f;
    switch (c) {
    case '@':
    case ' ':
    case '2':
        return 0x00;
    case '[':
    case '3':
        return 0x1b;
    case '\\':
    case '4':
        return 0x1c;
    case ']':
    case '5':
        return 0x1d;
    case '^':
    case '~':
    case '6':
        return 0x1e;
    case '_':
    case '/':
    case '7':
        return 0x1f;
    case '?':
    case '8':
        return 0x7f;
    }
    return c;
}

} // namespace

std::string key_to_bytes(std::uint32_t keysym, Modifiers mods, bool application_cursor_keys,
                         bool application_keypad) {
    KeyEncoder encoder(application_cursor_keys, application_keypad);
    VTermModifier alt_only = vterm_mods(false, false, mods.alt);
    switch (keysym) {
    // libvterm would send CSI 13;5u for Ctrl-Return and the like (fixterms), which programs on
    // a serial console do not understand: these keep their traditional bytes, Alt its ESC.
    case xk::Return:
        return encoder.key(VTERM_KEY_ENTER, alt_only);
    case xk::Linefeed:
        return encoder.unichar('\n', alt_only);
    case xk::Tab:
    case xk::KP_Tab:
    case xk::ISO_Left_Tab:
        return encoder.key(VTERM_KEY_TAB,
                           vterm_mods(mods.shift || keysym == xk::ISO_Left_Tab, false, mods.alt));
    case xk::BackSpace:
        return mods.ctrl ? encoder.unichar('\b', alt_only)
                         : encoder.key(VTERM_KEY_BACKSPACE, alt_only);
    case xk::Escape:
        return encoder.key(VTERM_KEY_ESCAPE, alt_only);
    // libvterm sends LF for KP_Enter outside application keypad mode; xterm and the Linux
    // console send CR, as Return does.
    case xk::KP_Enter:
        if (!application_keypad) return encoder.key(VTERM_KEY_ENTER, alt_only);
        break;
    }
    if (keysym > xk::F12 && keysym <= xk::F24) // F13-F24: xterm's Shift+F1-F12
        return encoder.key(static_cast<VTermKey>(VTERM_KEY_FUNCTION(1 + (keysym - xk::F1 - 12))),
                           vterm_mods(true, mods.ctrl, mods.alt));
    if (auto key = special_key(keysym))
        return encoder.key(*key, vterm_mods(mods.shift, mods.ctrl, mods.alt));
    if (auto c = keysym_char(keysym)) {
        // Shift is already in the keysym ('A', not 'a'); Ctrl is applied here so that Ctrl with
        // a capital letter or a symbol gets its C0 control, not libvterm's CSI u.
        // Alt is prefixed here too: libvterm 0.1.4 writes a modified character as one byte
        // (printf %c), which truncates anything past ASCII.
        char32_t cp = mods.ctrl ? control_of(*c) : *c;
        return (mods.alt ? "\x1b" : "") + encoder.unichar(cp, VTERM_MOD_NONE);
    }
    return {};
}

std::string KeyboardState::event(std::uint32_t keysym, bool down, bool application_cursor_keys,
                                 bool application_keypad) {
    for (const xk::ModifierKey& key : xk::modifier_keys) {
        if (key.keysym == keysym) {
            held_ = down ? (held_ | key.bit) : (held_ & ~key.bit);
            return {};
        }
    }
    if (!down || xk::is_silent_modifier(keysym)) return {};
    Modifiers mods = modifiers();
    auto c = keysym_char(keysym);
    bool letter = c && *c < 0x80 && ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'));
    bool altgr = (held_ & xk::altgr_bits) != 0 || (mods.ctrl && mods.alt);
    if (c && altgr && !letter) mods.ctrl = mods.alt = false;
    return key_to_bytes(keysym, mods, application_cursor_keys, application_keypad);
}

Modifiers KeyboardState::modifiers() const {
    return Modifiers{(held_ & xk::shift_bits) != 0, (held_ & xk::ctrl_bits) != 0,
                     (held_ & xk::alt_bits) != 0};
}

} // namespace superd::vnc
