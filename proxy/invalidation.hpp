#pragma once
// Invalidation after unsafe requests (RFC 9111 4.4).
#include <boost/beast/http/message.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace superd::proxy {

namespace http = boost::beast::http;

// RFC 9110 9.2.1: GET, HEAD, OPTIONS, TRACE. Anything else, unknown methods included, is unsafe.
bool is_safe_method(const http::request_header<>& request);

// The URIs to invalidate when `response` answers an unsafe `request` with a non-error status
// (2xx, 3xx): the target URI (absolute, as a forward proxy receives it), then Location and
// Content-Location resolved against it (RFC 3986 5.2), each only when it has the target's
// origin (scheme, host, port; RFC 9111 4.4 — this stops one site from flushing another's
// objects). Fragments are dropped; duplicates appear once. Empty for a safe method or an
// error status. The caller maps each to a cache key the same way it keys stored objects.
std::vector<std::string> invalidation_uris(const http::request_header<>& request,
                                           std::string_view target_uri,
                                           const http::response_header<>& response);

// RFC 3986 5.2.2 reference resolution, with remove_dot_segments (5.2.4). `base` is absolute.
// The result has no fragment: cache keys never carry one.
std::string resolve_reference(std::string_view base, std::string_view reference);

} // namespace superd::proxy
