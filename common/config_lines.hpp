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

// One word of a statement in the word-per-blank formats (ntp.conf, squid.conf); a quoted word
// ("...") is never a keyword.
struct ConfigToken {
    std::string text;
    bool quoted = false;
};

// The words of one statement (one line), the first being the directive, with a cursor over the
// rest for the directive's parser.
class ConfigStatement {
  public:
    ConfigStatement(SourceLocation where, std::vector<ConfigToken> tokens)
        : where_(std::move(where))
        , tokens_(std::move(tokens)) {}

    const SourceLocation& where() const { return where_; }
    const std::string& directive() const { return tokens_.front().text; }
    bool quoted_directive() const { return tokens_.front().quoted; }
    bool done() const { return pos_ >= tokens_.size(); }
    const ConfigToken* peek() const { return done() ? nullptr : &tokens_[pos_]; }
    const ConfigToken* next() { return done() ? nullptr : &tokens_[pos_++]; } // nullptr at the end
    // The next word is this unquoted word.
    bool at(std::string_view word) const {
        const ConfigToken* t = peek();
        return t != nullptr && !t->quoted && t->text == word;
    }
    std::size_t size() const { return tokens_.size(); }

  private:
    SourceLocation where_;
    std::vector<ConfigToken> tokens_;
    std::size_t pos_ = 1; // after the directive
};

// A word as messages show it: 'word'.
std::string quote(std::string_view text);
// Where an earlier statement was, as seen from `here`: "line 3" within the same file, "FILE:3"
// from another one.
std::string where_text(const SourceLocation& first, const SourceLocation& here);

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
