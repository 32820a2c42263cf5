// RFC 9111 decisions: storing (3), freshness lifetime (4.2.1, 4.2.2 with squid's
// refresh_pattern), age (4.2.3), using a stored response (4, 4.2.4, 5.2.1), and freshening with
// a 304 (4.3.4). Every time is a Unix second chosen here, relative to the RFC's example date D.
#include "proxy/freshness.hpp"
#include "proxy/http_date.hpp"

#include "tests/unit/proxy/http_messages.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

using test::get;
using test::request;
using test::response;

constexpr std::int64_t D = test::rfc_date;
const std::string date_d = format_http_date(D);

// ---- storable ----

NotStorable why_not(const RequestHeader& req, const ResponseHeader& resp) {
    const auto r = storable(req, resp);
    EXPECT_FALSE(r.has_value());
    return r.has_value() ? NotStorable::method : r.error();
}

TEST(Storable, HeuristicallyCacheableStatusesWithoutExplicitFreshness) {
    for (unsigned status : {200u, 203u, 204u, 300u, 301u, 308u, 404u, 405u, 410u, 414u, 501u})
        EXPECT_TRUE(storable(get(), response(status)).has_value()) << status;
}

TEST(Storable, OtherStatusesNeedExplicitFreshness) {
    EXPECT_EQ(why_not(get(), response(302)), NotStorable::no_explicit_freshness);
    EXPECT_EQ(why_not(get(), response(500)), NotStorable::no_explicit_freshness);
    EXPECT_TRUE(storable(get(), response(302, {{"Cache-Control", "max-age=60"}})).has_value());
    EXPECT_TRUE(storable(get(), response(302, {{"Cache-Control", "s-maxage=60"}})).has_value());
    EXPECT_TRUE(storable(get(), response(307, {{"Expires", date_d}})).has_value());
    EXPECT_TRUE(storable(get(), response(303, {{"Cache-Control", "public"}})).has_value());
    // An invalid Expires is still an explicit (already expired) time: stored, then revalidated.
    EXPECT_TRUE(storable(get(), response(302, {{"Expires", "0"}})).has_value());
}

TEST(Storable, OnlyGet) {
    EXPECT_EQ(why_not(request(http::verb::head), response(200)), NotStorable::method);
    EXPECT_EQ(
        why_not(request(http::verb::post, {}), response(200, {{"Cache-Control", "max-age=9"}})),
        NotStorable::method);
}

TEST(Storable, StatusesNotUnderstoodOrNotStored) {
    EXPECT_EQ(why_not(get(), response(206, {{"Cache-Control", "max-age=9"}})), NotStorable::status);
    EXPECT_EQ(why_not(get(), response(304)), NotStorable::status);
    EXPECT_EQ(why_not(get(), response(100)), NotStorable::status);
    EXPECT_EQ(why_not(get(), response(201, {{"Cache-Control", "max-age=9"}})), NotStorable::status);
    EXPECT_EQ(why_not(get(), response(418, {{"Cache-Control", "max-age=9, must-understand"}})),
              NotStorable::must_understand_status);
}

TEST(Storable, NoStore) {
    EXPECT_EQ(why_not(get({{"Cache-Control", "no-store"}}), response(200)),
              NotStorable::request_no_store);
    EXPECT_EQ(why_not(get(), response(200, {{"Cache-Control", "max-age=60, no-store"}})),
              NotStorable::response_no_store);
}

TEST(Storable, MustUnderstandOverridesNoStoreForAnUnderstoodStatus) {
    EXPECT_TRUE(storable(get(), response(200, {{"Cache-Control", "no-store, must-understand"}}))
                    .has_value());
}

TEST(Storable, PrivateIsNotStoredByASharedCache) {
    EXPECT_EQ(why_not(get(), response(200, {{"Cache-Control", "private, max-age=60"}})),
              NotStorable::response_private);
    // Field-qualified private is treated as unqualified (see CacheControl).
    EXPECT_EQ(why_not(get(), response(200, {{"Cache-Control", "private=\"X\", max-age=60"}})),
              NotStorable::response_private);
}

