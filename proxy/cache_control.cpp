#include "proxy/cache_control.hpp"

#include "proxy/field_values.hpp"

namespace superd::proxy {
namespace {

struct Directive {
    std::string name; // lowercase
    std::optional<std::string> argument;
};

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (!is_tchar(c)) return false;
    }
    return true;
}

// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE (RFC 9110 5.6.4), unescaped.
std::optional<std::string> unquote(std::string_view s) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] == '\\') {
            if (i + 2 >= s.size())
                return std::nullopt; // the backslash would escape the closing quote
            ++i;
        } else if (s[i] == '"') {
            return std::nullopt;
        }
        out.push_back(s[i]);
    }
    return out;
}

// cache-directive = token [ "=" ( token / quoted-string ) ]. Whitespace around "=" is
// tolerated. A list element that fits no reading is skipped.
std::optional<Directive> parse_directive(std::string_view element) {
    const auto eq = element.find('=');
    const auto name = trim_ows(element.substr(0, eq));
    if (!is_token(name)) return std::nullopt;
    Directive d{to_lower(name), std::nullopt};
    if (eq == std::string_view::npos) return d;
    const auto arg = trim_ows(element.substr(eq + 1));
    if (!arg.empty() && arg.front() == '"') {
        d.argument = unquote(arg);
        if (!d.argument) return std::nullopt;
    } else if (arg.empty() || is_token(arg)) {
        // "max-age=" keeps its name, so the directive's own rule for a bad value applies.
        d.argument = std::string(arg);
    } else {
        return std::nullopt;
    }
    return d;
}

// The first occurrence of a valued directive wins (RFC 9111 4.2.1).
void set_seconds(std::optional<std::int64_t>& slot, const Directive& d, CacheControl& cc,
                 std::optional<std::int64_t> if_invalid) {
    if (slot) return;
    const auto value = d.argument ? parse_delta_seconds(*d.argument) : std::nullopt;
    if (value) {
        slot = value;
        return;
    }
    cc.malformed = true;
    slot = if_invalid;
}

void add_field_names(std::vector<std::string>& out, const Directive& d) {
    if (!d.argument) return;
    for (auto name : split_list(*d.argument))
        out.push_back(to_lower(name));
}

void apply(const Directive& d, CacheControl& cc) {
    const std::string& n = d.name;
    if (n == "max-age") {
        set_seconds(cc.max_age, d, cc, 0);
    } else if (n == "s-maxage") {
        set_seconds(cc.s_maxage, d, cc, 0);
    } else if (n == "max-stale") {
        if (!d.argument) {
            if (!cc.max_stale) cc.max_stale = max_stale_any;
        } else {
            set_seconds(cc.max_stale, d, cc, std::nullopt);
        }
    } else if (n == "min-fresh") {
        set_seconds(cc.min_fresh, d, cc, std::nullopt);
    } else if (n == "no-cache") {
        cc.no_cache = true;
        add_field_names(cc.no_cache_fields, d);
    } else if (n == "private") {
        cc.is_private = true;
        add_field_names(cc.private_fields, d);
    } else if (n == "no-store") {
        cc.no_store = true;
    } else if (n == "no-transform") {
        cc.no_transform = true;
    } else if (n == "only-if-cached") {
        cc.only_if_cached = true;
    } else if (n == "must-revalidate") {
        cc.must_revalidate = true;
    } else if (n == "proxy-revalidate") {
        cc.proxy_revalidate = true;
    } else if (n == "must-understand") {
        cc.must_understand = true;
    } else if (n == "public") {
        cc.is_public = true;
    }
}

void parse_into(std::string_view value, CacheControl& cc) {
    for (auto element : split_list(value)) {
        if (auto d = parse_directive(element))
            apply(*d, cc);
        else
            cc.malformed = true;
    }
}

} // namespace

std::optional<std::int64_t> parse_delta_seconds(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = std::min(value * 10 + (c - '0'), delta_seconds_max);
    }
    return value;
}

CacheControl parse_cache_control(std::string_view value) {
    CacheControl cc;
    parse_into(value, cc);
    return cc;
}

CacheControl cache_control(const http::fields& fields) {
    CacheControl cc;
    auto [first, last] = fields.equal_range(http::field::cache_control);
    for (auto it = first; it != last; ++it)
        parse_into(std::string_view(it->value()), cc);
    return cc;
}

CacheControl request_cache_control(const http::fields& fields) {
    CacheControl cc = cache_control(fields);
    if (fields.count(http::field::cache_control) == 0) {
        for (auto element : field_list(fields, "Pragma")) {
            if (iequals(element, "no-cache")) cc.no_cache = true;
        }
    }
    return cc;
}

} // namespace superd::proxy
