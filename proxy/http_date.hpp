#pragma once
// HTTP-date (RFC 9110 5.6.7). Times are Unix seconds (UTC), passed in, never read from a clock.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace superd::proxy {

// Accepts the three forms RFC 9110 5.6.7 requires a recipient to accept:
//   IMF-fixdate  "Sun, 06 Nov 1994 08:49:37 GMT"
//   rfc850-date  "Sunday, 06-Nov-94 08:49:37 GMT"
//   asctime      "Sun Nov  6 08:49:37 1994"
// Anything else (wrong case, a zone other than GMT, day 31 of November, ...) is nullopt; callers
// then apply the RFC's rule for an invalid date (e.g. an invalid Expires means "already
// expired", RFC 9111 5.3). The day name must be one of the seven but is not checked against
// the date, as most recipients do. A leap second (:60) reads as :59.
//
// rfc850's two-digit year: given `now`, a year more than 50 years in the future is the most
// recent past year with the same last two digits (RFC 9110 5.6.7). Without `now`, 70-99 read as
// 19xx and 00-69 as 20xx.
std::optional<std::int64_t> parse_http_date(std::string_view text,
                                            std::optional<std::int64_t> now = std::nullopt);

// IMF-fixdate, the only form a sender generates (RFC 9110 5.6.7). Years 0000-9999.
std::string format_http_date(std::int64_t unix_seconds);

} // namespace superd::proxy
