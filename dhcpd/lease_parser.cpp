// The reading half of dhcpd.leases(5), used to replay the file at start-up. Three layers: a
// lexer (words, ISC quoted strings, punctuation, `#` comments), a splitter that cuts the token
// stream into top-level statements by `;` and balanced braces, and the interpretation of a
// `lease` statement. Each layer is bounded and reports instead of failing, so a bad entry costs
// that entry only.
#include "dhcpd/lease_file.hpp"

#include <charconv>
#include <chrono>

namespace superd::dhcp {

namespace {

struct Token {
    enum class Kind : std::uint8_t { word, string, punct, bad, end };
    Kind kind = Kind::end;
    std::string text; // word as written, string decoded, punct char, or why a token is bad
    std::size_t line = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
    bool column0 = false;

    bool is(char c) const { return kind == Kind::punct && text[0] == c; }
    bool is_word(std::string_view w) const { return kind == Kind::word && text == w; }
};

class Lexer {
  public:
    explicit Lexer(std::string_view s)
        : s_(s) {}

    Token next() {
        skip_blanks();
        Token t;
        t.line = line_;
        t.begin = pos_;
        t.column0 = pos_ == 0 || s_[pos_ - 1] == '\n';
        if (pos_ == s_.size()) {
            t.end = pos_;
            return t;
        }
        const char c = s_[pos_];
        if (c == ';' || c == '{' || c == '}' || c == '=' || c == ',') {
            t.kind = Token::Kind::punct;
            t.text.assign(1, c);
            ++pos_;
        } else if (c == '"') {
            read_string(t);
        } else {
            read_word(t);
        }
        t.end = pos_;
        return t;
    }

  private:
    void skip_blanks() {
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == '\n') {
                ++line_;
                ++pos_;
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
                ++pos_;
            } else if (c == '#') {
                while (pos_ < s_.size() && s_[pos_] != '\n')
                    ++pos_;
            } else {
                return;
            }
        }
    }

    static bool ends_word(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' ||
               c == ';' || c == '{' || c == '}' || c == '=' || c == ',' || c == '"';
    }

    void read_word(Token& t) {
        const std::size_t start = pos_;
        while (pos_ < s_.size() && !ends_word(s_[pos_]))
            ++pos_;
        if (pos_ - start > max_token_bytes) {
            t.kind = Token::Kind::bad;
            t.text = "word longer than " + std::to_string(max_token_bytes) + " bytes";
        } else {
            t.kind = Token::Kind::word;
            t.text.assign(s_.substr(start, pos_ - start));
        }
    }

