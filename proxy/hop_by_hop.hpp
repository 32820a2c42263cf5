#pragma once
// Hop-by-hop fields (RFC 9110 7.6.1): they describe one connection, so a proxy removes them
// before forwarding, storing (RFC 9111 3.1) or serving a message. Shared by the cache and the
// forwarding code.
#include <boost/beast/http/fields.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace superd::proxy {

namespace http = boost::beast::http;

// Connection, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade, Trailer, and the
// proxy-specific Proxy-Authenticate, Proxy-Authentication-Info, Proxy-Authorization (RFC 9111
// 3.1 keeps those out of a cache too). Case-insensitive.
bool is_hop_by_hop(std::string_view name);

// The field names listed in Connection (all lines), lowercase, e.g. {"close", "x-trace"}.
std::vector<std::string> connection_options(const http::fields& fields);

// Removes the fields Connection names, then every is_hop_by_hop field.
void strip_hop_by_hop(http::fields& fields);

} // namespace superd::proxy
