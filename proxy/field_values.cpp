#include "proxy/field_values.hpp"

#include <algorithm>
#include <cctype>

namespace superd::proxy {

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::vector<std::string_view> split_list(std::string_view value) {
    std::vector<std::string_view> out;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= value.size(); ++i) {
        if (i < value.size()) {
            const char c = value[i];
            if (quoted && c == '\\') {
                ++i; // quoted-pair: the next octet is literal, even a quote or a comma
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (quoted || c != ',') continue;
        }
        const auto element = trim_ows(value.substr(start, i - start));
        if (!element.empty()) out.push_back(element);
        start = i + 1;
    }
    return out;
}

std::vector<std::string_view> field_list(const http::fields& fields, std::string_view name) {
    std::vector<std::string_view> out;
    auto [first, last] = fields.equal_range(name);
    for (auto it = first; it != last; ++it) {
        for (auto element : split_list(std::string_view(it->value())))
            out.push_back(element);
    }
    return out;
}

std::optional<std::string_view> first_value(const http::fields& fields, std::string_view name) {
    auto it = fields.find(name);
    if (it == fields.end()) return std::nullopt;
    return trim_ows(std::string_view(it->value()));
}

std::optional<EntityTag> parse_entity_tag(std::string_view text) {
    text = trim_ows(text);
    EntityTag tag;
    if (text.starts_with("W/")) {
        tag.weak = true;
        text.remove_prefix(2);
    }
    if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
    // etagc excludes DQUOTE, controls and spaces (RFC 9110 8.8.3).
    for (char c : text.substr(1, text.size() - 2)) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || u <= 0x20 || u == 0x7f) return std::nullopt;
    }
    tag.opaque = text;
    return tag;
}

bool strong_match(const EntityTag& a, const EntityTag& b) {
    return !a.weak && !b.weak && a.opaque == b.opaque;
}

bool weak_match(const EntityTag& a, const EntityTag& b) {
    return a.opaque == b.opaque;
}

} // namespace superd::proxy
