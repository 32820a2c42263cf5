#pragma once
// What every module does first: tell whether superd handed it a socket on fd 0, and choose
// where its messages go. Under superd fd 1 and 2 are the socket too, so they are pointed at
// /dev/null and the messages go to a file (--log-file) or syslog, never to stderr.
#include "common/log.hpp"

#include <expected>
#include <string>
#include <string_view>

namespace superd::common {

struct ModuleStart {
    bool handed_over = false; // superd's socket on fd 0: datagram, listening or connected
    LogOptions log;
};

// log_file: the module's --log-file (empty: none); log_stderr: its -d.
ModuleStart module_start(const std::string& ident, const std::string& log_file, bool log_stderr);

// A module's `--idle-timeout SECONDS` (0 or more, decimal digits only); the error names it.
std::expected<int, std::string> parse_idle_timeout(std::string_view text);

} // namespace superd::common