    static int octal(char c) { return c >= '0' && c <= '7' ? c - '0' : -1; }
    static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    // ISC's read_string(): \t \r \n \b, \ooo (up to three octal digits), \xhh, any other
    // escaped char stands for itself. A string never spans lines here: neither ISC nor we write
    // one that does, and stopping at the newline keeps a torn string from eating the next entry.
    void read_string(Token& t) {
        ++pos_; // opening quote
        std::string out;
        const char* error = nullptr;
        while (true) {
            if (pos_ == s_.size() || s_[pos_] == '\n') {
                error = "unterminated string";
                break;
            }
            char c = s_[pos_++];
            if (c == '"') break;
            if (c == '\\') {
                if (pos_ == s_.size() || s_[pos_] == '\n') continue; // reported at the top
                c = s_[pos_++];
                if (c == 't')
                    c = '\t';
                else if (c == 'r')
                    c = '\r';
                else if (c == 'n')
                    c = '\n';
                else if (c == 'b')
                    c = '\b';
                else if (octal(c) >= 0) {
                    int v = octal(c);
                    for (int i = 0; i < 2 && pos_ < s_.size() && octal(s_[pos_]) >= 0; ++i)
                        v = v * 8 + octal(s_[pos_++]);
                    if (v > 0xff) error = "octal escape above \\377";
                    c = static_cast<char>(v & 0xff);
                } else if (c == 'x' && pos_ < s_.size() && hex(s_[pos_]) >= 0) {
                    int v = hex(s_[pos_++]);
                    if (pos_ < s_.size() && hex(s_[pos_]) >= 0) v = v * 16 + hex(s_[pos_++]);
                    c = static_cast<char>(v);
                }
            }
            if (out.size() < max_token_bytes)
                out += c;
            else
                error = "string longer than the token limit";
        }
        if (error != nullptr) {
            t.kind = Token::Kind::bad;
            t.text = error;
        } else {
            t.kind = Token::Kind::string;
            t.text = std::move(out);
        }
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

struct Statement {
    enum class End : std::uint8_t { complete, unterminated, torn };
    std::vector<Token> tokens;
    bool too_long = false;
    End status = End::complete;
    std::size_t line = 0;
    std::size_t end = 0; // offset past the statement (and the newline right after it)
};

// Cuts the token stream at `;` or `}` back at brace depth 0. A `lease` word at the start of a
// line inside an unfinished statement begins a new one: entries are written that way, so this
// is where a torn or mangled entry is known to stop.
class Splitter {
  public:
    explicit Splitter(std::string_view s)
        : s_(s)
        , lexer_(s) {}

    std::optional<Statement> next() {
        Token t = held_ ? std::move(*held_) : lexer_.next();
        held_.reset();
        if (t.kind == Token::Kind::end) return std::nullopt;
        Statement st;
        st.line = t.line;
        std::size_t depth = 0;
        while (true) {
            if (t.kind == Token::Kind::end) {
                st.status = Statement::End::torn;
                st.end = s_.size();
                return st;
            }
            if (!st.tokens.empty() && t.column0 && t.is_word("lease")) {
                st.status = Statement::End::unterminated;
                st.end = t.begin;
                held_ = std::move(t);
                return st;
            }
            const bool open = t.is('{'), close = t.is('}'), semi = t.is(';');
            const std::size_t end = t.end;
            if (st.tokens.size() < max_statement_tokens)
                st.tokens.push_back(std::move(t));
            else
                st.too_long = true;
            if (open) ++depth;
            if ((close && depth <= 1) || (semi && depth == 0)) {
                st.end = end < s_.size() && s_[end] == '\n' ? end + 1 : end;
                return st;
            }
            if (close) --depth;
            t = lexer_.next();
        }
    }

  private:
    std::string_view s_;
    Lexer lexer_;
    std::optional<Token> held_;
};

template <typename T> bool parse_decimal(std::string_view s, T& out) {
    if (s.empty() || s[0] == '+') return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

// Splits "a<sep>b<sep>c" into exactly `n` parts, each a non-empty run of digits (no signs).
bool split_digits(std::string_view s, char sep, std::size_t n, int* out, std::size_t max_len) {
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t cut = i + 1 < n ? s.find(sep) : s.size();
        if (cut == std::string_view::npos) return false;
        const std::string_view part = s.substr(0, cut);
        if (part.empty() || part.size() > max_len) return false;
        for (char c : part)
            if (c < '0' || c > '9') return false;
        if (!parse_decimal(part, out[i])) return false;
        s.remove_prefix(i + 1 < n ? cut + 1 : cut);
    }
    return s.empty();
}

std::optional<std::uint32_t> parse_address(std::string_view s) {
    int p[4];
    if (!split_digits(s, '.', 4, p, 3)) return std::nullopt;
    std::uint32_t a = 0;
    for (int v : p) {
        if (v > 255) return std::nullopt;
        a = a << 8 | static_cast<std::uint32_t>(v);
    }
    return a;
}

// Colon-separated octets of one or two hex digits: a MAC, or a uid as `lease-id-format hex`.
std::optional<std::vector<std::uint8_t>> parse_hex_octets(std::string_view s) {
    std::vector<std::uint8_t> out;
    while (true) {
        const std::size_t cut = std::min(s.find(':'), s.size());
        const std::string_view part = s.substr(0, cut);
        unsigned v = 0;
        if (part.empty() || part.size() > 2) return std::nullopt;
        auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v, 16);
        if (ec != std::errc() || p != part.data() + part.size()) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(v));
        if (cut == s.size()) return out;
        s.remove_prefix(cut + 1);
    }
}