TEST(Storable, AuthorizationNeedsPublicSMaxageOrMustRevalidate) {
    const auto auth = get({{"Authorization", "Basic dTpw"}});
    EXPECT_EQ(why_not(auth, response(200)), NotStorable::authorization);
    EXPECT_EQ(why_not(auth, response(200, {{"Cache-Control", "max-age=60"}})),
              NotStorable::authorization);
    for (const char* cc : {"public", "s-maxage=60", "must-revalidate, max-age=60"})
        EXPECT_TRUE(storable(auth, response(200, {{"Cache-Control", cc}})).has_value()) << cc;
}

TEST(Storable, VaryStarIsNeverStored) {
    EXPECT_EQ(why_not(get(), response(200, {{"Vary", "*"}})), NotStorable::vary_star);
    EXPECT_EQ(why_not(get(), response(200, {{"Vary", "Accept-Encoding"}, {"Vary", "*"}})),
              NotStorable::vary_star);
    EXPECT_TRUE(storable(get(), response(200, {{"Vary", "Accept-Encoding"}})).has_value());
}

TEST(Storable, ReasonsHaveNames) {
    EXPECT_EQ(to_string(NotStorable::response_private), "private");
    EXPECT_EQ(to_string(NotStorable::no_explicit_freshness), "no explicit freshness");
}

// ---- freshness_lifetime ----

Lifetime lifetime(test::FieldList fields, unsigned status = 200, CacheOptions options = {},
                  std::int64_t response_time = D) {
    return freshness_lifetime(response(status, fields), response_time, options);
}

TEST(Lifetime, SMaxageThenMaxAgeThenExpires) {
    const auto expires = format_http_date(D + 3600);
    auto l = lifetime(
        {{"Date", date_d}, {"Expires", expires}, {"Cache-Control", "max-age=60, s-maxage=30"}});
    EXPECT_EQ(l.seconds, 30);
    EXPECT_EQ(l.source, FreshnessSource::s_maxage);
    l = lifetime({{"Date", date_d}, {"Expires", expires}, {"Cache-Control", "max-age=60"}});
    EXPECT_EQ(l.seconds, 60);
    EXPECT_EQ(l.source, FreshnessSource::max_age);
    l = lifetime({{"Date", date_d}, {"Expires", expires}});
    EXPECT_EQ(l.seconds, 3600);
    EXPECT_EQ(l.source, FreshnessSource::expires);
}

TEST(Lifetime, MaxAgeZero) {
    EXPECT_EQ(lifetime({{"Cache-Control", "max-age=0"}}).seconds, 0);
}

TEST(Lifetime, ExpiresInThePastIsZero) {
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Expires", format_http_date(D - 10)}}).seconds, 0);
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Expires", date_d}}).seconds, 0);
}

TEST(Lifetime, InvalidExpiresIsAlreadyExpired) {
    for (const char* bad : {"0", "-1", "tomorrow", ""}) {
        const auto l = lifetime(
            {{"Date", date_d}, {"Expires", bad}, {"Last-Modified", format_http_date(D - 100000)}});
        EXPECT_EQ(l.seconds, 0) << bad;
        EXPECT_EQ(l.source, FreshnessSource::expires) << bad; // no heuristic either
    }
}

TEST(Lifetime, ObsoleteExpiresFormsAreRead) {
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Expires", "Sunday, 06-Nov-94 09:49:37 GMT"}}).seconds,
              3600);
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Expires", "Sun Nov  6 09:49:37 1994"}}).seconds, 3600);
}

TEST(Lifetime, FirstExpiresLineIsUsed) {
    EXPECT_EQ(lifetime({{"Date", date_d},
                        {"Expires", format_http_date(D + 100)},
                        {"Expires", format_http_date(D + 900)}})
                  .seconds,
              100);
}

TEST(Lifetime, MissingOrInvalidDateUsesResponseTime) {
    const auto expires = format_http_date(D + 100);
    EXPECT_EQ(lifetime({{"Expires", expires}}, 200, {}, D + 40).seconds, 60);
    EXPECT_EQ(lifetime({{"Date", "yesterday"}, {"Expires", expires}}, 200, {}, D + 40).seconds, 60);
}

TEST(Lifetime, DuplicatedMaxAgeAcrossLinesFirstWins) {
    EXPECT_EQ(lifetime({{"Cache-Control", "max-age=60"}, {"Cache-Control", "max-age=5"}}).seconds,
              60);
}

