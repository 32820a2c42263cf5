// Invalidation after unsafe requests (RFC 9111 4.4) and the RFC 3986 resolution it needs.
#include "proxy/invalidation.hpp"

#include "tests/unit/proxy/http_messages.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

using test::request;
using test::response;
using Uris = std::vector<std::string>;

TEST(Invalidation, TargetLocationAndContentLocationOfTheSameOrigin) {
    const auto uris = invalidation_uris(
        request(http::verb::post), "http://example.com/a/b",
        response(201, {{"Location", "/a/c"}, {"Content-Location", "http://EXAMPLE.com:80/a/d"}}));
    EXPECT_EQ(uris, (Uris{"http://example.com/a/b", "http://example.com/a/c",
                          "http://EXAMPLE.com:80/a/d"}));
}

TEST(Invalidation, OtherOriginsAreLeftAlone) {
    for (const char* location : {"http://evil.example/a", "https://example.com/a",
                                 "http://example.com:8080/a", "//other.example/x"}) {
        EXPECT_EQ(invalidation_uris(request(http::verb::put), "http://example.com/a",
                                    response(200, {{"Location", location}})),
                  (Uris{"http://example.com/a"}))
            << location;
    }
}

TEST(Invalidation, RelativeReferencesAreResolved) {
    EXPECT_EQ(
        invalidation_uris(request(http::verb::delete_), "http://example.com/a/b#frag",
                          response(204, {{"Location", "../x?y=1"}, {"Content-Location", "c"}})),
        (Uris{"http://example.com/a/b", "http://example.com/x?y=1", "http://example.com/a/c"}));
}

TEST(Invalidation, DuplicatesAppearOnce) {
    EXPECT_EQ(invalidation_uris(request(http::verb::post), "http://example.com/a",
                                response(303, {{"Location", "/a"}, {"Content-Location", "/a"}})),
              (Uris{"http://example.com/a"}));
}

TEST(Invalidation, OnlyUnsafeMethodsWithNonErrorStatus) {
    const auto ok = response(200);
    EXPECT_TRUE(invalidation_uris(request(http::verb::get), "http://e/a", ok).empty());
    EXPECT_TRUE(invalidation_uris(request(http::verb::head), "http://e/a", ok).empty());
    EXPECT_TRUE(invalidation_uris(request(http::verb::options), "http://e/a", ok).empty());
    EXPECT_TRUE(invalidation_uris(request(http::verb::post), "http://e/a", response(404)).empty());
    EXPECT_TRUE(invalidation_uris(request(http::verb::post), "http://e/a", response(500)).empty());
    EXPECT_TRUE(invalidation_uris(request(http::verb::post), "http://e/a", response(100)).empty());
    EXPECT_EQ(invalidation_uris(request(http::verb::post), "http://e/a", response(302)).size(), 1u);
    // A method the cache does not know is unsafe.
    auto unknown = request(http::verb::get);
    unknown.method_string("FROB");
    EXPECT_EQ(invalidation_uris(unknown, "http://e/a", ok), (Uris{"http://e/a"}));
}

TEST(ResolveReference, Rfc3986NormalExamples) {
    // RFC 3986 5.4.1 (fragments are dropped: a cache key has none).
    const std::string base = "http://a/b/c/d;p?q";
    const std::pair<const char*, const char*> cases[] = {
        {"g:h", "g:h"},
        {"g", "http://a/b/c/g"},
        {"./g", "http://a/b/c/g"},
        {"g/", "http://a/b/c/g/"},
        {"/g", "http://a/g"},
        {"//g", "http://g"},
        {"?y", "http://a/b/c/d;p?y"},
        {"g?y", "http://a/b/c/g?y"},
        {"#s", "http://a/b/c/d;p?q"},
        {"g#s", "http://a/b/c/g"},
        {";x", "http://a/b/c/;x"},
        {"", "http://a/b/c/d;p?q"},
        {".", "http://a/b/c/"},
        {"./", "http://a/b/c/"},
        {"..", "http://a/b/"},
        {"../", "http://a/b/"},
        {"../g", "http://a/b/g"},
        {"../..", "http://a/"},
        {"../../", "http://a/"},
        {"../../g", "http://a/g"},
    };
    for (const auto& [ref, want] : cases)
        EXPECT_EQ(resolve_reference(base, ref), want) << ref;
}

TEST(ResolveReference, Rfc3986AbnormalExamples) {
    const std::string base = "http://a/b/c/d;p?q";
    const std::pair<const char*, const char*> cases[] = {
        {"../../../g", "http://a/g"},
        {"/./g", "http://a/g"},
        {"/../g", "http://a/g"},
        {"g.", "http://a/b/c/g."},
        {".g", "http://a/b/c/.g"},
        {"g..", "http://a/b/c/g.."},
        {"./../g", "http://a/b/g"},
        {"./g/.", "http://a/b/c/g/"},
        {"g/./h", "http://a/b/c/g/h"},
        {"g/../h", "http://a/b/c/h"},
        {"g;x=1/./y", "http://a/b/c/g;x=1/y"},
        {"g;x=1/../y", "http://a/b/c/y"},
    };
    for (const auto& [ref, want] : cases)
        EXPECT_EQ(resolve_reference(base, ref), want) << ref;
}

} // namespace
} // namespace superd::proxy