using Tokens = std::span<const Token>;

// `W YYYY/MM/DD HH:MM:SS ;`, `epoch N ;` or `never ;` (v starts after the keyword).
std::optional<std::int64_t> parse_time(Tokens v) {
    using namespace std::chrono;
    for (const Token& t : v.first(v.size() - 1))
        if (t.kind != Token::Kind::word) return std::nullopt;
    if (v.size() == 2 && v[0].text == "never") return Lease::never;
    if (v.size() == 3 && v[0].text == "epoch") {
        std::int64_t t = 0;
        if (!parse_decimal(v[1].text, t)) return std::nullopt;
        return t;
    }
    int weekday_digit = 0, d[3], t[3];
    if (v.size() != 4 || !parse_decimal(v[0].text, weekday_digit) || weekday_digit < 0 ||
        weekday_digit > 6 || !split_digits(v[1].text, '/', 3, d, 4) ||
        !split_digits(v[2].text, ':', 3, t, 2))
        return std::nullopt;
    // The weekday is redundant; ISC ignores it on reading and so do we.
    const year_month_day ymd{year{d[0]}, month{static_cast<unsigned>(d[1])},
                             day{static_cast<unsigned>(d[2])}};
    if (d[0] < 1970 || !ymd.ok() || t[0] > 23 || t[1] > 59 || t[2] > 59) return std::nullopt;
    const std::int64_t days_since_epoch = sys_days{ymd}.time_since_epoch().count();
    return days_since_epoch * 86400 + t[0] * 3600 + t[1] * 60 + t[2];
}

// Interprets one statement inside a lease body (its tokens, `;` included). Returns a reason
// when the statement is bad; an unknown or unkept statement bumps `ignored`.
std::optional<std::string> apply(Tokens v, Lease& lease, std::size_t& ignored) {
    const Token& head = v[0];
    if (head.kind != Token::Kind::word) return "expected a statement name";
    const std::string& k = head.text;
    const bool plain = v.back().is(';'); // a block (`on expiry { ... }`) ends in '}'
    if (k == "starts" || k == "ends" || k == "cltt") {
        auto t = plain ? parse_time(v.subspan(1)) : std::nullopt;
        if (!t) return "bad time in `" + k + "`";
        (k == "starts" ? lease.starts : k == "ends" ? lease.ends : lease.cltt) = *t;
        return std::nullopt;
    }
    const bool binding = k == "binding" && v.size() == 4 && v[1].is_word("state");
    const bool next =
        k == "next" && v.size() == 5 && v[1].is_word("binding") && v[2].is_word("state");
    if (binding || next) {
        auto s = plain && v[v.size() - 2].kind == Token::Kind::word
                     ? binding_state_from(v[v.size() - 2].text)
                     : std::nullopt;
        if (!s) return "bad binding state";
        if (binding)
            lease.binding = *s;
        else
            lease.next_binding = *s;
        return std::nullopt;
    }
    if (k == "hardware" && v.size() >= 2 && v[1].is_word("ethernet")) {
        auto mac = v.size() == 4 && plain && v[2].kind == Token::Kind::word
                       ? parse_hex_octets(v[2].text)
                       : std::nullopt;
        if (!mac || mac->size() != 6) return "bad hardware ethernet address";
        lease.hardware_ethernet.emplace();
        std::copy(mac->begin(), mac->end(), lease.hardware_ethernet->begin());
        return std::nullopt;
    }
    if (k == "uid") {
        std::optional<std::vector<std::uint8_t>> uid;
        if (v.size() == 3 && plain && v[1].kind == Token::Kind::string)
            uid.emplace(v[1].text.begin(), v[1].text.end());
        else if (v.size() == 3 && plain && v[1].kind == Token::Kind::word)
            uid = parse_hex_octets(v[1].text);
        if (!uid) return "bad uid";
        if (uid->size() > max_uid_bytes) return "uid longer than 255 bytes";
        lease.uid = std::move(*uid);
        return std::nullopt;
    }
    if (k == "client-hostname") {
        if (v.size() != 3 || !plain || v[1].kind != Token::Kind::string)
            return "bad client-hostname";
        if (v[1].text.size() > max_hostname_bytes) return "client-hostname longer than 255 bytes";
        lease.client_hostname = v[1].text;
        return std::nullopt;
    }
    // tstp, tsfp, atsfp, rewind binding state, hardware of other types, set, option, on ...,
    // reserved, dynamic-bootp, billing: kept by ISC for failover and scripts, not by us.
    ++ignored;
    return std::nullopt;
}

