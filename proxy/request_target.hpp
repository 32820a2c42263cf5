#pragma once
// The request targets a forward proxy accepts (RFC 9112 3.2): absolute-form `http://host[:port]
// /path?query` for ordinary methods and authority-form `host:port` for CONNECT. Pure: no DNS.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace superd::proxy {

struct RequestTarget {
    std::string host; // lower case; an IPv6 literal without its brackets
    std::uint16_t port = 80;
    std::string path = "/"; // origin-form: path and query, never empty
    // `host[:port]` as a Host field carries it (brackets kept for IPv6, port omitted when 80).
    std::string authority() const;
};

// `http://...` (scheme case-insensitive); nullopt for any other scheme, origin-form, an empty
// host, a bad port or userinfo (which RFC 9110 4.2.4 forbids in http URIs).
std::optional<RequestTarget> parse_absolute_http(std::string_view target);

// `cache_object://host[:port]/page[@password]`, the cache manager's own scheme, as squidclient
// sends it (`GET cache_object://127.0.0.1/info HTTP/1.0`); the scheme case-insensitive, the port
// 3128 when absent (squid's default for this scheme). `path` keeps the page and password.
std::optional<RequestTarget> parse_cache_object(std::string_view target);

// `host:port` (port required, as RFC 9110 9.3.6 says for CONNECT).
std::optional<RequestTarget> parse_authority_form(std::string_view target);

} // namespace superd::proxy
