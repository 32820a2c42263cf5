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

enum class TokenKind {
    word,
    string,
    semicolon,
    open_brace,
    close_brace,
    comma,
    equals,
    open_paren,  // (  in conditions
    close_paren, // )
    bang,        // !  of !=
    end
};

struct Token {
    TokenKind kind = TokenKind::end;
    std::string text;
    int line = 0;
};

// Splits lines into tokens. A word is any run of characters other than blanks and ;{},="#()!, so
// addresses, MACs, hex lists (00:07) and NET/LEN stay whole. Strings do not span lines. Always ends
// with an `end` token.
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

// How an option's value is written in the config and laid out on the wire.
enum class OptionFormat {
    ip,
    ip_list,
    text,
    mtu,
    domain_list,
    routes,
    byte_array,
    integer, // `[un]signed integer 8|16|32`: big-endian, `width` bytes
    flag,    // `boolean`: true/false/on/off, one byte
    data,    // `string` (ISC's X): a quoted string or colon-separated hex
};

struct OptionType {
    std::uint8_t code = 0;
    OptionFormat format = OptionFormat::byte_array;
    std::uint8_t width = 0; // integer: 1, 2 or 4
    bool is_signed = false; // integer
};

// Names declared with `option NAME code N = TYPE;`.
using OptionDeclarations = std::map<std::string, OptionType, std::less<>>;

// A built-in or declared option. With `to_match`, also a dhcp-options(5) name whose value this
// server does not encode but can compare (`option dhcp-client-identifier` in a condition).
std::optional<OptionType> find_option_type(std::string_view name,
                                           const OptionDeclarations& declarations, bool to_match);
// The error for a name find_option_type() does not know; `context` follows the name.
std::string unknown_option_message(std::string_view name, std::string_view context = "");

// ISC's colon-separated hex list: "00:07", "7", "ff:1" (one or two digits a byte).
std::optional<std::vector<std::uint8_t>> parse_hex_list(std::string_view text);
// A decimal (or 0x hex, or negative when signed) number as an integer option's wire bytes;
// nullopt when it is not a number or does not fit.
std::optional<std::vector<std::uint8_t>> encode_integer(std::string_view text,
                                                        const OptionType& type);
std::string type_name(const OptionType& type); // "unsigned integer 16", ...

// After the word `option`: parses a declaration (records it, returns nullopt) or NAME VALUE
// (returns the encoded option). Consumes the statement, `;` included; errors go to diags.
// Inside an `if`, declarations are refused (`declarations_allowed` false): they are not per
// request.
std::optional<OptionValue> parse_option(TokenCursor& in, OptionDeclarations& declarations,
                                        common::Diagnostics& diags,
                                        bool declarations_allowed = true);

// After `if` or `elsif`: the condition, up to the `{` (left in place). On an error, reports it
// and returns nullopt with the cursor where the error is.
std::optional<Expression> parse_condition(TokenCursor& in, const OptionDeclarations& declarations,
                                          common::Diagnostics& diags);

// The checks that need the whole file: overlapping subnets, ranges outside their subnet,
// hardware addresses used twice, fixed addresses outside every subnet.
void check_config(const Config& config, common::Diagnostics& diags);

} // namespace superd::dhcp::detail