struct Failure {
    std::size_t line;
    std::string reason;
};

std::expected<Lease, Failure> parse_lease(const Statement& st, std::size_t& ignored) {
    const auto& v = st.tokens;
    if (st.status == Statement::End::torn) return std::unexpected(Failure{st.line, "truncated"});
    if (st.status == Statement::End::unterminated)
        return std::unexpected(Failure{st.line, "entry not closed before the next lease"});
    if (st.too_long) return std::unexpected(Failure{st.line, "entry too long"});
    for (const Token& t : v)
        if (t.kind == Token::Kind::bad) return std::unexpected(Failure{t.line, t.text});
    if (v.size() < 4 || !v.back().is('}') || !v[2].is('{'))
        return std::unexpected(Failure{st.line, "expected `lease ADDRESS { ... }`"});
    Lease lease;
    auto address = v[1].kind == Token::Kind::word ? parse_address(v[1].text) : std::nullopt;
    if (!address) return std::unexpected(Failure{v[1].line, "bad lease address"});
    lease.address = *address;
    // Body statements: each ends at `;` or at the `}` closing a nested block.
    Tokens body = Tokens(v).subspan(3, v.size() - 4);
    std::size_t depth = 0, start = 0;
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i].is('{')) ++depth;
        const bool done = (body[i].is(';') && depth == 0) || (body[i].is('}') && depth == 1);
        if (body[i].is('}')) --depth; // never below 0: the splitter balanced the braces
        if (!done) continue;
        if (auto why = apply(body.subspan(start, i + 1 - start), lease, ignored))
            return std::unexpected(Failure{body[start].line, std::move(*why)});
        start = i + 1;
    }
    if (start != body.size())
        return std::unexpected(Failure{body[start].line, "statement without `;`"});
    return lease;
}

} // namespace

ReplayResult parse_lease_file(std::string_view text) {
    ReplayResult r;
    auto skip = [&r](std::size_t line, std::string reason) {
        ++r.skipped;
        if (r.skip_details.size() < max_skip_details)
            r.skip_details.push_back({line, std::move(reason)});
    };
    Splitter splitter(text);
    while (auto st = splitter.next()) {
        // An unterminated statement does not count as complete: cutting a torn tail back to it
        // would leave it torn in turn.
        if (st->status == Statement::End::torn) r.torn_tail = true;
        if (st->status == Statement::End::complete) r.complete_bytes = st->end;
        if (!st->tokens.front().is_word("lease")) {
            if (st->status == Statement::End::complete)
                ++r.ignored;
            else
                skip(st->line,
                     st->status == Statement::End::torn ? "truncated" : "statement not closed");
            continue;
        }
        auto lease = parse_lease(*st, r.ignored);
        if (!lease) {
            skip(lease.error().line, std::move(lease.error().reason));
            continue;
        }
        ++r.entries;
        r.leases.insert_or_assign(lease->address, std::move(*lease));
    }
    // Only comments and blanks after the last statement: nothing is torn, keep them.
    if (!r.torn_tail) r.complete_bytes = text.size();
    return r;
}

} // namespace superd::dhcp
