#include "dhcpd/config_tokens.hpp"

#include <charconv>
#include <utility>

namespace superd::dhcp::detail {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

bool ends_word(char c) {
    return is_blank(c) || c == ';' || c == '{' || c == '}' || c == ',' || c == '=' || c == '"' ||
           c == '#' || c == '(' || c == ')' || c == '!';
}

} // namespace

std::vector<Token> tokenize(const std::vector<common::ConfigLine>& lines, const std::string& file,
                            common::Diagnostics& diags) {
    std::vector<Token> tokens;
    int last_line = 1;
    for (const auto& line : lines) {
        const std::string& s = line.text;
        const int n = line.where.line;
        last_line = n;
        std::size_t i = 0;
        while (i < s.size()) {
            char c = s[i];
            if (is_blank(c)) {
                ++i;
            } else if (c == '#') {
                break;
            } else if (c == '"') {
                std::string text;
                bool closed = false;
                for (++i; i < s.size(); ++i) {
                    if (s[i] == '"') {
                        closed = true;
                        ++i;
                        break;
                    }
                    // ISC's escapes; anything else after a backslash stands for itself.
                    if (s[i] == '\\' && i + 1 < s.size()) {
                        char e = s[++i];
                        text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
                    } else {
                        text += s[i];
                    }
                }
                if (!closed) diags.error({file, n}, "unterminated string");
                tokens.push_back({TokenKind::string, std::move(text), n});
            } else if (ends_word(c)) {
                TokenKind kind = c == ';'   ? TokenKind::semicolon
                                 : c == '{' ? TokenKind::open_brace
                                 : c == '}' ? TokenKind::close_brace
                                 : c == ',' ? TokenKind::comma
                                 : c == '(' ? TokenKind::open_paren
                                 : c == ')' ? TokenKind::close_paren
                                 : c == '!' ? TokenKind::bang
                                            : TokenKind::equals;
                tokens.push_back({kind, std::string(1, c), n});
                ++i;
            } else {
                std::size_t start = i;
                while (i < s.size() && !ends_word(s[i]))
                    ++i;
                tokens.push_back({TokenKind::word, s.substr(start, i - start), n});
            }
        }
    }
    tokens.push_back({TokenKind::end, "end of file", last_line});
    return tokens;
}

TokenCursor::TokenCursor(std::string file, std::vector<Token> tokens)
    : file_(std::move(file))
    , tokens_(std::move(tokens)) {
    if (tokens_.empty() || tokens_.back().kind != TokenKind::end)
        tokens_.push_back({TokenKind::end, "end of file", 1});
}

bool TokenCursor::at_word(std::string_view text) const {
    return peek().kind == TokenKind::word && peek().text == text;
}

const Token& TokenCursor::next() {
    const Token& token = tokens_[pos_];
    if (token.kind != TokenKind::end) {
        ++pos_;
        last_line_ = token.line;
    }
    return token;
}

bool TokenCursor::accept(TokenKind kind) {
    if (!at(kind)) return false;
    next();
    return true;
}

const Token& TokenCursor::next_value() {
    if (at(TokenKind::semicolon) || at(TokenKind::close_brace)) return peek();
    return next();
}

void TokenCursor::skip_statement() {
    // Iterative, so that a deeply nested block cannot exhaust the stack.
    int depth = 0;
    while (!at(TokenKind::end)) {
        TokenKind kind = peek().kind;
        if (kind == TokenKind::close_brace && depth == 0) return;
        next();
        if (kind == TokenKind::open_brace) {
            ++depth;
        } else if (kind == TokenKind::close_brace) {
            if (--depth == 0) return;
        } else if (kind == TokenKind::semicolon && depth == 0) {
            return;
        }
    }
}

bool TokenCursor::end_statement(std::string_view statement, common::Diagnostics& diags) {
    if (accept(TokenKind::semicolon)) return true;
    const Token& t = peek();
    if (t.kind != TokenKind::end && t.kind != TokenKind::close_brace && t.line == last_line_) {
        diags.error(here(), "unexpected '" + t.text + "' in '" + std::string(statement) + "'");
        skip_statement();
    } else {
        diags.error(last(), "missing ';' after '" + std::string(statement) + "'");
    }
    return false;
}

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
    std::uint32_t address = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (text.empty() || text.front() != '.') return std::nullopt;
            text.remove_prefix(1);
        }
        unsigned value = 256;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        std::size_t used = static_cast<std::size_t>(end - text.data());
        if (ec != std::errc{} || value > 255 || used == 0 || used > 3) return std::nullopt;
        text.remove_prefix(used);
        address = address << 8 | value;
    }
    if (!text.empty()) return std::nullopt;
    return address;
}

} // namespace superd::dhcp::detail
