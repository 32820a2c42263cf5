// `if` / `elsif` / `else` and their conditions (dhcp-eval(5)), parsed as ISC dhcpd's
// common/parse.c does: `=` and `!=` bind tighter than `and` and `or`, which have the same
// precedence and group from the left; `not` applies to what follows it directly.
#include "dhcpd/config_parser.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace superd::dhcp::detail {

namespace {

using Bytes = std::vector<std::uint8_t>;
using Index = std::uint32_t;

// Bounds on untrusted input: each node costs memory, each level of nesting stack (here and in
// the evaluator, which recurses once per node at most).
constexpr std::size_t max_nodes = 256;
constexpr int max_depth = 32;

// ISC expression words superd-dhcpd does not evaluate: named as unsupported, not unknown.
constexpr std::string_view unsupported_words[] = {
    "static",        "concat",           "binary-to-ascii", "encode-int",
    "extract-int",   "pick-first-value", "lcase",           "ucase",
    "packet",        "reverse",          "leased-address",  "host-decl-name",
    "config-option", "client-state",     "gethostname",     "v6relay",
    "lease-time",    "variable-exists",  "filename",        "sname",
    "null",          "encapsulate",      "dns-update",      "ns-update",
    "check",
};

class ConditionParser {
  public:
    ConditionParser(TokenCursor& in, const OptionDeclarations& declarations,
                    common::Diagnostics& diags)
        : in_(in)
        , declarations_(declarations)
        , diags_(diags) {}

    std::optional<Expression> parse() {
        SourceLocation where = in_.here();
        auto root = expression(0);
        if (!root || !check_numbers()) return std::nullopt;
        if (!is_condition(kind(*root))) {
            error(where, "expected a condition (exists, known, =, !=, and, or, not), not data");
            return std::nullopt;
        }
        return std::move(out_);
    }

  private:
    // expression := compare { (and | or) compare }
    std::optional<Index> expression(int depth) {
        auto left = compare(depth);
        while (left && (in_.at_word("and") || in_.at_word("or"))) {
            const Token op = in_.next();
            auto right = compare(depth);
            if (!right) return std::nullopt;
            if (!require_condition(*left, op) || !require_condition(*right, op))
                return std::nullopt;
            left = add({op.text == "and" ? ExprKind::logical_and : ExprKind::logical_or, 0, *left,
                        *right});
        }
        return left;
    }

    // compare := primary [ (= | !=) primary ]
    std::optional<Index> compare(int depth) {
        auto left = primary(depth);
        if (!left) return std::nullopt;
        bool equal = in_.at(TokenKind::equals);
        if (!equal && !in_.at(TokenKind::bang)) {
            if (in_.at_word("~") || in_.at_word("~~"))
                return fail(in_.here(), "unsupported operator '~' (regular expressions)");
            return left;
        }
        const Token op = in_.next();
        if (!equal && !in_.accept(TokenKind::equals))
            return fail(in_.where(op), "expected '!=', not '!' alone");
        const std::string name = equal ? "=" : "!=";
        auto right = primary(depth);
        if (!right) return std::nullopt;
        for (Index side : {*left, *right}) {
            if (is_condition(kind(side)))
                return fail(in_.where(op), "'" + name + "' compares data, not conditions");
        }
        if (!resolve_number(*left, *right, op) || !resolve_number(*right, *left, op))
            return std::nullopt;
        return add({equal ? ExprKind::equal : ExprKind::not_equal, 0, *left, *right});
    }

