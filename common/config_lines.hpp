#pragma once
// Line-tracking reader for line-oriented config formats (xinetd.conf, ntp.conf, squid.conf).
#include "common/diagnostics.hpp"

#include <expected>
#include <optional>
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

// The files a parser is reading, outermost first: what every format with includes needs to
// refuse a loop or a too deep nest and to say why a file cannot be read, with the including
// statement's file:line (or the file's own name for the top-level file).
class IncludeStack {
  public:
    explicit IncludeStack(std::size_t max_depth)
        : max_depth_(max_depth) {}

    // The lines of `path`, included by the statement at `from` (nullptr: the top-level file),
    // and `path` becomes the innermost file until leave(); nothing (and an error in `diags`)
    // when it cannot be read, is already being read, or is nested too deep.
    std::optional<std::vector<ConfigLine>> enter(const std::string& path,
                                                 const SourceLocation* from, Diagnostics& diags);
    void leave() { files_.pop_back(); }

  private:
    std::size_t max_depth_;
    std::vector<std::string> files_;
};

} // namespace superd::common
