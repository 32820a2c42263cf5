#pragma once
// Serving a byte range of a stored, complete 200 response (RFC 9110 14). This cache stores no
// partial content; it cuts ranges from whole objects.
#include <boost/beast/http/message.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace superd::proxy {

namespace http = boost::beast::http;

enum class RangeOutcome {
    full,          // ignore the Range: serve 200 with the whole representation
    partial,       // serve 206 with `first`..`last` and `content_range`
    unsatisfiable, // serve 416 with `content_range` ("bytes */SIZE")
};

struct RangeDecision {
    RangeOutcome outcome = RangeOutcome::full;
    std::uint64_t first = 0; // inclusive
    std::uint64_t last = 0;  // inclusive
    std::string content_range;
};

// One Range value against a representation of `size` bytes (RFC 9110 14.1.2, 14.2):
//   bytes=0-499, bytes=500- (open-ended), bytes=-500 (suffix), last-pos past the end clipped.
// Unsatisfiable (first-pos >= size, a suffix of 0, any range of an empty representation):
// 416 with "bytes */SIZE" (14.4). Refused, served as a full 200 — 14.2 lets a server ignore
// Range: a unit other than bytes, invalid syntax (including first-pos > last-pos), and more
// than one range (no multipart/byteranges; that also sidesteps many-small-ranges abuse).
RangeDecision parse_range(std::string_view range, std::uint64_t size);

// If-Range (RFC 9110 13.1.5): an entity-tag must strongly match the stored ETag (a weak tag
// never matches); otherwise an HTTP-date must equal the stored Last-Modified exactly.
bool if_range_matches(std::string_view if_range, const http::response_header<>& stored);

// The whole decision for a request served from a stored 200: Range is honoured only for GET
// (14.2) and only when If-Range, if present, matches.
RangeDecision decide_range(const http::request_header<>& request,
                           const http::response_header<>& stored, std::uint64_t size);

} // namespace superd::proxy
