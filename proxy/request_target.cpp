#include "proxy/request_target.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace superd::proxy {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size() || v == 0 || v > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(v);
}

// `host`, `host:port`, `[v6]`, `[v6]:port`; `port_required` for CONNECT.
std::optional<RequestTarget> parse_host_port(std::string_view text, bool port_required,
                                             std::uint16_t default_port = 80) {
    RequestTarget t;
    t.port = default_port;
    std::string_view host, port;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return std::nullopt;
            port = rest.substr(1);
            if (port.empty()) return std::nullopt;
        }
    } else {
        auto colon = text.rfind(':');
        host = text.substr(0, colon);
        if (colon != std::string_view::npos) {
            port = text.substr(colon + 1);
            // `host:` with an empty port means the default (RFC 3986 3.2.3)
            if (port.empty() && port_required) return std::nullopt;
        }
    }
    if (host.empty() || host.find_first_of(" \t@/?#") != std::string_view::npos)
        return std::nullopt;
    t.host = lower(host);
    if (!port.empty()) {
        auto p = parse_port(port);
        if (!p) return std::nullopt;
        t.port = *p;
    } else if (port_required) {
        return std::nullopt;
    }
    return t;
}

// `SCHEME://authority[path]`, `scheme` given in lower case with its "://".
std::optional<RequestTarget> parse_absolute(std::string_view target, std::string_view scheme,
                                            std::uint16_t default_port) {
    if (target.size() <= scheme.size() || lower(target.substr(0, scheme.size())) != scheme)
        return std::nullopt;
    auto rest = target.substr(scheme.size());
    auto end = rest.find_first_of("/?#");
    auto t = parse_host_port(rest.substr(0, end), false, default_port);
    if (!t) return std::nullopt;
    if (end != std::string_view::npos) {
        auto path = rest.substr(end);
        path = path.substr(0, path.find('#')); // a fragment is never sent (RFC 9110 4.2.5)
        t->path = path.starts_with('/') ? std::string(path) : "/" + std::string(path);
        if (t->path.find_first_of(" \t") != std::string::npos) return std::nullopt;
    }
    return t;
}

} // namespace

std::string RequestTarget::authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return port == 80 ? h : h + ":" + std::to_string(port);
}

std::optional<RequestTarget> parse_absolute_http(std::string_view target) {
    return parse_absolute(target, "http://", 80);
}

std::optional<RequestTarget> parse_cache_object(std::string_view target) {
    return parse_absolute(target, "cache_object://", 3128);
}

std::optional<RequestTarget> parse_authority_form(std::string_view target) {
    return parse_host_port(target, true);
}

} // namespace superd::proxy
