// Cache-Control (RFC 9111 5.2): both argument forms, duplicates (first wins, 4.2.1), invalid
// arguments (stale / most restrictive), field-qualified no-cache and private, and Pragma.
#include "proxy/cache_control.hpp"

#include "tests/unit/proxy/http_messages.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

using test::get;
using Names = std::vector<std::string>;

TEST(CacheControl, EmptyValueHasNoDirectives) {
    const auto cc = parse_cache_control("");
    EXPECT_FALSE(cc.max_age);
    EXPECT_FALSE(cc.no_cache);
    EXPECT_FALSE(cc.no_store);
    EXPECT_FALSE(cc.malformed);
}

TEST(CacheControl, ResponseDirectives) {
    const auto cc = parse_cache_control("public, max-age=60, s-maxage=30, must-revalidate, "
                                        "proxy-revalidate, no-transform, must-understand");
    EXPECT_TRUE(cc.is_public);
    EXPECT_EQ(cc.max_age, 60);
    EXPECT_EQ(cc.s_maxage, 30);
    EXPECT_TRUE(cc.must_revalidate);
    EXPECT_TRUE(cc.proxy_revalidate);
    EXPECT_TRUE(cc.no_transform);
    EXPECT_TRUE(cc.must_understand);
    EXPECT_FALSE(cc.malformed);
}

TEST(CacheControl, RequestDirectives) {
    const auto cc = parse_cache_control("max-stale=30, min-fresh=10, only-if-cached, no-store");
    EXPECT_EQ(cc.max_stale, 30);
    EXPECT_EQ(cc.min_fresh, 10);
    EXPECT_TRUE(cc.only_if_cached);
    EXPECT_TRUE(cc.no_store);
}

TEST(CacheControl, NamesAreCaseInsensitive) {
    const auto cc = parse_cache_control("Max-Age=60, NO-STORE, Private");
    EXPECT_EQ(cc.max_age, 60);
    EXPECT_TRUE(cc.no_store);
    EXPECT_TRUE(cc.is_private);
}

TEST(CacheControl, QuotedArgumentsAreAccepted) {
    // RFC 9111 5.2: recipients accept both forms whatever the preferred one.
    EXPECT_EQ(parse_cache_control("max-age=\"60\"").max_age, 60);
    EXPECT_EQ(parse_cache_control("s-maxage=\"7\"").s_maxage, 7);
}

TEST(CacheControl, WhitespaceAroundEqualsAndEmptyElementsAreTolerated) {
    const auto cc = parse_cache_control(" , ,max-age = 5 ,, public ,");
    EXPECT_EQ(cc.max_age, 5);
    EXPECT_TRUE(cc.is_public);
    EXPECT_FALSE(cc.malformed);
}

TEST(CacheControl, DuplicatedDirectiveFirstOccurrenceWins) {
    EXPECT_EQ(parse_cache_control("max-age=60, max-age=10").max_age, 60);
    EXPECT_EQ(parse_cache_control("max-age=10, max-age=60").max_age, 10);
    EXPECT_EQ(parse_cache_control("min-fresh=1, min-fresh=2").min_fresh, 1);
}

TEST(CacheControl, DuplicatesAcrossFieldLines) {
    const auto r = test::response(200, {{"Cache-Control", "max-age=60"},
                                        {"Content-Type", "text/plain"},
                                        {"Cache-Control", "max-age=5, no-cache"}});
    const auto cc = cache_control(r);
    EXPECT_EQ(cc.max_age, 60);
    EXPECT_TRUE(cc.no_cache);
}

TEST(CacheControl, InvalidMaxAgeReadsAsStale) {
    for (const char* value : {"max-age=abc", "max-age", "max-age=-5", "max-age=1.5",
                              "max-age=", "max-age=\"\"", "max-age=\"6 0\""}) {
        const auto cc = parse_cache_control(value);
        EXPECT_EQ(cc.max_age, 0) << value;
        EXPECT_TRUE(cc.malformed) << value;
    }
    EXPECT_EQ(parse_cache_control("s-maxage=x").s_maxage, 0);
}

TEST(CacheControl, InvalidMaxAgeThenValidOneStillFirstWins) {
    // The first occurrence was invalid and already made the response stale.
    EXPECT_EQ(parse_cache_control("max-age=x, max-age=60").max_age, 0);
}