TEST(Lifetime, RfcHeuristicIsTenPercentOfDateMinusLastModified) {
    const auto l = lifetime({{"Date", date_d}, {"Last-Modified", format_http_date(D - 10000)}});
    EXPECT_EQ(l.seconds, 1000);
    EXPECT_EQ(l.source, FreshnessSource::heuristic);
    // Without Last-Modified, or with one after Date, there is nothing to go on.
    EXPECT_EQ(lifetime({{"Date", date_d}}).source, FreshnessSource::none);
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Last-Modified", format_http_date(D + 5)}}).seconds, 0);
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Last-Modified", "garbage"}}).seconds, 0);
}

TEST(Lifetime, HeuristicOnlyWithoutExplicitFreshness) {
    EXPECT_EQ(lifetime({{"Date", date_d},
                        {"Last-Modified", format_http_date(D - 10000)},
                        {"Cache-Control", "max-age=5"}})
                  .seconds,
              5);
}

TEST(Lifetime, HeuristicOnlyForHeuristicallyCacheableStatusOrPublic) {
    const auto lm = format_http_date(D - 10000);
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Last-Modified", lm}}, 302).source,
              FreshnessSource::none);
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Last-Modified", lm}, {"Cache-Control", "public"}}, 302)
                  .seconds,
              1000);
    EXPECT_EQ(lifetime({{"Date", date_d}, {"Last-Modified", lm}}, 404).seconds, 1000);
}

TEST(Lifetime, RefreshPatternSemantics) {
    // refresh_pattern . 1 20% 60  (minutes), in seconds.
    const CacheOptions opts{RefreshRule{60, 20.0, 3600}};
    auto with_lm = [&](std::int64_t age_of_lm) {
        return lifetime({{"Date", date_d}, {"Last-Modified", format_http_date(D - age_of_lm)}}, 200,
                        opts)
            .seconds;
    };
    EXPECT_EQ(with_lm(10000), 2000);  // percent of Date - Last-Modified
    EXPECT_EQ(with_lm(100000), 3600); // capped by max
    EXPECT_EQ(with_lm(100), 20);      // squid: below min, the lm-factor still decides
    EXPECT_EQ(with_lm(-10), 60);      // Last-Modified after Date: min
    EXPECT_EQ(lifetime({{"Date", date_d}}, 200, opts).seconds, 60); // no Last-Modified: min
    const CacheOptions min_above_max{RefreshRule{7200, 20.0, 3600}};
    EXPECT_EQ(lifetime({{"Date", date_d}}, 200, min_above_max).seconds, 3600);
    // Explicit freshness ignores the rule entirely.
    EXPECT_EQ(lifetime({{"Cache-Control", "max-age=7"}}, 200, opts).seconds, 7);
    // And the rule does not make a 302 heuristically fresh.
    EXPECT_EQ(lifetime({{"Date", date_d}}, 302, opts).seconds, 0);
}

// ---- current_age ----

std::int64_t age(test::FieldList fields, std::int64_t request_time, std::int64_t response_time,
                 std::int64_t now) {
    return current_age(response(200, fields), request_time, response_time, now);
}

TEST(CurrentAge, ResidentTimeOnly) {
    EXPECT_EQ(age({{"Date", date_d}}, D, D, D), 0);
    EXPECT_EQ(age({{"Date", date_d}}, D, D, D + 100), 100);
}

TEST(CurrentAge, AgeFieldPlusResponseDelay) {
    // apparent_age = 1, corrected_age_value = 50 + 2, resident_time = 8.
    EXPECT_EQ(age({{"Date", format_http_date(D + 1)}, {"Age", "50"}}, D, D + 2, D + 10), 60);
}

TEST(CurrentAge, ApparentAgeWinsWhenDateIsOld) {
    // An upstream cache that did not send Age: Date 300 s before we received it.
    EXPECT_EQ(age({{"Date", format_http_date(D - 300)}}, D - 1, D, D), 300);
}

TEST(CurrentAge, DateInTheFutureGivesNoNegativeApparentAge) {
    EXPECT_EQ(age({{"Date", format_http_date(D + 500)}}, D, D, D + 7), 7);
}

TEST(CurrentAge, MissingDateUsesResponseTime) {
    EXPECT_EQ(age({}, D, D + 3, D + 10), 10); // response_delay 3 + resident 7
}

