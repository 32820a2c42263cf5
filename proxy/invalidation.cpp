#include "proxy/invalidation.hpp"

#include "proxy/field_values.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace superd::proxy {
namespace {

// RFC 3986 3: scheme ":" [ "//" authority ] path [ "?" query ] [ "#" fragment ].
struct UriParts {
    std::optional<std::string_view> scheme, authority, query, fragment;
    std::string_view path;
};

UriParts split_uri(std::string_view s) {
    UriParts u;
    if (const auto hash = s.find('#'); hash != std::string_view::npos) {
        u.fragment = s.substr(hash + 1);
        s = s.substr(0, hash);
    }
    if (const auto q = s.find('?'); q != std::string_view::npos) {
        u.query = s.substr(q + 1);
        s = s.substr(0, q);
    }
    const auto colon = s.find(':');
    if (colon != std::string_view::npos && colon > 0 &&
        s.substr(0, colon).find('/') == std::string_view::npos &&
        std::isalpha(static_cast<unsigned char>(s[0]))) {
        u.scheme = s.substr(0, colon);
        s = s.substr(colon + 1);
    }
    if (s.starts_with("//")) {
        s.remove_prefix(2);
        const auto slash = s.find('/');
        u.authority = s.substr(0, slash);
        s = slash == std::string_view::npos ? std::string_view{} : s.substr(slash);
    }
    u.path = s;
    return u;
}

std::string remove_dot_segments(std::string_view in) {
    std::string input(in), out;
    while (!input.empty()) {
        if (input.starts_with("../"))
            input.erase(0, 3);
        else if (input.starts_with("./"))
            input.erase(0, 2);
        else if (input.starts_with("/./"))
            input.erase(0, 2);
        else if (input == "/.")
            input = "/";
        else if (input.starts_with("/../") || input == "/..") {
            input = input.size() == 3 ? "/" : input.substr(3);
            const auto last = out.rfind('/');
            out.erase(last == std::string::npos ? 0 : last);
        } else if (input == "." || input == "..")
            input.clear();
        else {
            const auto next = input.find('/', input.starts_with('/') ? 1 : 0);
            out += input.substr(0, next);
            input.erase(0, next);
        }
    }
    return out;
}

std::string merge(const UriParts& base, std::string_view path) {
    if (base.authority && base.path.empty()) return "/" + std::string(path);
    const auto slash = base.path.rfind('/');
    if (slash == std::string_view::npos) return std::string(path);
    return std::string(base.path.substr(0, slash + 1)) + std::string(path);
}

std::string compose(std::string_view scheme, std::optional<std::string_view> authority,
                    std::string_view path, std::optional<std::string_view> query) {
    std::string out(scheme);
    out += ':';
    if (authority) {
        out += "//";
        out += *authority;
    }
    out += path;
    if (query) {
        out += '?';
        out += *query;
    }
    return out;
}

// (scheme, host, port) lowercased, default ports filled in (RFC 9110 4.3.1, 4.2.3).
std::optional<std::string> origin_of(std::string_view uri) {
    const auto u = split_uri(uri);
    if (!u.scheme || !u.authority) return std::nullopt;
    const auto scheme = to_lower(*u.scheme);
    auto host = *u.authority;
    if (const auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
    std::string_view port;
    const auto colon = host.rfind(':');
    if (colon != std::string_view::npos && host.find(']', colon) == std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    if (port.empty()) port = scheme == "https" ? "443" : scheme == "http" ? "80" : "";
    return scheme + "://" + to_lower(host) + ":" + std::string(port);
}

} // namespace

bool is_safe_method(const http::request_header<>& request) {
    switch (request.method()) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::options:
    case http::verb::trace:
        return true;
    default:
        return false;
    }
}

std::string resolve_reference(std::string_view base_text, std::string_view reference) {
    const auto base = split_uri(base_text);
    const auto r = split_uri(reference);
    if (r.scheme) return compose(*r.scheme, r.authority, remove_dot_segments(r.path), r.query);
    const std::string_view scheme = base.scheme.value_or("");
    if (r.authority) return compose(scheme, r.authority, remove_dot_segments(r.path), r.query);
    if (r.path.empty())
        return compose(scheme, base.authority, base.path, r.query ? r.query : base.query);
    if (r.path.starts_with('/'))
        return compose(scheme, base.authority, remove_dot_segments(r.path), r.query);
    return compose(scheme, base.authority, remove_dot_segments(merge(base, r.path)), r.query);
}

std::vector<std::string> invalidation_uris(const http::request_header<>& request,
                                           std::string_view target_uri,
                                           const http::response_header<>& response) {
    std::vector<std::string> out;
    const unsigned status = response.result_int();
    if (is_safe_method(request) || status < 200 || status >= 400) return out;
    out.emplace_back(target_uri.substr(0, target_uri.find('#')));
    const auto origin = origin_of(target_uri);
    for (const auto* name : {"Location", "Content-Location"}) {
        const auto value = first_value(response, name);
        if (!value || value->empty() || !origin) continue;
        auto uri = resolve_reference(target_uri, *value);
        if (origin_of(uri) != origin) continue;
        if (std::find(out.begin(), out.end(), uri) == out.end()) out.push_back(std::move(uri));
    }
    return out;
}

} // namespace superd::proxy
