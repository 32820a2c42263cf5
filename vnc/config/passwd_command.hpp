#pragma once
// `superd-vncd --passwd FILE`: writes a vncpasswd-format password file, as TigerVNC's
// vncpasswd does, so that FILE works with either program.
#include <istream>
#include <ostream>
#include <string>

namespace superd::vnc {

// interactive (standard input is a terminal): prompts for the password and its confirmation
// (the caller turns echo off, see TerminalEchoOff), at least 6 characters as vncpasswd asks,
// three tries; then asks whether to add a view-only password and, on "y", prompts for it the
// same way. Otherwise: the first line of `in` is the password, an optional second line the
// view-only password (vncpasswd -f's input); any length from 1 character.
// Only the first 8 characters count (VNC Authentication); a longer password gets a note.
// Writes FILE crash-safely with mode 0600. Prompts and messages go to `out`.
// Returns the exit status: 0 when FILE was written, 1 otherwise (FILE is then unchanged).
int run_passwd_command(const std::string& path, std::istream& in, std::ostream& out,
                       bool interactive);

// Turns off echo on a terminal for its lifetime (nothing when `fd` is not a terminal).
class TerminalEchoOff {
  public:
    explicit TerminalEchoOff(int fd);
    ~TerminalEchoOff();
    TerminalEchoOff(const TerminalEchoOff&) = delete;
    TerminalEchoOff& operator=(const TerminalEchoOff&) = delete;

  private:
    int fd_;
    bool restore_ = false;
    unsigned saved_lflag_ = 0;
};

} // namespace superd::vnc
