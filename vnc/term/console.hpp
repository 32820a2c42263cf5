#pragma once
// A text console as a framebuffer: what a command writes to its pty goes in (feed), libvterm
// keeps the screen, and the console draws it with a bitmap font and says which pixels changed
// (take_damage). Sans-I/O: no pty, no socket, no clock; the I/O shell moves the bytes.
#include "vnc/term/font.hpp"
#include "vnc/term/framebuffer.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace superd::vnc {

// What a viewer that has seen the previous update needs to show the framebuffer now: the
// copies first, in order, then the rectangles' pixels from framebuffer().
struct Update {
    std::vector<CopyOp> copies;
    std::vector<Rect> rects;

    bool empty() const { return copies.empty() && rects.empty(); }
};

class Console {
  public:
    // Sizes are clamped to 1..max_cols x 1..max_rows cells and at most max_pixels a side.
    static constexpr int max_cols = 1000, max_rows = 1000, max_pixels = 8192;
    // Answers to the program's queries (DA, DSR...) waiting for take_output() beyond this are
    // dropped: a program that asks faster than the shell drains cannot make us grow.
    static constexpr std::size_t max_pending_output = 64 * 1024;

    // The colours: the Linux console's VGA palette for the 16 ANSI colours (libvterm resolves
    // 256-colour and true-colour SGR itself); light grey on black by default.
    static std::uint32_t ansi_color(int index);
    static constexpr std::uint32_t default_fg = 0xaaaaaa, default_bg = 0x000000;

    // `font` must outlive the console.
    Console(int cols, int rows, const Font& font);
    ~Console();
    Console(Console&&) noexcept;
    Console& operator=(Console&&) noexcept;

    // The command's output, any amount, split anywhere (libvterm keeps partial sequences).
    void feed(std::string_view pty_output);
    // Bytes the terminal answers with (to DA, DSR, ...), for the command's pty.
    std::string take_output();

    // Brings framebuffer() up to date and says what changed since the last call (nothing
    // before it: a new console's first update is the whole screen). Scrolls come as copies.
    Update take_damage();
    // The whole screen as one rect, for a viewer that has seen nothing yet. It shows the
    // framebuffer as of the last take_damage(): call that first (and send its update to the
    // viewers already watching), so that every viewer sees the same picture.
    Update full() const;
    const Framebuffer& framebuffer() const;

    // New size in cells (the shell also tells the pty, TIOCSWINSZ). The framebuffer is
    // reallocated and the next update is the whole screen.
    void resize(int cols, int rows);
    // A status line in reverse video over the bottom row, e.g. when the command has exited
    // (UTF-8; cut to the width). The cursor is no longer drawn.
    void show_exit(std::string_view text);

    int cols() const;
    int rows() const;
    const Font& font() const;

    // Modes the program set, for the keyboard (DECCKM, DECKPAM) and paste (mode 2004).
    bool application_cursor_keys() const;
    bool application_keypad() const;
    // `text` as the program asked to receive pastes: between ESC [200~ and ESC [201~ when it
    // turned bracketed paste on, unchanged otherwise.
    std::string bracket_paste(std::string_view text) const;
    bool cursor_visible() const;
    bool alternate_screen() const;
    // The title the program set (OSC 0/2), at most 256 bytes; untrusted text.
    const std::string& title() const;
    // Whether the program rang the bell (BEL) since the last call.
    bool take_bell();
    // One row's text as UTF-8, trailing blanks removed (for tests and status tools).
    std::string row_text(int row) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace superd::vnc
