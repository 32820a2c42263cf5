#include "proxy/forward_headers.hpp"

#include <openssl/evp.h>

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

bool idempotent(http::verb method) {
    switch (method) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::options:
    case http::verb::trace:
        return true;
    default:
        return false;
    }
}

std::string base64(std::string_view text) {
    std::string out(4 * ((text.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string media_type(const http::fields& fields) {
    auto it = fields.find(http::field::content_type);
    if (it == fields.end()) return "-";
    std::string type(it->value().substr(0, it->value().find(';')));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.pop_back();
    return type.empty() || type.find(' ') != std::string::npos ? "-" : type;
}

} // namespace superd::proxy
