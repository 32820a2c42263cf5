#pragma once
// Small readers of HTTP field values shared by the RFC 9111 code: OWS trimming, comma-separated
// lists that respect quoted strings (RFC 9110 5.6.1), and entity tags (RFC 9110 8.8.3). They
// read Beast's fields; they never allocate a header container of their own.
#include <boost/beast/http/fields.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::proxy {

namespace http = boost::beast::http;

std::string_view trim_ows(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);

// Splits one #list value on commas outside quoted strings, trims OWS around each element and
// drops empty elements (RFC 9110 5.6.1: recipients accept empty list elements).
std::vector<std::string_view> split_list(std::string_view value);

// Every field line named `name`, split as one list: RFC 9110 5.3 lets a recipient combine field
// lines with commas, so "A: x" + "A: y" reads as "A: x, y". The views point into `fields`.
std::vector<std::string_view> field_list(const http::fields& fields, std::string_view name);

// The first line's value, or nullopt when the field is absent (an empty value is present).
std::optional<std::string_view> first_value(const http::fields& fields, std::string_view name);

// entity-tag = [ "W/" ] opaque-tag; `opaque` keeps its quotes.
struct EntityTag {
    bool weak = false;
    std::string_view opaque;
};
std::optional<EntityTag> parse_entity_tag(std::string_view text);
// RFC 9110 8.8.3.2: strong comparison needs both tags strong; weak compares the opaque part.
bool strong_match(const EntityTag& a, const EntityTag& b);
bool weak_match(const EntityTag& a, const EntityTag& b);

} // namespace superd::proxy
