#include "proxy/vary.hpp"

#include "proxy/field_values.hpp"

#include <algorithm>
#include <vector>

namespace superd::proxy {
namespace {

// "gzip ; q=0.5" -> "gzip;q=0.5": whitespace around the parameter delimiters is BWS/OWS
// (RFC 9110 5.6.6), so it is not significant. Quoted strings are kept as they are.
std::string squeeze_parameters(std::string_view element) {
    std::string out;
    bool quoted = false;
    for (std::size_t i = 0; i < element.size(); ++i) {
        const char c = element[i];
        if (quoted) {
            out.push_back(c);
            if (c == '\\' && i + 1 < element.size())
                out.push_back(element[++i]);
            else if (c == '"')
                quoted = false;
            continue;
        }
        if (c == '"') quoted = true;
        if ((c == ' ' || c == '\t')) {
            // Drop a run of whitespace next to ';' or '='.
            std::size_t j = i;
            while (j < element.size() && (element[j] == ' ' || element[j] == '\t'))
                ++j;
            const bool before = j < element.size() && (element[j] == ';' || element[j] == '=');
            const bool after = !out.empty() && (out.back() == ';' || out.back() == '=');
            if (!before && !after) out.append(element.substr(i, j - i));
            i = j - 1;
            continue;
        }
        out.push_back(c);
    }
    return out;
}

std::string normalised_value(std::string_view name, const http::fields& fields) {
    const bool sorted = name == "accept-encoding";
    const bool lower = sorted || name == "accept-charset" || name == "accept-language";
    const bool list = lower || name == "accept";
    std::vector<std::string> parts;
    if (list) {
        for (auto element : field_list(fields, name)) {
            auto part = squeeze_parameters(element);
            parts.push_back(lower ? to_lower(part) : part);
        }
        if (sorted) std::ranges::sort(parts);
    } else {
        auto [first, last] = fields.equal_range(name);
        for (auto it = first; it != last; ++it)
            parts.emplace_back(trim_ows(std::string_view(it->value())));
    }
    std::string out;
    for (const auto& part : parts) {
        if (!out.empty()) out += list ? "," : ", ";
        out += part;
    }
    return out;
}

} // namespace

std::optional<std::string> vary_key(const http::request_header<>& request,
                                    const http::response_header<>& response) {
    std::vector<std::string> names;
    for (auto name : field_list(response, "Vary")) {
        if (name == "*") return std::nullopt;
        names.push_back(to_lower(name));
    }
    std::ranges::sort(names);
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string key;
    for (const auto& name : names) {
        key += name;
        if (request.count(name) != 0) {
            key += ": ";
            key += normalised_value(name, request);
        }
        key += '\n';
    }
    return key;
}

bool vary_matches(std::string_view stored_key, const http::request_header<>& request,
                  const http::response_header<>& stored_response) {
    const auto key = vary_key(request, stored_response);
    return key && *key == stored_key;
}

} // namespace superd::proxy
