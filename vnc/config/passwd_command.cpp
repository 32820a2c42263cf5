#include "vnc/config/passwd_command.hpp"

#include "vnc/config/password_file.hpp"

#include <optional>

#include <termios.h>
#include <unistd.h>

namespace superd::vnc {

namespace {

// vncpasswd's own minimum when a person types the password.
constexpr std::size_t min_interactive_length = 6;
constexpr int tries = 3;

std::optional<std::string> read_line(std::istream& in) {
    std::string line;
    if (!std::getline(in, line)) return std::nullopt;
    if (line.ends_with('\r')) line.pop_back();
    return line;
}

// Prompts for a password and its confirmation until they match and are long enough.
std::optional<std::string> prompt_password(std::istream& in, std::ostream& out) {
    for (int attempt = 0; attempt < tries; ++attempt) {
        out << "Password: " << std::flush;
        auto first = read_line(in);
        out << '\n'; // the Enter the user typed was not echoed
        if (!first) return std::nullopt;
        if (first->size() < min_interactive_length) {
            out << "Password too short (at least " << min_interactive_length
                << " characters); try again\n";
            continue;
        }
        out << "Verify: " << std::flush;
        auto second = read_line(in);
        out << '\n';
        if (!second) return std::nullopt;
        if (*first != *second) {
            out << "Passwords don't match; try again\n";
            continue;
        }
        return first;
    }
    out << "Too many tries\n";
    return std::nullopt;
}

void note_truncation(const std::string& password, std::ostream& out) {
    if (password.size() > max_password_length)
        out << "Note: only the first " << max_password_length
            << " characters of a VNC password are used\n";
}

} // namespace

int run_passwd_command(const std::string& path, std::istream& in, std::ostream& out,
                       bool interactive) {
    std::optional<std::string> password;
    std::optional<std::string> viewonly;
    if (interactive) {
        password = prompt_password(in, out);
        if (!password) {
            out << "Password file " << path << " not written\n";
            return 1;
        }
        note_truncation(*password, out);
        out << "Would you like to enter a view-only password (y/n)? " << std::flush;
        auto answer = read_line(in);
        out << '\n';
        if (answer && (answer->starts_with('y') || answer->starts_with('Y'))) {
            viewonly = prompt_password(in, out);
            if (!viewonly) {
                out << "Password file " << path << " not written\n";
                return 1;
            }
            note_truncation(*viewonly, out);
        }
    } else {
        password = read_line(in);
        if (!password || password->empty()) {
            out << "No password on standard input; " << path << " not written\n";
            return 1;
        }
        if (auto second = read_line(in); second && !second->empty()) viewonly = second;
        note_truncation(*password, out);
        if (viewonly) note_truncation(*viewonly, out);
    }
    if (auto written = write_password_file(path, *password, viewonly); !written) {
        out << written.error() << '\n';
        return 1;
    }
    return 0;
}

TerminalEchoOff::TerminalEchoOff(int fd)
    : fd_(fd) {
    termios mode;
    if (::tcgetattr(fd_, &mode) != 0) return; // not a terminal
    saved_lflag_ = mode.c_lflag;
    mode.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    restore_ = ::tcsetattr(fd_, TCSAFLUSH, &mode) == 0;
}

TerminalEchoOff::~TerminalEchoOff() {
    if (!restore_) return;
    termios mode;
    if (::tcgetattr(fd_, &mode) != 0) return;
    mode.c_lflag = saved_lflag_;
    ::tcsetattr(fd_, TCSAFLUSH, &mode);
}

} // namespace superd::vnc