TEST(CurrentAge, InvalidOrNegativeAgeFieldReadsAsZero) {
    EXPECT_EQ(age({{"Date", date_d}, {"Age", "-5"}}, D, D, D + 1), 1);
    EXPECT_EQ(age({{"Date", date_d}, {"Age", "abc"}}, D, D, D + 1), 1);
}

TEST(CurrentAge, HugeAgeFieldIsCapped) {
    EXPECT_EQ(age({{"Date", date_d}, {"Age", "99999999999999"}}, D, D, D + 1), 2147483648 + 1);
}

TEST(CurrentAge, ClockSteppedBackDoesNotMakeAgeNegative) {
    EXPECT_EQ(age({{"Date", date_d}}, D, D, D - 50), 0);
}

// ---- decide_hit ----

const std::string last_modified = format_http_date(D - 1000);

ResponseHeader stored(std::string_view cache_control, bool validators = true) {
    auto r = response(200, {{"Date", date_d}, {"Cache-Control", cache_control}});
    if (validators) {
        r.insert("ETag", "\"v1\"");
        r.insert("Last-Modified", last_modified);
    }
    return r;
}

constexpr EntryTimes at_d{D, D};

HitDecision hit(const ResponseHeader& s, const RequestHeader& req, std::int64_t now,
                CacheOptions options = {}) {
    return decide_hit(s, at_d, req, now, options);
}

TEST(DecideHit, FreshServesWithAge) {
    const auto d = hit(stored("max-age=100"), get(), D + 50);
    EXPECT_EQ(d.action, HitAction::fresh);
    EXPECT_EQ(d.age, 50);
    EXPECT_EQ(d.lifetime, 100);
    EXPECT_EQ(test::dump(d.conditional), "");
}

TEST(DecideHit, HeadIsServedFromAStoredGet) {
    EXPECT_EQ(hit(stored("max-age=100"), request(http::verb::head), D + 50).action,
              HitAction::fresh);
}

TEST(DecideHit, OtherMethodsMiss) {
    EXPECT_EQ(hit(stored("max-age=100"), request(http::verb::post), D + 50).action,
              HitAction::miss);
}

TEST(DecideHit, StaleRevalidatesWithBothValidators) {
    const auto d = hit(stored("max-age=100"), get(), D + 100); // lifetime 100 > age 100 is false
    EXPECT_EQ(d.action, HitAction::revalidate);
    EXPECT_EQ(d.reason, "stale");
    EXPECT_EQ(test::dump(d.conditional), "If-None-Match: \"v1\"\n"
                                         "If-Modified-Since: Sun, 06 Nov 1994 08:32:57 GMT\n");
}

TEST(DecideHit, StaleWithoutValidatorsIsAMiss) {
    const auto d = hit(stored("max-age=100", false), get(), D + 200);
    EXPECT_EQ(d.action, HitAction::miss);
    EXPECT_EQ(test::dump(d.conditional), "");
}

TEST(DecideHit, RequestNoCacheAndPragmaRevalidate) {
    auto d = hit(stored("max-age=100"), get({{"Cache-Control", "no-cache"}}), D + 1);
    EXPECT_EQ(d.action, HitAction::revalidate);
    EXPECT_EQ(d.reason, "request no-cache");
    EXPECT_EQ(hit(stored("max-age=100"), get({{"Pragma", "no-cache"}}), D + 1).action,
              HitAction::revalidate);
    // Cache-Control present: Pragma is ignored.
    EXPECT_EQ(
        hit(stored("max-age=100"), get({{"Pragma", "no-cache"}, {"Cache-Control", "x"}}), D + 1)
            .action,
        HitAction::fresh);
}

TEST(DecideHit, RequestMaxAge) {
    EXPECT_EQ(hit(stored("max-age=100"), get({{"Cache-Control", "max-age=0"}}), D).action,
              HitAction::revalidate);
    EXPECT_EQ(hit(stored("max-age=100"), get({{"Cache-Control", "max-age=60"}}), D + 60).action,
              HitAction::fresh);
    const auto d = hit(stored("max-age=100"), get({{"Cache-Control", "max-age=60"}}), D + 61);
    EXPECT_EQ(d.action, HitAction::revalidate);
    EXPECT_EQ(d.reason, "request max-age");
}

