#pragma once
// A stored response as the serving path uses it, and the pure pieces between the store's bytes
// and the wire: the header block stored with an object, the Vary marker, the fields a hit is
// served with, and the client's own conditional request evaluated against a stored response.
// No I/O here: the memory cache, the disk store and the session use these.
#include "proxy/freshness.hpp"
#include "proxy/request_target.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace superd::proxy {

// The key a URL is cached under: `http://host[:port]/path?query` with the host lower case and
// the default port left out, so spellings of one URL share an entry.
std::string cache_url(const RequestTarget& target);
// The same for an absolute URI (an invalidation's Location, say); nullopt when not http.
std::optional<std::string> cache_url(std::string_view absolute_uri);

// The header block stored with an object: the status line and fields as HTTP/1.1 writes them.
std::string header_block_of(const ResponseHeader& header);
// Parses a stored header block; nullopt when it is not a response header.
std::optional<ResponseHeader> parse_header_block(std::string_view block);

// A response with Vary is stored under URL + secondary key (make_cache_key); under the URL
// alone goes a marker, a header-only object whose Vary tells a later request which of its
// fields make the secondary key (squid keeps such "vary objects" too).
std::string vary_marker_block(std::string_view vary);
bool is_vary_marker(const ResponseHeader& header);

// What a hit is served from: the parsed stored header, its fields pre-rendered for the
// common 200 (everything but framing, Connection and Age, one "Name: value\r\n" each), the
// times for the Age calculation, and the body when it is held in memory.
struct CachedObject {
    std::string key;
    ResponseHeader header;
    std::string fields;
    EntryTimes times;
    std::int64_t stored_time = 0;
    std::uint64_t body_length = 0;
    std::string body; // the whole body when in_memory
    bool in_memory = false;
};

// Builds the object from stored metadata; nullopt when the header block does not parse.
std::optional<CachedObject> make_cached_object(std::string key, std::uint16_t status,
                                               std::string_view header_block, EntryTimes times,
                                               std::int64_t stored_time, std::uint64_t body_length);

// The head of a served hit: status line in the client's version, the stored fields, Age, the
// framing (Content-Length, and Content-Range for a 206), Connection. Ends with the blank line.
struct HitHead {
    unsigned version = 11; // 10 or 11
    unsigned status = 200;
    std::int64_t age = 0;
    std::uint64_t content_length = 0;
    std::string content_range; // for 206 and 416
    bool keep_alive = true;
};
std::string render_hit_head(const CachedObject& object, const HitHead& head);

// RFC 9110 13.2.2 for a GET or HEAD answered from the cache: true when the client's own
// If-None-Match (weak comparison, "*" matches) or, without it, If-Modified-Since (the stored
// Last-Modified, or Date, not after it) says the client's copy is current: answer 304.
bool client_copy_current(const RequestHeader& request, const ResponseHeader& stored);

// The 304 sent for such a request (RFC 9110 15.4.5): the fields a 200 would carry of
// Cache-Control, Content-Location, Date, ETag, Expires, Vary, and Last-Modified, plus Age.
std::string render_not_modified(const CachedObject& object, unsigned version, std::int64_t age,
                                bool keep_alive);

} // namespace superd::proxy
