#pragma once
// The keyboard: X11 keysyms, as an RFB KeyEvent carries them, to the bytes a terminal sends to
// its pty. libvterm's own keyboard encoder (vterm_keyboard_key / vterm_keyboard_unichar) makes
// the escape sequences, so cursor and keypad modes, xterm's modifier parameters (CSI 1;5A) and
// function keys come out as libvterm, and xterm, send them.
#include <cstdint>
#include <string>

namespace superd::vnc {

struct Modifiers {
    bool shift = false, ctrl = false, alt = false; // alt: Alt or Meta

    bool operator==(const Modifiers&) const = default;
};

// The bytes for one key press. Printable keysyms (Latin-1, and 0x01000000 + a Unicode
// codepoint) become UTF-8; Ctrl with a letter or @ [ \ ] ^ _ (and space, 2-8, / ? ~ as xterm
// does) the C0 control; Alt an ESC prefix. Return is CR, BackSpace DEL (Ctrl: BS), Tab TAB
// (Shift: CSI Z), whatever the other modifiers: a serial console does not know CSI u.
// Empty for modifier keys and keysyms with nothing to send.
std::string key_to_bytes(std::uint32_t keysym, Modifiers mods, bool application_cursor_keys,
                         bool application_keypad);

// Which modifier keys are held, from the KeyEvents' downs and ups, so the caller hands over
// each KeyEvent as it comes.
class KeyboardState {
  public:
    // The bytes for this event (nothing for releases and modifier keys). AltGr (ISO_Level3_Shift,
    // Mode_switch, or Ctrl+Alt as Windows viewers send it) with a printable keysym other than an
    // ASCII letter sends that character alone: the viewer has already applied AltGr.
    std::string event(std::uint32_t keysym, bool down, bool application_cursor_keys,
                      bool application_keypad);
    Modifiers modifiers() const;
    // Everything released (a new viewer, or a viewer that went away with keys held).
    void reset() { held_ = 0; }

  private:
    std::uint32_t held_ = 0; // one bit per modifier keysym, see keyboard.cpp
};

} // namespace superd::vnc