    std::optional<Index> primary(int depth) {
        if (depth >= max_depth)
            return fail(in_.here(),
                        "condition nested more than " + std::to_string(max_depth) + " deep");
        const Token t = in_.peek();
        if (t.kind == TokenKind::open_paren) {
            in_.next();
            auto inner = expression(depth + 1);
            if (!inner) return std::nullopt;
            if (!in_.accept(TokenKind::close_paren))
                return fail(in_.here(), "expected ')', not '" + in_.peek().text + "'");
            return inner;
        }
        if (t.kind == TokenKind::string) {
            in_.next();
            ExprNode n{ExprKind::constant};
            n.bytes.assign(t.text.begin(), t.text.end());
            return add(std::move(n));
        }
        if (t.kind != TokenKind::word)
            return fail(in_.here(), "expected a condition or data, not '" + t.text + "'");
        const std::string& word = t.text;
        if (word == "not") {
            in_.next();
            auto operand = primary(depth + 1);
            if (!operand || !require_condition(*operand, t)) return std::nullopt;
            return add({ExprKind::logical_not, 0, *operand});
        }
        if (word == "exists" || word == "option") {
            in_.next();
            auto type = option_name(word);
            if (!type) return std::nullopt;
            auto index = add({word == "exists" ? ExprKind::exists : ExprKind::option, type->code});
            if (index && word == "option") option_types_[*index] = *type;
            return index;
        }
        if (word == "known" || word == "hardware") {
            in_.next();
            return add({word == "known" ? ExprKind::known : ExprKind::hardware});
        }
        if (word == "substring" || word == "suffix") return slice(word == "substring", depth);
        if (std::ranges::find(unsupported_words, word) != std::end(unsupported_words))
            return fail(in_.here(), "unsupported expression '" + word + "'");
        return literal();
    }

    // substring(DATA, OFFSET, LENGTH) and suffix(DATA, LENGTH), with constant numbers.
    std::optional<Index> slice(bool substring, int depth) {
        const Token name = in_.next();
        if (!in_.accept(TokenKind::open_paren))
            return fail(in_.here(), "expected '(' after '" + name.text + "'");
        auto data = primary(depth + 1);
        if (!data) return std::nullopt;
        if (is_condition(kind(*data)))
            return fail(in_.where(name), "'" + name.text + "' takes data, not a condition");
        ExprNode n{substring ? ExprKind::substring : ExprKind::suffix, 0, *data};
        for (std::uint32_t* number :
             substring ? std::vector{&n.offset, &n.length} : std::vector{&n.length}) {
            if (!in_.accept(TokenKind::comma))
                return fail(in_.here(),
                            "expected ',' in '" + name.text + "', not '" + in_.peek().text + "'");
            const Token& t = in_.next_value();
            auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), *number);
            if (t.kind != TokenKind::word || ec != std::errc{} ||
                end != t.text.data() + t.text.size())
                return fail(in_.where(t),
                            "expected a number in '" + name.text + "', not '" + t.text + "'");
        }
        if (!in_.accept(TokenKind::close_paren))
            return fail(in_.here(),
                        "expected ')' after '" + name.text + "', not '" + in_.peek().text + "'");
        return add(std::move(n));
    }

    // Colon-separated hex (00:07), or a bare number, kept as written until compare() knows
    // what it is compared with.
    std::optional<Index> literal() {
        const Token t = in_.next();
        bool decimal = std::ranges::all_of(t.text, [](char c) { return c >= '0' && c <= '9'; });
        auto bytes = parse_hex_list(t.text);
        if (!bytes && !decimal) {
            bool hexish = t.text.find(':') != std::string::npos ||
                          std::isdigit(static_cast<unsigned char>(t.text.front()));
            return fail(in_.where(t), hexish ? "invalid hex data '" + t.text + "'"
                                             : "unknown word '" + t.text + "' in condition");
        }
        ExprNode n{ExprKind::constant};
        n.bytes = bytes.value_or(Bytes{});
        auto index = add(std::move(n));
        if (index && decimal) numbers_[*index] = {t.text, in_.where(t)};
        return index;
    }

    // A bare number compared with an integer option is that number at the option's width
    // (`option arch = 7` is 00:07). ISC reads it as one hex byte, which never equals a 16-bit
    // option: a silent mismatch we do not copy. Anywhere else it stays ISC's hex byte.
    bool resolve_number(Index number, Index other, const Token& op) {
        auto text = numbers_.find(number);
        auto type = option_types_.find(other);
        if (text == numbers_.end() || type == option_types_.end() ||
            type->second.format != OptionFormat::integer)
            return true;
        auto bytes = encode_integer(text->second.text, type->second);
        if (!bytes) {
            fail(in_.where(op),
                 "'" + text->second.text + "' is out of range for " + type_name(type->second));
            return false;
        }
        out_.nodes[number].bytes = std::move(*bytes);
        numbers_.erase(text);
        return true;
    }

    // The bare numbers left are hex bytes; one like 700 is none.
    bool check_numbers() {
        for (const auto& [index, number] : numbers_) {
            if (parse_hex_list(number.text)) continue;
            fail(number.where, "invalid hex data '" + number.text + "'");
            return false;
        }
        return true;
    }

    std::optional<OptionType> option_name(const std::string& keyword) {
        const Token& name = in_.next_value();
        if (name.kind != TokenKind::word) {
            fail(in_.where(name),
                 "expected an option name after '" + keyword + "', not '" + name.text + "'");
            return std::nullopt;
        }
        auto type = find_option_type(name.text, declarations_, true);
        if (!type) fail(in_.where(name), unknown_option_message(name.text, " in condition"));
        return type;
    }

    bool require_condition(Index index, const Token& op) {
        if (is_condition(kind(index))) return true;
        fail(in_.where(op), "'" + op.text + "' takes conditions, not data");
        return false;
    }

    ExprKind kind(Index index) const { return out_.nodes[index].kind; }

    std::optional<Index> add(ExprNode node) {
        if (out_.nodes.size() >= max_nodes)
            return fail(in_.here(),
                        "condition longer than " + std::to_string(max_nodes) + " terms");
        out_.nodes.push_back(std::move(node));
        return static_cast<Index>(out_.nodes.size() - 1);
    }

    std::nullopt_t fail(const SourceLocation& where, std::string message) {
        error(where, std::move(message));
        return std::nullopt;
    }
    void error(const SourceLocation& where, std::string message) {
        if (!failed_) diags_.error(where, std::move(message)); // the first problem only
        failed_ = true;
    }

    TokenCursor& in_;
    const OptionDeclarations& declarations_;
    common::Diagnostics& diags_;
    Expression out_;
    struct Number {
        std::string text;
        SourceLocation where;
    };
    std::map<Index, Number> numbers_; // bare numbers, until resolve_number() or check_numbers()
    std::map<Index, OptionType> option_types_;
    bool failed_ = false;
};

