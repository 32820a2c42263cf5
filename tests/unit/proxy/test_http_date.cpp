// HTTP-date (RFC 9110 5.6.7): the three accepted forms, the one generated form, and the inputs
// that must read as invalid (which callers turn into "in the past", RFC 9111 5.3).
#include "proxy/http_date.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

constexpr std::int64_t rfc_date = 784111777; // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::int64_t jan_2026 = 1767225600;

TEST(HttpDate, ParsesTheRfcExampleInAllThreeForms) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), rfc_date);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), rfc_date);
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), rfc_date);
}

TEST(HttpDate, FormatsImfFixdate) {
    EXPECT_EQ(format_http_date(rfc_date), "Sun, 06 Nov 1994 08:49:37 GMT");
    EXPECT_EQ(format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(format_http_date(-1), "Wed, 31 Dec 1969 23:59:59 GMT");
    EXPECT_EQ(format_http_date(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
    EXPECT_EQ(format_http_date(253402300799), "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(HttpDate, FormatThenParseIsIdentity) {
    // A deterministic walk over 60 years in steps that hit every second-of-minute and weekday.
    for (std::int64_t t = -86400; t < 1900000000; t += 9876543) {
        const auto text = format_http_date(t);
        EXPECT_EQ(parse_http_date(text), t) << text;
    }
}

TEST(HttpDate, AsctimeTwoDigitDayAndLeapDay) {
    EXPECT_EQ(parse_http_date("Wed Nov 16 08:49:37 1994"), 784975777);
    EXPECT_EQ(parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"), 951782400);
}

TEST(HttpDate, SurroundingWhitespaceIsIgnored) {
    EXPECT_EQ(parse_http_date("  Sun, 06 Nov 1994 08:49:37 GMT\t"), rfc_date);
}

TEST(HttpDate, DayNameIsNotCheckedAgainstTheDate) {
    EXPECT_EQ(parse_http_date("Mon, 06 Nov 1994 08:49:37 GMT"), rfc_date);
}

TEST(HttpDate, LeapSecondReadsAsFiftyNine) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:60 GMT"), rfc_date + 22);
}

TEST(HttpDate, Rfc850TwoDigitYearWithoutNowPivotsAtSeventy) {
    EXPECT_EQ(parse_http_date("Thursday, 01-Jan-76 00:00:00 GMT"), 189302400);
    EXPECT_EQ(parse_http_date("Wednesday, 29-Feb-00 00:00:00 GMT"), 951782400);
}

TEST(HttpDate, Rfc850TwoDigitYearFiftyYearRule) {
    // In 2026, "76" is 2076 (exactly 50 years ahead) but "77" would be 51 years ahead: 1977.
    EXPECT_EQ(parse_http_date("Thursday, 01-Jan-76 00:00:00 GMT", jan_2026), 3345062400);
    EXPECT_EQ(parse_http_date("Saturday, 01-Jan-77 00:00:00 GMT", jan_2026), 220924800);
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", jan_2026), rfc_date);
}

TEST(HttpDate, InvalidInputsAreNullopt) {
    for (const char* text : {
             "",
             "0",
             "-1",
             "Sun, 06 Nov 1994 08:49:37 UTC",    // zone must be GMT
             "Sun, 06 Nov 1994 08:49:37 gmt",    // case-sensitive
             "sun, 06 Nov 1994 08:49:37 GMT",    // case-sensitive day name
             "Sun, 06 nov 1994 08:49:37 GMT",    // case-sensitive month
             "Sun, 6 Nov 1994 08:49:37 GMT",     // IMF-fixdate day is 2DIGIT
             "Sun, 06 Nov 94 08:49:37 GMT",      // IMF-fixdate year is 4DIGIT
             "Sun, 31 Nov 1994 08:49:37 GMT",    // no 31 November
             "Thu, 29 Feb 1900 00:00:00 GMT",    // 1900 is not a leap year
             "Sun, 06 Nov 1994 24:00:00 GMT",    // hour 24
             "Sun, 06 Nov 1994 08:60:00 GMT",    // minute 60
             "Sun, 06 Nov 1994 08:49:61 GMT",    // second 61
             "Sun, 06 Nov 1994 08:49:37 GMT x",  // trailing junk
             "Sun, 06 Nov 1994 08:49 GMT",       // no seconds
             "Sun,06 Nov 1994 08:49:37 GMT",     // missing SP
             "Sunday, 06-Nov-1994 08:49:37 GMT", // rfc850 year is 2DIGIT
             "Sun, 06-Nov-94 08:49:37 GMT",      // rfc850 needs the long day name
             "Sun Nov 6 08:49:37 1994",          // asctime single-digit day needs SP padding
             "Sun Nov  6 08:49:37 94",           // asctime year is 4DIGIT
             "Sun Nov  6 08:49:37 1994 GMT",     // asctime has no zone
             "Sun, 00 Nov 1994 08:49:37 GMT",    // day 0
             "Sun, 06 Nov 1994 08:49:37 +0000",  // numeric zone
             "Sun, 06 Nov 1994 08:49:37GMT",
         }) {
        EXPECT_EQ(parse_http_date(text), std::nullopt) << text;
    }
}

} // namespace
} // namespace superd::proxy
