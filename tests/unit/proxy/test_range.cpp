// Ranges (RFC 9110 14): the RFC's examples on a 10000-byte representation, suffix and
// open-ended forms, the refusals served as a full 200, 416 with "bytes */SIZE", and If-Range.
#include "proxy/range.hpp"

#include "tests/unit/proxy/http_messages.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

using test::get;
using test::response;

void expect_partial(std::string_view range, std::uint64_t size, std::uint64_t first,
                    std::uint64_t last, std::string_view content_range) {
    const auto d = parse_range(range, size);
    EXPECT_EQ(d.outcome, RangeOutcome::partial) << range;
    EXPECT_EQ(d.first, first) << range;
    EXPECT_EQ(d.last, last) << range;
    EXPECT_EQ(d.content_range, content_range) << range;
}

TEST(Range, RfcExamples) {
    // RFC 9110 14.1.2.
    expect_partial("bytes=0-499", 10000, 0, 499, "bytes 0-499/10000");
    expect_partial("bytes=500-999", 10000, 500, 999, "bytes 500-999/10000");
    expect_partial("bytes=-500", 10000, 9500, 9999, "bytes 9500-9999/10000");
    expect_partial("bytes=9500-", 10000, 9500, 9999, "bytes 9500-9999/10000");
    expect_partial("bytes=0-0", 10000, 0, 0, "bytes 0-0/10000");
    expect_partial("bytes=-1", 10000, 9999, 9999, "bytes 9999-9999/10000");
}

TEST(Range, LastPastTheEndIsClipped) {
    expect_partial("bytes=9000-20000", 10000, 9000, 9999, "bytes 9000-9999/10000");
    expect_partial("bytes=-20000", 10000, 0, 9999, "bytes 0-9999/10000");
    expect_partial("bytes=0-", 1, 0, 0, "bytes 0-0/1");
}

TEST(Range, UnitIsCaseInsensitiveAndEmptyElementsAreIgnored) {
    expect_partial("BYTES=0-1", 10, 0, 1, "bytes 0-1/10");
    expect_partial("bytes=0-1, ", 10, 0, 1, "bytes 0-1/10");
}

TEST(Range, Unsatisfiable) {
    for (const auto& [range, size] :
         std::initializer_list<std::pair<const char*, int>>{{"bytes=10000-", 10000},
                                                            {"bytes=10000-10001", 10000},
                                                            {"bytes=-0", 10000},
                                                            {"bytes=0-", 0},
                                                            {"bytes=-5", 0}}) {
        const auto d = parse_range(range, size);
        EXPECT_EQ(d.outcome, RangeOutcome::unsatisfiable) << range;
        EXPECT_EQ(d.content_range, "bytes */" + std::to_string(size)) << range;
    }
    EXPECT_EQ(parse_range("bytes=2000-", 1234).content_range, "bytes */1234"); // RFC 9110 14.4
}

TEST(Range, RefusedRangesServeTheWholeRepresentation) {
    for (const char* range : {"bytes=0-1,5-6", "bytes=0-1, -1", "bytes=5-1", "bytes=a-b", "bytes=1",
                              "bytes=", "bytes 0-1", "items=0-1", "", "bytes=--1",
                              "bytes=0-99999999999999999999999", "bytes= 0 - 1"}) {
        const auto d = parse_range(range, 10000);
        EXPECT_EQ(d.outcome, RangeOutcome::full) << range;
        EXPECT_EQ(d.content_range, "") << range;
    }
}

const auto stored =
    response(200, {{"ETag", "\"v1\""}, {"Last-Modified", "Sun, 06 Nov 1994 08:49:37 GMT"}});

TEST(IfRange, StrongETagMustMatchStrongly) {
    EXPECT_TRUE(if_range_matches("\"v1\"", stored));
    EXPECT_FALSE(if_range_matches("\"v2\"", stored));
    EXPECT_FALSE(if_range_matches("W/\"v1\"", stored));
    EXPECT_FALSE(if_range_matches("\"v1\"", response(200, {{"ETag", "W/\"v1\""}})));
    EXPECT_FALSE(if_range_matches("\"v1\"", response(200)));
}

TEST(IfRange, DateMustEqualLastModified) {
    EXPECT_TRUE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", stored));
    EXPECT_TRUE(if_range_matches("Sunday, 06-Nov-94 08:49:37 GMT", stored));
    EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:38 GMT", stored));
    EXPECT_FALSE(if_range_matches("Sun, 06 Nov 1994 08:49:37 GMT", response(200)));
    EXPECT_FALSE(if_range_matches("garbage", stored));
}

TEST(DecideRange, AppliesIfRangeMethodAndStatus) {
    EXPECT_EQ(decide_range(get({{"Range", "bytes=0-9"}}), stored, 100).content_range,
              "bytes 0-9/100");
    EXPECT_EQ(
        decide_range(get({{"Range", "bytes=0-9"}, {"If-Range", "\"v1\""}}), stored, 100).outcome,
        RangeOutcome::partial);
    EXPECT_EQ(
        decide_range(get({{"Range", "bytes=0-9"}, {"If-Range", "\"v0\""}}), stored, 100).outcome,
        RangeOutcome::full);
    EXPECT_EQ(decide_range(get({{"Range", "bytes=500-"}}), stored, 100).outcome,
              RangeOutcome::unsatisfiable);
    EXPECT_EQ(decide_range(test::request(http::verb::head, {{"Range", "bytes=0-9"}}), stored, 100)
                  .outcome,
              RangeOutcome::full);
    EXPECT_EQ(decide_range(get({{"Range", "bytes=0-9"}}), response(404), 100).outcome,
              RangeOutcome::full);
    EXPECT_EQ(decide_range(get(), stored, 100).outcome, RangeOutcome::full);
    EXPECT_EQ(decide_range(get({{"If-Range", "\"v1\""}}), stored, 100).outcome, RangeOutcome::full);
    EXPECT_EQ(
        decide_range(get({{"Range", "bytes=0-9"}, {"Range", "bytes=20-29"}}), stored, 100).outcome,
        RangeOutcome::full);
}

} // namespace
} // namespace superd::proxy
