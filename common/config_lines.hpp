#pragma once
// Line-tracking reader for line-oriented config formats (xinetd.conf, ntp.conf, squid.conf).
#include "common/diagnostics.hpp"

#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace superd::common {

struct ConfigLine {
    SourceLocation where; // file and 1-based line number
    std::string text;     // without the trailing newline (and without a trailing '\r')
};

// Reads the whole file. Error: "PATH: <strerror>".
std::expected<std::vector<ConfigLine>, std::string> read_config_lines(const std::string& path);

// Splits on spaces and tabs only (no quoting, as xinetd does). Empty fields are dropped.
std::vector<std::string> split_blanks(std::string_view text);

// Text with leading and trailing blanks (space, tab, \r, \n) removed.
std::string_view trim(std::string_view text);

} // namespace superd::common