TEST(CacheControl, HugeDeltaSecondsCapsAtTwoToTheThirtyOne) {
    EXPECT_EQ(parse_cache_control("max-age=99999999999999999999999").max_age, 2147483648);
    EXPECT_EQ(parse_cache_control("max-age=2147483647").max_age, 2147483647);
    EXPECT_EQ(parse_cache_control("max-age=2147483649").max_age, 2147483648);
}

TEST(CacheControl, MaxStaleWithoutValueMeansAny) {
    EXPECT_EQ(parse_cache_control("max-stale").max_stale, max_stale_any);
    EXPECT_EQ(parse_cache_control("max-stale, max-stale=5").max_stale, max_stale_any);
    EXPECT_EQ(parse_cache_control("max-stale=\"5\"").max_stale, 5);
}

TEST(CacheControl, InvalidMaxStaleAndMinFreshAreIgnored) {
    auto cc = parse_cache_control("max-stale=soon, min-fresh=x");
    EXPECT_FALSE(cc.max_stale);
    EXPECT_FALSE(cc.min_fresh);
    EXPECT_TRUE(cc.malformed);
}

TEST(CacheControl, NoCacheWithFieldNames) {
    const auto cc = parse_cache_control("no-cache=\"Set-Cookie, X-Foo\", max-age=10");
    EXPECT_TRUE(cc.no_cache);
    EXPECT_EQ(cc.no_cache_fields, (Names{"set-cookie", "x-foo"}));
    EXPECT_EQ(cc.max_age, 10); // the comma inside the quotes did not split the list
    EXPECT_FALSE(cc.malformed);
}

TEST(CacheControl, NoCacheTokenFormAndUnqualified) {
    EXPECT_EQ(parse_cache_control("no-cache=Set-Cookie").no_cache_fields, (Names{"set-cookie"}));
    const auto cc = parse_cache_control("no-cache");
    EXPECT_TRUE(cc.no_cache);
    EXPECT_TRUE(cc.no_cache_fields.empty());
}

TEST(CacheControl, PrivateWithFieldNames) {
    const auto cc = parse_cache_control("private=\"X\"");
    EXPECT_TRUE(cc.is_private);
    EXPECT_EQ(cc.private_fields, (Names{"x"}));
}

TEST(CacheControl, QuotedPairsInArguments) {
    const auto cc = parse_cache_control(R"(ext="a,\"b\", c", max-age=3)");
    EXPECT_EQ(cc.max_age, 3);
    EXPECT_FALSE(cc.malformed);
}

TEST(CacheControl, UnknownExtensionsAreIgnored) {
    const auto cc = parse_cache_control("community=\"UCI\", stale-while-revalidate=30, max-age=4");
    EXPECT_EQ(cc.max_age, 4);
    EXPECT_FALSE(cc.malformed);
}

TEST(CacheControl, GarbageElementsAreSkipped) {
    const auto cc = parse_cache_control("max-age=5, @@@, public, no-cache=\"unterminated");
    EXPECT_EQ(cc.max_age, 5);
    EXPECT_TRUE(cc.is_public);
    EXPECT_TRUE(cc.malformed);
}

TEST(CacheControl, PragmaNoCacheCountsOnlyWithoutCacheControl) {
    EXPECT_TRUE(request_cache_control(get({{"Pragma", "no-cache"}})).no_cache);
    EXPECT_TRUE(request_cache_control(get({{"Pragma", "foo, No-Cache"}})).no_cache);
    EXPECT_FALSE(
        request_cache_control(get({{"Pragma", "no-cache"}, {"Cache-Control", "max-stale"}}))
            .no_cache);
    EXPECT_FALSE(request_cache_control(get({{"Pragma", "x-no-cache"}})).no_cache);
}

TEST(CacheControl, DeltaSeconds) {
    EXPECT_EQ(parse_delta_seconds("0"), 0);
    EXPECT_EQ(parse_delta_seconds("0042"), 42);
    EXPECT_EQ(parse_delta_seconds(""), std::nullopt);
    EXPECT_EQ(parse_delta_seconds("+1"), std::nullopt);
    EXPECT_EQ(parse_delta_seconds(" 1"), std::nullopt);
}

} // namespace
} // namespace superd::proxy
