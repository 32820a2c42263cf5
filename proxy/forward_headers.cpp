#include "proxy/forward_headers.hpp"

#include <charconv>

namespace superd::proxy {
namespace {

// Several lines of one list field join with commas (RFC 9110 5.3), then `item` goes last.
void append_list(http::fields& fields, std::string_view name, const std::string& item) {
    std::string joined;
    for (auto [it, end] = fields.equal_range(name); it != end; ++it)
        joined += std::string(it->value()) + ", ";
    fields.erase(name);
    fields.set(name, joined + item);
}

} // namespace

void append_via(http::fields& fields, unsigned version, const std::string& visible_hostname) {
    std::string entry = std::to_string(version / 10) + "." + std::to_string(version % 10) + " " +
                        visible_hostname + " (" + std::string(product) + ")";
    append_list(fields, "Via", entry);
}

void apply_forwarded_for(http::fields& fields, ForwardedFor mode, const std::string& client) {
    constexpr std::string_view xff = "X-Forwarded-For";
    switch (mode) {
    case ForwardedFor::on:
        append_list(fields, xff, client);
        break;
    case ForwardedFor::off:
        append_list(fields, xff, "unknown");
        break;
    case ForwardedFor::truncate:
        fields.erase(xff);
        fields.set(xff, client);
        break;
    case ForwardedFor::delete_header:
        fields.erase(xff);
        break;
    case ForwardedFor::transparent:
        break;
    }
}

std::optional<unsigned long> take_max_forwards(http::fields& fields) {
    auto it = fields.find(http::field::max_forwards);
    if (it == fields.end()) return std::nullopt;
    auto text = it->value();
    unsigned long n = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || p != text.data() + text.size()) return std::nullopt;
    if (n > 0) fields.set(http::field::max_forwards, std::to_string(n - 1));
    return n;
}

void prepare_request_fields(http::fields& fields, unsigned version, const std::string& authority,
                            const std::string& client, const ForwardOptions& options) {
    strip_hop_by_hop(fields);
    // The URL's authority wins over a Host the client sent (RFC 9112 3.2.2).
    fields.set(http::field::host, authority);
    if (options.via) append_via(fields, version, options.visible_hostname);
    apply_forwarded_for(fields, options.forwarded_for, client);
}

} // namespace superd::proxy
