#pragma once
// Cache-Control directives (RFC 9111 5.2), read from request or response field lines.
#include <boost/beast/http/fields.hpp>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::proxy {

namespace http = boost::beast::http;

// RFC 9111 1.2.2: a delta-seconds too large to represent reads as 2^31.
inline constexpr std::int64_t delta_seconds_max = 2147483648;
// max-stale without a value: "a stale response of any age" (RFC 9111 5.2.1.2).
inline constexpr std::int64_t max_stale_any = std::numeric_limits<std::int64_t>::max();

// One struct for both directions; a directive that does not belong to the message's direction
// is parsed but has no effect on the decisions (RFC 9111 5.2: unknown uses are ignored).
//
// How odd input reads (RFC 9111 4.2.1, 5.2):
//  - names compare case-insensitively; arguments may be a token or a quoted-string, whatever the
//    directive's preferred form;
//  - a directive repeated: the first occurrence wins (4.2.1 allows "first" or "stale");
//  - max-age / s-maxage with a missing or non-numeric argument read as 0, so the response is
//    stale ("invalid freshness information ... to be stale", 4.2.1); a request's max-age
//    likewise reads as 0, the most restrictive reading (revalidate);
//  - an invalid max-stale or min-fresh is ignored (so no stale is allowed, and min-fresh
//    adds nothing);
//  - unknown directives (extensions, 5.2.3) are ignored.
// `malformed` records that any of the above repairs happened, for logs.
struct CacheControl {
    // Both directions.
    std::optional<std::int64_t> max_age;
    bool no_cache = false;
    bool no_store = false;
    bool no_transform = false;
    // Request directives (5.2.1).
    std::optional<std::int64_t> max_stale; // max_stale_any when given without a value
    std::optional<std::int64_t> min_fresh;
    bool only_if_cached = false;
    // Response directives (5.2.2).
    std::optional<std::int64_t> s_maxage;
    bool must_revalidate = false;
    bool proxy_revalidate = false;
    bool must_understand = false;
    bool is_public = false;
    bool is_private = false;
    // no-cache="A, B" and private="A, B" name fields (5.2.2.4, 5.2.2.7). Recorded, lowercase;
    // the decisions treat them as the unqualified directive, which the RFC permits ("a cache
    // MAY ... treat it as unqualified") and which is only ever more conservative.
    std::vector<std::string> no_cache_fields;
    std::vector<std::string> private_fields;

    bool malformed = false;
};

// One field value, e.g. `max-age=60, no-cache="Set-Cookie"`.
CacheControl parse_cache_control(std::string_view value);
// Every Cache-Control line of a message, read as one list (RFC 9110 5.3).
CacheControl cache_control(const http::fields& fields);
// A request's directives, plus `Pragma: no-cache` read as `no-cache` when the request has no
// Cache-Control line (RFC 9111 5.4; squid honours it the same way for HTTP/1.0 clients).
CacheControl request_cache_control(const http::fields& fields);

// delta-seconds = 1*DIGIT (RFC 9111 1.2.2), capped at delta_seconds_max; nullopt if not digits.
std::optional<std::int64_t> parse_delta_seconds(std::string_view text);

} // namespace superd::proxy
