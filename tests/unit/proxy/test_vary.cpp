// Vary (RFC 9111 4.1): the secondary key, its normalisation, absent fields, and "Vary: *".
#include "proxy/vary.hpp"

#include "tests/unit/proxy/http_messages.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

using test::get;
using test::response;

TEST(Vary, NoVaryIsTheEmptyKeyAndMatchesAnyRequest) {
    const auto r = response(200);
    EXPECT_EQ(vary_key(get({{"Accept-Encoding", "gzip"}}), r), "");
    EXPECT_TRUE(vary_matches("", get({{"Accept-Encoding", "br"}}), r));
}

TEST(Vary, AcceptEncodingIsOrderAndCaseInsensitive) {
    const auto r = response(200, {{"Vary", "Accept-Encoding"}});
    const auto key = vary_key(get({{"Accept-Encoding", "gzip, deflate, br"}}), r);
    EXPECT_EQ(key, "accept-encoding: br,deflate,gzip\n");
    EXPECT_TRUE(vary_matches(*key, get({{"Accept-Encoding", "br,deflate ,gzip"}}), r));
    EXPECT_TRUE(vary_matches(*key, get({{"Accept-Encoding", "GZIP, Deflate, br"}}), r));
    EXPECT_TRUE(vary_matches(
        *key, get({{"Accept-Encoding", "br"}, {"Accept-Encoding", "gzip, deflate"}}), r));
    EXPECT_FALSE(vary_matches(*key, get({{"Accept-Encoding", "gzip, br"}}), r));
    EXPECT_FALSE(vary_matches(*key, get(), r));
}

TEST(Vary, ParametersLoseTheirWhitespace) {
    const auto r = response(200, {{"Vary", "Accept-Encoding"}});
    EXPECT_EQ(vary_key(get({{"Accept-Encoding", "gzip;q=1.0, br ; q = 0.5"}}), r),
              "accept-encoding: br;q=0.5,gzip;q=1.0\n");
}

TEST(Vary, AbsentOnlyMatchesAbsent) {
    const auto r = response(200, {{"Vary", "Accept-Encoding"}});
    const auto absent = vary_key(get(), r);
    EXPECT_EQ(absent, "accept-encoding\n");
    EXPECT_EQ(vary_key(get({{"Accept-Encoding", ""}}), r), "accept-encoding: \n");
    EXPECT_FALSE(vary_matches(*absent, get({{"Accept-Encoding", ""}}), r));
    EXPECT_TRUE(vary_matches(*absent, get({{"Accept-Language", "en"}}), r));
}

TEST(Vary, NamesAreCaseInsensitiveSortedAndDeduplicated) {
    const auto r =
        response(200, {{"Vary", "User-Agent, accept-encoding"}, {"Vary", "ACCEPT-ENCODING"}});
    EXPECT_EQ(vary_key(get({{"User-Agent", "curl/8"}, {"Accept-Encoding", "gzip"}}), r),
              "accept-encoding: gzip\nuser-agent: curl/8\n");
}

TEST(Vary, AcceptLanguageKeepsItsOrder) {
    const auto r = response(200, {{"Vary", "Accept-Language"}});
    const auto key = vary_key(get({{"Accept-Language", "en-GB, fr"}}), r);
    EXPECT_EQ(key, "accept-language: en-gb,fr\n");
    EXPECT_TRUE(vary_matches(*key, get({{"Accept-Language", "EN-gb,fr"}}), r));
    EXPECT_FALSE(vary_matches(*key, get({{"Accept-Language", "fr, en-GB"}}), r));
}

TEST(Vary, OtherFieldsCompareByteForByte) {
    const auto r = response(200, {{"Vary", "User-Agent"}});
    const auto key = vary_key(get({{"User-Agent", "Mozilla/5.0 (X11, Linux)"}}), r);
    EXPECT_TRUE(vary_matches(*key, get({{"User-Agent", "Mozilla/5.0 (X11, Linux)"}}), r));
    EXPECT_FALSE(vary_matches(*key, get({{"User-Agent", "Mozilla/5.0 (X11,Linux)"}}), r));
    EXPECT_FALSE(vary_matches(*key, get({{"User-Agent", "mozilla/5.0 (X11, Linux)"}}), r));
}

TEST(Vary, StarNeverMatches) {
    const auto r = response(200, {{"Vary", "Accept, *"}});
    EXPECT_EQ(vary_key(get(), r), std::nullopt);
    EXPECT_FALSE(vary_matches("", get(), r));
}

} // namespace
} // namespace superd::proxy
