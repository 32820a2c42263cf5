#include "proxy/freshness.hpp"

#include "proxy/field_values.hpp"
#include "proxy/hop_by_hop.hpp"
#include "proxy/http_date.hpp"

#include <algorithm>
#include <set>
#include <string>

namespace superd::proxy {
namespace {

// Final statuses whose caching requirements this cache knows (RFC 9111 3: "understands the
// response status code"). 206 and 304 are excluded: no partial store, and a 304 only freshens.
bool understood(unsigned status) {
    switch (status) {
    case 200:
    case 203:
    case 204:
    case 300:
    case 301:
    case 302:
    case 303:
    case 307:
    case 308:
    case 400:
    case 403:
    case 404:
    case 405:
    case 410:
    case 414:
    case 500:
    case 501:
    case 502:
    case 503:
    case 504:
        return true;
    default:
        return false;
    }
}

std::optional<std::int64_t> date_field(const http::fields& fields, std::string_view name) {
    const auto value = first_value(fields, name);
    return value ? parse_http_date(*value) : std::nullopt;
}

// RFC 9110 6.6.1: without a (valid) Date, the time the response was received stands in.
std::int64_t date_value(const ResponseHeader& response, std::int64_t response_time) {
    return date_field(response, "Date").value_or(response_time);
}

bool vary_star(const ResponseHeader& response) {
    const auto names = field_list(response, "Vary");
    return std::ranges::find(names, std::string_view("*")) != names.end();
}

HitDecision decided(HitAction action, std::string_view reason, HitDecision d) {
    d.action = action;
    d.reason = reason;
    return d;
}

} // namespace

std::string_view to_string(NotStorable reason) {
    switch (reason) {
    case NotStorable::method:
        return "method";
    case NotStorable::status:
        return "status";
    case NotStorable::request_no_store:
        return "request no-store";
    case NotStorable::response_no_store:
        return "response no-store";
    case NotStorable::response_private:
        return "private";
    case NotStorable::authorization:
        return "authorization";
    case NotStorable::vary_star:
        return "vary *";
    case NotStorable::no_explicit_freshness:
        return "no explicit freshness";
    case NotStorable::must_understand_status:
        return "must-understand status";
    }
    return "unknown";
}

std::string_view to_string(HitAction action) {
    switch (action) {
    case HitAction::fresh:
        return "fresh";
    case HitAction::stale:
        return "stale";
    case HitAction::revalidate:
        return "revalidate";
    case HitAction::miss:
        return "miss";
    case HitAction::gateway_timeout:
        return "gateway timeout";
    }
    return "unknown";
}

bool heuristically_cacheable(unsigned status) {
    switch (status) {
    case 200:
    case 203:
    case 204:
    case 300:
    case 301:
    case 308:
    case 404:
    case 405:
    case 410:
    case 414:
    case 501:
        return true;
    default:
        return false;
    }
}

std::expected<void, NotStorable> storable(const RequestHeader& request,
                                          const ResponseHeader& response,
                                          [[maybe_unused]] const CacheOptions& options) {
    if (request.method() != http::verb::get) return std::unexpected(NotStorable::method);
    if (cache_control(request).no_store) return std::unexpected(NotStorable::request_no_store);
    const unsigned status = response.result_int();
    const auto cc = cache_control(response);
    if (!understood(status))
        return std::unexpected(cc.must_understand ? NotStorable::must_understand_status
                                                  : NotStorable::status);
    // 5.2.2.3: with must-understand and an understood status, no-store is ignored.
    if (cc.no_store && !cc.must_understand) return std::unexpected(NotStorable::response_no_store);
    if (cc.is_private) return std::unexpected(NotStorable::response_private);
    if (request.count(http::field::authorization) != 0 && !cc.is_public && !cc.s_maxage &&
        !cc.must_revalidate)
        return std::unexpected(NotStorable::authorization);
    if (vary_star(response)) return std::unexpected(NotStorable::vary_star);
    const bool explicit_freshness =
        cc.is_public || cc.max_age || cc.s_maxage || response.count(http::field::expires) != 0;
    if (!explicit_freshness && !heuristically_cacheable(status))
        return std::unexpected(NotStorable::no_explicit_freshness);
    return {};
}

Lifetime freshness_lifetime(const ResponseHeader& response, std::int64_t response_time,
                            const CacheOptions& options) {
    const auto cc = cache_control(response);
    if (cc.s_maxage) // a shared cache prefers s-maxage (5.2.2.10)
        return {*cc.s_maxage, FreshnessSource::s_maxage};
    if (cc.max_age) return {*cc.max_age, FreshnessSource::max_age};
    const std::int64_t date = date_value(response, response_time);
    if (const auto expires = first_value(response, "Expires")) {
        // 5.3: an invalid Expires (e.g. "0") is a time in the past.
        const auto t = parse_http_date(*expires, date);
        return {t ? std::max<std::int64_t>(0, *t - date) : 0, FreshnessSource::expires};
    }
    if (!heuristically_cacheable(response.result_int()) && !cc.is_public)
        return {0, FreshnessSource::none};
    const auto last_modified = date_field(response, "Last-Modified");
    const std::int64_t since = last_modified ? date - *last_modified : 0;
    if (options.refresh) {
        // squid's refreshStaleness(): the lm-factor decides whenever Last-Modified is older
        // than Date, bounded by max; only without it does `min` give the lifetime.
        const RefreshRule& r = *options.refresh;
        if (since > 0) {
            const auto lm = static_cast<std::int64_t>(static_cast<double>(since) * r.percent / 100);
            return {std::clamp<std::int64_t>(lm, 0, std::max<std::int64_t>(r.max_s, 0)),
                    FreshnessSource::heuristic};
        }
        return {std::max<std::int64_t>(0, std::min(r.min_s, r.max_s)), FreshnessSource::heuristic};
    }
    if (since > 0) // 4.2.2: "a typical setting of this fraction might be 10%"
        return {since / 10, FreshnessSource::heuristic};
    return {0, FreshnessSource::none};
}

std::int64_t current_age(const ResponseHeader& response, std::int64_t request_time,
                         std::int64_t response_time, std::int64_t now) {
    const auto age_field = first_value(response, "Age");
    const std::int64_t age_value = age_field ? parse_delta_seconds(*age_field).value_or(0) : 0;
    const std::int64_t date = date_value(response, response_time);

    const std::int64_t apparent_age = std::max<std::int64_t>(0, response_time - date);
    const std::int64_t response_delay = response_time - request_time;
    const std::int64_t corrected_age_value = age_value + response_delay;
    const std::int64_t corrected_initial_age = std::max(apparent_age, corrected_age_value);
    const std::int64_t resident_time = std::max<std::int64_t>(0, now - response_time);
    return corrected_initial_age + resident_time;
}

http::fields conditional_headers(const ResponseHeader& stored) {
    http::fields out;
    if (const auto etag = first_value(stored, "ETag"); etag && parse_entity_tag(*etag))
        out.set(http::field::if_none_match, *etag);
    if (const auto lm = first_value(stored, "Last-Modified"); lm && parse_http_date(*lm))
        out.set(http::field::if_modified_since, *lm);
    return out;
}

HitDecision decide_hit(const ResponseHeader& stored, EntryTimes times, const RequestHeader& request,
                       std::int64_t now, const CacheOptions& options) {
    HitDecision d;
    d.age = std::min(current_age(stored, times.request_time, times.response_time, now),
                     delta_seconds_max); // 5.1: an Age too large to send is sent as 2^31
    d.lifetime = freshness_lifetime(stored, times.response_time, options).seconds;
    if (request.method() != http::verb::get && request.method() != http::verb::head)
        return decided(HitAction::miss, "method", std::move(d));

    const auto rcc = request_cache_control(request);
    const auto scc = cache_control(stored);
    // Anything but a fresh or allowed-stale answer needs the origin, which only-if-cached
    // forbids (5.2.1.7); without a validator, "revalidate" is a plain forward (4.3.1).
    auto go_forward = [&](std::string_view reason) {
        if (rcc.only_if_cached) return decided(HitAction::gateway_timeout, reason, std::move(d));
        d.conditional = conditional_headers(stored);
        if (d.conditional.begin() == d.conditional.end())
            return decided(HitAction::miss, reason, std::move(d));
        return decided(HitAction::revalidate, reason, std::move(d));
    };

    if (scc.no_cache) return go_forward("response no-cache");
    if (rcc.no_cache) return go_forward("request no-cache");
    if (rcc.max_age && (*rcc.max_age == 0 || d.age > *rcc.max_age))
        return go_forward("request max-age");
    if (rcc.min_fresh && d.lifetime - d.age < *rcc.min_fresh)
        return go_forward("request min-fresh");
    if (d.lifetime > d.age) return decided(HitAction::fresh, "fresh", std::move(d));

    // Stale (4.2.4).
    if (scc.must_revalidate || scc.proxy_revalidate || scc.s_maxage)
        return go_forward("stale, must revalidate");
    if (rcc.max_stale && d.age - d.lifetime <= *rcc.max_stale)
        return decided(HitAction::stale, "request max-stale", std::move(d));
    return go_forward("stale");
}

bool not_modified_applies(const ResponseHeader& stored, const ResponseHeader& not_modified) {
    const auto tag_of = [](const ResponseHeader& r) -> std::optional<EntityTag> {
        const auto v = first_value(r, "ETag");
        return v ? parse_entity_tag(*v) : std::nullopt;
    };
    const auto new_tag = tag_of(not_modified);
    const auto old_tag = tag_of(stored);
    if (new_tag) {
        if (!old_tag) return false;
        return new_tag->weak ? weak_match(*new_tag, *old_tag) : strong_match(*new_tag, *old_tag);
    }
    const auto new_lm = date_field(not_modified, "Last-Modified");
    const auto old_lm = date_field(stored, "Last-Modified");
    if (new_lm) return old_lm == new_lm;
    return !old_tag && !old_lm;
}

void freshen_with_304(ResponseHeader& stored, const ResponseHeader& not_modified) {
    std::set<std::string> excluded;
    for (auto& name : connection_options(not_modified))
        excluded.insert(std::move(name));
    const auto updatable = [&](std::string_view name) {
        return !is_hop_by_hop(name) && !iequals(name, "Content-Length") &&
               !iequals(name, "Content-Range") && !excluded.contains(to_lower(name));
    };
    // Replace whole fields (3.2): drop every stored line of each name first, then copy every
    // line of the 304, so a multi-line field stays complete and in order.
    for (const auto& f : not_modified) {
        const std::string_view name(f.name_string());
        if (updatable(name)) stored.erase(name);
    }
    for (const auto& f : not_modified) {
        const std::string_view name(f.name_string());
        if (updatable(name)) stored.insert(name, f.value());
    }
}

} // namespace superd::proxy
