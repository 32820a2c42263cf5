#pragma once
// Internal to the dhcpd.conf parser (config*.cpp): the tokenizer, the token cursor, and the
// option-statement parser, shared by the files the parser is split into.
#include "common/config_lines.hpp"
#include "common/diagnostics.hpp"
#include "dhcpd/config.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::dhcp::detail {

enum class TokenKind { word, string, semicolon, open_brace, close_brace, comma, equals, end };

struct Token {
    TokenKind kind = TokenKind::end;
    std::string text;
    int line = 0;
};

// Splits lines into tokens. A word is any run of characters other than blanks and ;{},="#, so
// addresses, MACs and NET/LEN stay whole. Strings do not span lines. Always ends with an `end`
// token.
std::vector<Token> tokenize(const std::vector<common::ConfigLine>& lines, const std::string& file,
                            common::Diagnostics& diags);

class TokenCursor {
  public:
    TokenCursor(std::string file, std::vector<Token> tokens);

    const Token& peek() const { return tokens_[pos_]; }
    bool at(TokenKind kind) const { return peek().kind == kind; }
    bool at_word(std::string_view text) const;
    const Token& next(); // never moves past the `end` token
    bool accept(TokenKind kind);
    // The next token of a value; a `;`, `}` or the end is left in place (and returned), so that
    // recovery from a missing value does not swallow the next statement.
    const Token& next_value();
    const std::string& file() const { return file_; }
    SourceLocation where(const Token& token) const { return {file_, token.line}; }
    SourceLocation here() const { return where(peek()); }
    SourceLocation last() const { return {file_, last_line_}; } // the last token consumed

    // Error recovery: drops tokens up to and including the next `;` at this nesting level, or a
    // whole `{ ... }` block; stops before a `}` that closes the enclosing block.
    void skip_statement();
    // Consumes the `;` that ends `statement`. Without one, reports it and recovers: tokens left
    // on the same line are skipped as part of the bad statement; a new line is a new statement.
    bool end_statement(std::string_view statement, common::Diagnostics& diags);

  private:
    std::string file_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    int last_line_ = 1;
};

std::optional<std::uint32_t> parse_ipv4(std::string_view text); // dotted quad only

// Names declared with `option NAME code N = array of [unsigned] integer 8;`.
using OptionDeclarations = std::map<std::string, std::uint8_t, std::less<>>;

// After the word `option`: parses a declaration (records it, returns nullopt) or NAME VALUE
// (returns the encoded option). Consumes the statement, `;` included; errors go to diags.
std::optional<OptionValue> parse_option(TokenCursor& in, OptionDeclarations& declarations,
                                        common::Diagnostics& diags);

// The checks that need the whole file: overlapping subnets, ranges outside their subnet,
// hardware addresses used twice, fixed addresses outside every subnet.
void check_config(const Config& config, common::Diagnostics& diags);

} // namespace superd::dhcp::detail
