#include "proxy/range.hpp"

#include "proxy/field_values.hpp"
#include "proxy/http_date.hpp"

#include <charconv>
#include <optional>

namespace superd::proxy {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view s) {
    if (s.empty()) return std::nullopt;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    std::uint64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size())
        return std::nullopt; // too large: treat as invalid syntax, serve the whole thing
    return v;
}

RangeDecision unsatisfiable(std::uint64_t size) {
    return {RangeOutcome::unsatisfiable, 0, 0, "bytes */" + std::to_string(size)};
}

RangeDecision partial(std::uint64_t first, std::uint64_t last, std::uint64_t size) {
    return {RangeOutcome::partial, first, last,
            "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" +
                std::to_string(size)};
}

} // namespace

RangeDecision parse_range(std::string_view range, std::uint64_t size) {
    range = trim_ows(range);
    const auto eq = range.find('=');
    // The range unit is case-insensitive (RFC 9110 14.1).
    if (eq == std::string_view::npos || !iequals(trim_ows(range.substr(0, eq)), "bytes")) return {};
    const auto specs = split_list(range.substr(eq + 1));
    if (specs.size() != 1) return {};
    const auto spec = specs.front();
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return {};
    const auto first_text = spec.substr(0, dash);
    const auto last_text = spec.substr(dash + 1);
    if (first_text.empty()) { // suffix-range = "-" suffix-length
        const auto suffix = parse_u64(last_text);
        if (!suffix) return {};
        if (*suffix == 0 || size == 0) return unsatisfiable(size);
        return partial(size - std::min(*suffix, size), size - 1, size);
    }
    const auto first = parse_u64(first_text);
    if (!first) return {};
    std::optional<std::uint64_t> last;
    if (!last_text.empty()) {
        last = parse_u64(last_text);
        if (!last || *last < *first) return {};
    }
    if (*first >= size) return unsatisfiable(size);
    return partial(*first, last ? std::min(*last, size - 1) : size - 1, size);
}

bool if_range_matches(std::string_view if_range, const http::response_header<>& stored) {
    if_range = trim_ows(if_range);
    if (if_range.starts_with('"') || if_range.starts_with("W/")) {
        const auto tag = parse_entity_tag(if_range);
        const auto stored_value = first_value(stored, "ETag");
        const auto stored_tag = stored_value ? parse_entity_tag(*stored_value) : std::nullopt;
        return tag && stored_tag && strong_match(*tag, *stored_tag);
    }
    const auto date = parse_http_date(if_range);
    const auto lm_value = first_value(stored, "Last-Modified");
    const auto lm = lm_value ? parse_http_date(*lm_value) : std::nullopt;
    return date && lm && *date == *lm;
}

RangeDecision decide_range(const http::request_header<>& request,
                           const http::response_header<>& stored, std::uint64_t size) {
    if (request.method() != http::verb::get || stored.result() != http::status::ok) return {};
    const auto range = first_value(request, "Range");
    if (!range || request.count(http::field::range) > 1) return {};
    if (const auto if_range = first_value(request, "If-Range");
        if_range && !if_range_matches(*if_range, stored))
        return {};
    return parse_range(*range, size);
}

} // namespace superd::proxy
