// The pieces between stored bytes and a served hit: cache URLs, header blocks, Vary markers,
// the head of a hit (byte-exact), the client's own conditionals, and the memory cache's LRU.
#include "proxy/cached_object.hpp"
#include "proxy/memory_cache.hpp"
#include "tests/unit/proxy/http_messages.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

using test::request;
using test::response;

TEST(CacheUrl, NormalisesHostCaseAndDefaultPort) {
    EXPECT_EQ(cache_url("HTTP://Example.ORG:80/a?b=C"), "http://example.org/a?b=C");
    EXPECT_EQ(cache_url("http://example.org:8080/"), "http://example.org:8080/");
    EXPECT_EQ(cache_url("http://[::1]:3128/x"), "http://[::1]:3128/x");
    EXPECT_FALSE(cache_url("https://example.org/"));
    EXPECT_FALSE(cache_url("/relative"));
}

TEST(HeaderBlock, RoundTripsAndRejectsGarbage) {
    auto r = response(200, {{"Content-Type", "text/plain"}, {"ETag", "\"x\""}});
    std::string block = header_block_of(r);
    EXPECT_EQ(block, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nETag: \"x\"\r\n\r\n");
    auto parsed = parse_header_block(block);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->result_int(), 200u);
    EXPECT_EQ((*parsed)["ETag"], "\"x\"");
    // A Content-Length does not make the parser wait for a body.
    EXPECT_TRUE(parse_header_block("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));
    EXPECT_FALSE(parse_header_block("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"));
    EXPECT_FALSE(parse_header_block("not http\r\n\r\n"));
    EXPECT_FALSE(parse_header_block(""));
    EXPECT_FALSE(parse_header_block("HTTP/1.1 200 OK\r\n\r\ntrailing"));
}

TEST(VaryMarker, CarriesTheVaryAndIsRecognised) {
    auto marker = parse_header_block(vary_marker_block("Accept-Encoding"));
    ASSERT_TRUE(marker);
    EXPECT_TRUE(is_vary_marker(*marker));
    EXPECT_EQ((*marker)[http::field::vary], "Accept-Encoding");
    EXPECT_FALSE(is_vary_marker(response(200, {{"Vary", "Accept-Encoding"}})));
}

CachedObject object_of(const http::response_header<>& h, std::uint64_t length) {
    auto o = make_cached_object("http://h/x", static_cast<std::uint16_t>(h.result_int()),
                                header_block_of(h), {100, 101}, 102, length);
    EXPECT_TRUE(o);
    return o ? *o : CachedObject{};
}

TEST(HitHead, IsByteExactWithAgeFramingAndConnection) {
    auto stored = response(200, {{"Content-Type", "text/plain"},
                                 {"Content-Length", "999"}, // replaced by the real length
                                 {"Age", "7"},              // replaced by the current age
                                 {"Cache-Control", "max-age=60"}});
    CachedObject o = object_of(stored, 5);
    EXPECT_EQ(o.fields, "Content-Type: text/plain\r\nCache-Control: max-age=60\r\n");
    EXPECT_EQ(render_hit_head(o, {11, 200, 12, 5, {}, true}),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=60\r\n"
              "Age: 12\r\nContent-Length: 5\r\n\r\n");
    EXPECT_EQ(render_hit_head(o, {10, 200, 0, 5, {}, true}),
              "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=60\r\n"
              "Age: 0\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n");
    EXPECT_EQ(render_hit_head(o, {11, 206, 1, 2, "bytes 1-2/5", false}),
              "HTTP/1.1 206 Partial Content\r\nContent-Type: text/plain\r\n"
              "Cache-Control: max-age=60\r\nAge: 1\r\nContent-Range: bytes 1-2/5\r\n"
              "Content-Length: 2\r\nConnection: close\r\n\r\n");
}

TEST(HitNotModified, KeepsOnlyTheFieldsA304Carries) {
    CachedObject o = object_of(response(200, {{"Content-Type", "text/plain"},
                                              {"ETag", "\"v1\""},
                                              {"Date", "Sun, 06 Nov 1994 08:49:37 GMT"},
                                              {"Content-Length", "5"}}),
                               5);
    EXPECT_EQ(render_not_modified(o, 11, 3, true),
              "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
              "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nAge: 3\r\n\r\n");
}

TEST(ClientCopyCurrent, FollowsRfc9110Section13) {
    auto stored =
        response(200, {{"ETag", "W/\"v1\""}, {"Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"}});
    // If-None-Match: weak comparison, lists, "*".
    EXPECT_TRUE(
        client_copy_current(request(http::verb::get, {{"If-None-Match", "\"v1\""}}), stored));
    EXPECT_TRUE(client_copy_current(
        request(http::verb::get, {{"If-None-Match", "\"a\", W/\"v1\""}}), stored));
    EXPECT_TRUE(client_copy_current(request(http::verb::head, {{"If-None-Match", "*"}}), stored));
    EXPECT_FALSE(
        client_copy_current(request(http::verb::get, {{"If-None-Match", "\"v2\""}}), stored));
    // If-None-Match wins over If-Modified-Since.
    EXPECT_FALSE(client_copy_current(
        request(http::verb::get, {{"If-None-Match", "\"v2\""},
                                  {"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}),
        stored));
    EXPECT_TRUE(client_copy_current(
        request(http::verb::get, {{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT"}}),
        stored));
    EXPECT_FALSE(client_copy_current(
        request(http::verb::get, {{"If-Modified-Since", "Sun, 06 Nov 1994 08:49:36 GMT"}}),
        stored));
    EXPECT_FALSE(client_copy_current(request(http::verb::get, {{"If-Modified-Since", "yesterday"}}),
                                     stored));
    EXPECT_FALSE(client_copy_current(request(http::verb::post, {{"If-None-Match", "*"}}), stored));
    EXPECT_FALSE(client_copy_current(request(http::verb::get), stored));
}

std::shared_ptr<const CachedObject> sized(const std::string& key, std::size_t bytes) {
    auto o = std::make_shared<CachedObject>();
    o->key = key;
    o->body.assign(bytes, 'x');
    o->body_length = bytes;
    o->in_memory = true;
    return o;
}

TEST(MemoryCache, EvictsLeastRecentlyUsedAndHonoursTheObjectLimit) {
    MemoryCache cache(3000, 1000);
    EXPECT_TRUE(cache.put(sized("a", 700)));
    EXPECT_TRUE(cache.put(sized("b", 700)));
    EXPECT_TRUE(cache.put(sized("c", 700)));
    EXPECT_TRUE(cache.find("a")); // a is now the most recent: b goes first
    EXPECT_TRUE(cache.put(sized("d", 700)));
    EXPECT_FALSE(cache.find("b"));
    EXPECT_TRUE(cache.find("a"));
    EXPECT_TRUE(cache.find("c"));
    EXPECT_TRUE(cache.find("d"));
    EXPECT_LE(cache.bytes(), cache.capacity());
    // Too large for memory: refused, and the outdated copy under the key is gone.
    EXPECT_FALSE(cache.put(sized("a", 1001)));
    EXPECT_FALSE(cache.find("a"));
    cache.erase("c");
    EXPECT_FALSE(cache.find("c"));
    EXPECT_EQ(cache.objects(), 1u);
}

TEST(MemoryCache, ReplacingAKeyKeepsTheCopyBeingServed) {
    MemoryCache cache(10000, 5000);
    cache.put(sized("k", 10));
    auto serving = cache.find("k");
    cache.put(sized("k", 20));
    EXPECT_EQ(serving->body.size(), 10u);
    EXPECT_EQ(cache.find("k")->body.size(), 20u);
    EXPECT_EQ(cache.objects(), 1u);
}

} // namespace
} // namespace superd::proxy