TEST(DecideHit, RequestMinFresh) {
    // Age 50 of 100: 50 s of freshness left.
    EXPECT_EQ(hit(stored("max-age=100"), get({{"Cache-Control", "min-fresh=50"}}), D + 50).action,
              HitAction::fresh);
    EXPECT_EQ(hit(stored("max-age=100"), get({{"Cache-Control", "min-fresh=51"}}), D + 50).action,
              HitAction::revalidate);
}

TEST(DecideHit, RequestMaxStaleAllowsStale) {
    // Age 150 of 100: 50 s stale.
    auto d = hit(stored("max-age=100"), get({{"Cache-Control", "max-stale"}}), D + 150);
    EXPECT_EQ(d.action, HitAction::stale);
    EXPECT_EQ(d.age, 150);
    EXPECT_EQ(hit(stored("max-age=100"), get({{"Cache-Control", "max-stale=50"}}), D + 150).action,
              HitAction::stale);
    EXPECT_EQ(hit(stored("max-age=100"), get({{"Cache-Control", "max-stale=49"}}), D + 150).action,
              HitAction::revalidate);
}

TEST(DecideHit, MustRevalidateForbidsServingStale) {
    for (const char* cc :
         {"max-age=100, must-revalidate", "max-age=100, proxy-revalidate", "s-maxage=100"}) {
        const auto d = hit(stored(cc), get({{"Cache-Control", "max-stale"}}), D + 150);
        EXPECT_EQ(d.action, HitAction::revalidate) << cc;
        EXPECT_EQ(d.reason, "stale, must revalidate") << cc;
        // While fresh they are served as usual.
        EXPECT_EQ(hit(stored(cc), get(), D + 50).action, HitAction::fresh) << cc;
    }
}

TEST(DecideHit, ResponseNoCacheAlwaysRevalidates) {
    for (const char* cc : {"max-age=100, no-cache", "max-age=100, no-cache=\"Set-Cookie\""}) {
        const auto d = hit(stored(cc), get(), D + 1);
        EXPECT_EQ(d.action, HitAction::revalidate) << cc;
        EXPECT_EQ(d.reason, "response no-cache") << cc;
    }
}

TEST(DecideHit, OnlyIfCached) {
    const auto oic = get({{"Cache-Control", "only-if-cached"}});
    EXPECT_EQ(hit(stored("max-age=100"), oic, D + 50).action, HitAction::fresh);
    EXPECT_EQ(hit(stored("max-age=100"), oic, D + 150).action, HitAction::gateway_timeout);
    EXPECT_EQ(hit(stored("max-age=100", false), oic, D + 150).action, HitAction::gateway_timeout);
    EXPECT_EQ(
        hit(stored("max-age=100"), get({{"Cache-Control", "only-if-cached, max-stale"}}), D + 150)
            .action,
        HitAction::stale);
    EXPECT_EQ(hit(stored("max-age=100, no-cache"), oic, D).action, HitAction::gateway_timeout);
}

TEST(DecideHit, SentAgeIsCapped) {
    auto s = stored("max-age=100");
    s.insert("Age", "99999999999");
    EXPECT_EQ(hit(s, get({{"Cache-Control", "max-stale"}}), D + 10).age, 2147483648);
}

TEST(DecideHit, HeuristicLifetimeFromRefreshRule) {
    const auto s =
        response(200, {{"Date", date_d}, {"Last-Modified", format_http_date(D - 10000)}});
    const CacheOptions opts{RefreshRule{0, 20.0, 3600}};
    EXPECT_EQ(hit(s, get(), D + 1999, opts).action, HitAction::fresh);
    EXPECT_EQ(hit(s, get(), D + 2000, opts).action, HitAction::revalidate);
    // The RFC's 10% without a rule.
    EXPECT_EQ(hit(s, get(), D + 999).action, HitAction::fresh);
    EXPECT_EQ(hit(s, get(), D + 1000).action, HitAction::revalidate);
}

TEST(DecideHit, ActionsHaveNames) {
    EXPECT_EQ(to_string(HitAction::gateway_timeout), "gateway timeout");
    EXPECT_EQ(to_string(HitAction::stale), "stale");
}

// ---- conditional_headers ----

TEST(ConditionalHeaders, WeakETagIsSentInIfNoneMatch) {
    const auto r = response(200, {{"ETag", "W/\"x\""}});
    EXPECT_EQ(test::dump(conditional_headers(r)), "If-None-Match: W/\"x\"\n");
}

