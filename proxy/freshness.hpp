#pragma once
// RFC 9111 caching decisions for a shared cache, as pure functions: the messages' headers and
// the times (Unix seconds) go in, a decision comes out. Nothing here reads a clock, logs or
// touches the store. Vary (vary.hpp), ranges (range.hpp), invalidation (invalidation.hpp) and
// hop-by-hop fields (hop_by_hop.hpp) live beside this file.
#include "proxy/cache_control.hpp"

#include <boost/beast/http/message.hpp>

#include <cstdint>
#include <expected>
#include <optional>
#include <string_view>

namespace superd::proxy {

namespace http = boost::beast::http;
using RequestHeader = http::request_header<>;
using ResponseHeader = http::response_header<>;

// squid's refresh_pattern for the URL at hand (the caller picks the matching line and converts
// its minutes to seconds). percent is of (Date - Last-Modified), e.g. 20.0 for "20%". The
// defaults are squid's catch-all `refresh_pattern . 0 20% 4320`.
struct RefreshRule {
    std::int64_t min_s = 0;
    double percent = 20.0;
    std::int64_t max_s = 259200;
};

struct CacheOptions {
    // nullopt: the RFC's heuristic (10% of Date - Last-Modified, RFC 9111 4.2.2).
    std::optional<RefreshRule> refresh;
};

// When the exchange that produced a stored response happened (RFC 9111 4.2.3).
struct EntryTimes {
    std::int64_t request_time = 0;  // when the request that fetched it was sent
    std::int64_t response_time = 0; // when its response was received
};

// ---- 1. Storing (RFC 9111 3) ----

enum class NotStorable {
    method,           // only GET responses are stored (HEAD would need its own entry)
    status,           // not final, not understood, or 206/304 (no partial store)
    request_no_store, // 5.2.1.5
    response_no_store,
    response_private,       // 5.2.2.7: a shared cache; private="X" too (see CacheControl)
    authorization,          // 3.5: Authorization without public / s-maxage / must-revalidate
    vary_star,              // 4.1: would never match, so never stored
    no_explicit_freshness,  // neither explicit freshness nor a heuristically cacheable status
    must_understand_status, // 5.2.2.3: must-understand with a status we do not understand
};
std::string_view to_string(NotStorable reason);

// Sizes and `cache deny` are decided by the caller; this is the RFC's part only.
std::expected<void, NotStorable> storable(const RequestHeader& request,
                                          const ResponseHeader& response,
                                          const CacheOptions& options = {});

// RFC 9110 15.1: statuses a cache may store with heuristic freshness. 206 is left out: this
// cache does not store partial content.
bool heuristically_cacheable(unsigned status);

// ---- 2. Freshness lifetime (RFC 9111 4.2.1) ----

enum class FreshnessSource { s_maxage, max_age, expires, heuristic, none };

struct Lifetime {
    std::int64_t seconds = 0;
    FreshnessSource source = FreshnessSource::none;
};

// s-maxage, then max-age, then Expires - Date, then a heuristic: with options.refresh, squid's
// refresh_pattern (when Date - Last-Modified > 0 the lifetime is min(max, percent of it) and
// `min` is not used; otherwise min(min, max)); without it, 10% of Date - Last-Modified, or 0.
// Heuristics apply only to heuristically cacheable statuses or `public` responses (4.2.2).
// A missing or invalid Date reads as response_time (RFC 9110 6.6.1); an invalid Expires as
// already expired (RFC 9111 5.3); Expires before Date gives 0.
Lifetime freshness_lifetime(const ResponseHeader& response, std::int64_t response_time,
                            const CacheOptions& options = {});

// ---- 3. Age (RFC 9111 4.2.3) ----

// The RFC's formula, term for term. age_value is the Age field (an invalid or negative Age
// reads as 0); date_value is Date, or response_time when missing. One guard beyond the RFC:
// resident_time below 0 (the clock stepped back) counts as 0, so the age never goes negative.
std::int64_t current_age(const ResponseHeader& response, std::int64_t request_time,
                         std::int64_t response_time, std::int64_t now);

// ---- 4. Using a stored response (RFC 9111 4, 4.2.4, 4.3.1, 5.2.1) ----

enum class HitAction {
    fresh,           // serve it, with Age: age
    stale,           // serve it although stale: the request's max-stale allows it (4.2.4)
    revalidate,      // send the request with `conditional` added; a 304 freshens (4.3)
    miss,            // forward unconditionally and replace: nothing to validate with
    gateway_timeout, // only-if-cached and the entry cannot be used as it is: answer 504
};
std::string_view to_string(HitAction action);

struct HitDecision {
    HitAction action = HitAction::miss;
    std::int64_t age = 0;      // current_age, for the Age field of a served response
    std::int64_t lifetime = 0; // freshness_lifetime
    http::fields conditional;  // If-None-Match / If-Modified-Since, for revalidate
    std::string_view reason;   // why, for logs and tests (a static string)
};

// The caller has already matched the cache key and Vary (vary_matches). In order:
//  - a request method other than GET / HEAD: miss;
//  - response no-cache (qualified or not): revalidate (5.2.2.4);
//  - request no-cache or Pragma: no-cache: revalidate (5.2.1.4). squid without
//    reload_into_ims would forward unconditionally; revalidating is what the RFC asks;
//  - request max-age=N with age > N: revalidate (5.2.1.1); max-age=0 always revalidates —
//    the browsers' reload idiom — although an age of 0 would satisfy it literally;
//  - request min-fresh=N and lifetime - age < N: revalidate (5.2.1.3);
//  - fresh: serve;
//  - stale: serve only when the request's max-stale covers the staleness and the response has
//    none of must-revalidate, proxy-revalidate, s-maxage (5.2.2.2, 5.2.2.8, 5.2.2.10);
//    otherwise revalidate.
// "revalidate" becomes "miss" when the stored response has neither ETag nor Last-Modified, and
// either becomes "gateway_timeout" under only-if-cached (5.2.1.7).
HitDecision decide_hit(const ResponseHeader& stored, EntryTimes times, const RequestHeader& request,
                       std::int64_t now, const CacheOptions& options = {});

// The validators to send (4.3.1): If-None-Match with the ETag (weak tags are fine there), and
// If-Modified-Since with Last-Modified. Empty when the response has neither.
http::fields conditional_headers(const ResponseHeader& stored);

// ---- 5. Freshening with a 304 (RFC 9111 4.3.4, 3.2) ----

// Whether a 304 applies to the (single) stored response for its key (4.3.4, simplified to one
// stored response): a strong ETag in the 304 must strongly match the stored ETag; else a weak
// ETag must weakly match; else a Last-Modified must equal the stored one; a 304 with no
// validator applies only to a stored response with none either.
bool not_modified_applies(const ResponseHeader& stored, const ResponseHeader& not_modified);

// Copies the 304's fields into the stored header, replacing every line of each name it carries
// (3.2), except: hop-by-hop and Connection-nominated fields, Proxy-Authenticate,
// Proxy-Authentication-Info, Proxy-Authorization (3.1), Content-Length (3.2) and Content-Range
// (3.2 lets a cache ignore it). The status and the body stay. The caller then stores the
// revalidation exchange's request/response times as the entry's EntryTimes, since the new Date
// describes that exchange.
void freshen_with_304(ResponseHeader& stored, const ResponseHeader& not_modified);

} // namespace superd::proxy