// Declarations and statements that are not per request: ISC parses the body of an `if` as
// executable statements only.
constexpr std::string_view not_in_if[] = {
    "subnet",
    "shared-network",
    "group",
    "host",
    "pool",
    "range",
    "hardware",
    "fixed-address",
    "include",
    "log-facility",
    "ddns-update-style",
};

} // namespace

std::optional<Expression> parse_condition(TokenCursor& in, const OptionDeclarations& declarations,
                                          common::Diagnostics& diags) {
    return ConditionParser(in, declarations, diags).parse();
}

bool allowed_in_if(std::string_view statement) {
    return std::ranges::find(not_in_if, statement) == std::end(not_in_if);
}

// `if C { ... } [elsif C { ... }]... [else { ... }]`; `else if` is `elsif`, as in ISC.
void Parser::parse_if(TokenCursor& in, const Token& keyword, const Frame& frame) {
    IfStatement statement;
    statement.where = in.where(keyword);
    bool ok = true;
    Token branch_keyword = keyword;
    while (true) {
        Branch branch;
        branch.where = in.where(branch_keyword);
        const bool has_condition = branch_keyword.text != "else";
        bool reported = false; // a bad condition was reported already
        if (has_condition) {
            auto condition = parse_condition(in, declarations_, diags_);
            if (condition) {
                branch.condition = std::move(*condition);
            } else {
                ok = false;
                reported = true;
                // Skip the rest of the condition; its block is still read, for its errors.
                while (!in.at(TokenKind::end) && !in.at(TokenKind::open_brace) &&
                       !in.at(TokenKind::close_brace) && !in.at(TokenKind::semicolon))
                    in.next();
            }
        }
        if (!in.at(TokenKind::open_brace)) {
            if (!reported)
                diags_.error(in.here(), std::string("expected '{' after ") +
                                            (has_condition ? "the condition of '" : "'") +
                                            branch_keyword.text + "', not '" + in.peek().text +
                                            "'");
            in.skip_statement();
            return;
        }
        Frame inner = frame;
        inner.params = &branch.params;
        inner.conditionals = &branch.nested;
        parse_block(in, branch_keyword, inner);
        statement.branches.push_back(std::move(branch));
        if (!has_condition) break;
        if (in.at_word("elsif")) {
            branch_keyword = in.next();
        } else if (in.at_word("else")) {
            branch_keyword = in.next();
            if (in.at_word("if")) {
                branch_keyword = in.next();
                branch_keyword.text = "elsif";
            }
        } else {
            break;
        }
    }
    if (ok) conditionals(frame).push_back(std::move(statement));
}

} // namespace superd::dhcp::detail