TEST(ConditionalHeaders, InvalidValidatorsAreNotSent) {
    const auto r = response(200, {{"ETag", "unquoted"}, {"Last-Modified", "last tuesday"}});
    EXPECT_EQ(test::dump(conditional_headers(r)), "");
}

// ---- 304 ----

TEST(NotModified, SelectsTheStoredResponse) {
    const auto with = [](test::FieldList f) { return response(200, f); };
    const auto nm = [](test::FieldList f) { return response(304, f); };
    const auto lm = format_http_date(D - 1000);
    const auto other_lm = format_http_date(D - 999);
    EXPECT_TRUE(not_modified_applies(with({{"ETag", "\"a\""}}), nm({{"ETag", "\"a\""}})));
    EXPECT_FALSE(not_modified_applies(with({{"ETag", "\"a\""}}), nm({{"ETag", "\"b\""}})));
    // A strong tag in the 304 does not match a stored weak one...
    EXPECT_FALSE(not_modified_applies(with({{"ETag", "W/\"a\""}}), nm({{"ETag", "\"a\""}})));
    // ...but a weak tag in the 304 weakly matches either.
    EXPECT_TRUE(not_modified_applies(with({{"ETag", "\"a\""}}), nm({{"ETag", "W/\"a\""}})));
    EXPECT_TRUE(not_modified_applies(with({{"ETag", "W/\"a\""}}), nm({{"ETag", "W/\"a\""}})));
    EXPECT_FALSE(not_modified_applies(with({}), nm({{"ETag", "\"a\""}})));
    // Last-Modified when the 304 has no ETag.
    EXPECT_TRUE(not_modified_applies(with({{"Last-Modified", lm}}), nm({{"Last-Modified", lm}})));
    EXPECT_FALSE(
        not_modified_applies(with({{"Last-Modified", lm}}), nm({{"Last-Modified", other_lm}})));
    // No validator at all: only a stored response without one either.
    EXPECT_TRUE(not_modified_applies(with({}), nm({})));
    EXPECT_FALSE(not_modified_applies(with({{"ETag", "\"a\""}}), nm({})));
}

TEST(NotModified, FreshenReplacesFieldsExceptContentLengthAndHopByHop) {
    auto s = response(200, {{"Date", date_d},
                            {"Cache-Control", "max-age=100"},
                            {"ETag", "\"v1\""},
                            {"Content-Length", "1234"},
                            {"Content-Type", "text/html"},
                            {"Set-Cookie", "a=1"},
                            {"Set-Cookie", "b=2"},
                            {"X-Old", "kept"}});
    const auto nm = response(304, {{"Date", format_http_date(D + 500)},
                                   {"Cache-Control", "max-age=600"},
                                   {"ETag", "\"v1\""},
                                   {"Content-Length", "0"},
                                   {"Connection", "close, X-Hop"},
                                   {"X-Hop", "1"},
                                   {"Keep-Alive", "timeout=5"},
                                   {"Set-Cookie", "c=3"},
                                   {"Content-Range", "bytes */1234"},
                                   {"Expires", format_http_date(D + 600)}});
    ASSERT_TRUE(not_modified_applies(s, nm));
    freshen_with_304(s, nm);
    EXPECT_EQ(s.result_int(), 200u);
    EXPECT_EQ(test::dump(s), "Content-Length: 1234\n"
                             "Content-Type: text/html\n"
                             "X-Old: kept\n"
                             "Date: Sun, 06 Nov 1994 08:57:57 GMT\n"
                             "Cache-Control: max-age=600\n"
                             "ETag: \"v1\"\n"
                             "Set-Cookie: c=3\n"
                             "Expires: Sun, 06 Nov 1994 08:59:37 GMT\n");
    // With the revalidation's times, the entry is fresh again.
    const auto d = decide_hit(s, EntryTimes{D + 500, D + 500}, get(), D + 1000);
    EXPECT_EQ(d.action, HitAction::fresh);
    EXPECT_EQ(d.age, 500);
}

TEST(NotModified, MultiLineFieldsAreCopiedWhole) {
    auto s = response(200, {{"Vary", "Accept"}, {"Link", "<a>"}});
    freshen_with_304(s, response(304, {{"Link", "<b>"}, {"Link", "<c>"}}));
    EXPECT_EQ(test::dump(s), "Vary: Accept\nLink: <b>\nLink: <c>\n");
}

} // namespace
} // namespace superd::proxy
