#pragma once
// How a forwarded message's header changes on its way through the proxy: hop-by-hop fields
// removed (both ways), Via appended, X-Forwarded-For as `forwarded_for` says, Max-Forwards
// counted down. Pure: operates on Beast fields only.
#include "proxy/config.hpp"
#include "proxy/hop_by_hop.hpp"

#include <boost/beast/http/verb.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace superd::proxy {

// "superd-proxy/0.1", as Via's comment and the error pages name us.
inline constexpr std::string_view product = "superd-proxy/0.1";

// `1.1 host (superd-proxy/0.1)` appended to any Via already there (RFC 9110 7.6.3).
void append_via(http::fields& fields, unsigned version, const std::string& visible_hostname);

// X-Forwarded-For per squid's forwarded_for: on appends the client, off appends "unknown",
// truncate replaces the list with the client, delete removes it, transparent leaves it.
void apply_forwarded_for(http::fields& fields, ForwardedFor mode, const std::string& client);

// Max-Forwards (RFC 9110 7.6.2) for OPTIONS and TRACE: nullopt when absent or unparsable
// (forward unchanged), else the value received; the caller answers itself at 0 and otherwise
// forwards the value minus one (set by this function).
std::optional<unsigned long> take_max_forwards(http::fields& fields);

// The request's header as the origin gets it: hop-by-hop fields gone, Host from the URL,
// Via and X-Forwarded-For added. Framing (chunked/content-length) is the caller's.
struct ForwardOptions {
    bool via = true;
    std::string visible_hostname;
    ForwardedFor forwarded_for = ForwardedFor::on;
};
void prepare_request_fields(http::fields& fields, unsigned version, const std::string& authority,
                            const std::string& client, const ForwardOptions& options);

// RFC 9110 9.2.2: GET, HEAD, PUT, DELETE, OPTIONS, TRACE.
bool idempotent(http::verb method);
// For Proxy-Authorization: Basic to a parent (cache_peer login=).
std::string base64(std::string_view text);
// The access log's type field: Content-Type without parameters, "-" when none or odd.
std::string media_type(const http::fields& fields);

} // namespace superd::proxy
