#include "proxy/error_page.hpp"

#include "proxy/forward_headers.hpp"

namespace superd::proxy {
namespace {

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace

http::response<http::string_body> error_page(http::status status, const std::string& error,
                                             const std::string& detail, const std::string& url,
                                             const std::string& visible_hostname,
                                             unsigned version) {
    http::response<http::string_body> res{status, version == 10 ? 10u : 11u};
    std::string title = std::to_string(static_cast<unsigned>(status)) + " " +
                        std::string(http::obsolete_reason(status));
    res.set(http::field::server, product);
    res.set(http::field::content_type, "text/html; charset=utf-8");
    res.set(http::field::cache_control, "no-store");
    res.set("X-Squid-Error", error);
    res.body() = "<!DOCTYPE html>\n<html><head><title>" + escape(title) +
                 "</title></head>\n<body>\n<h1>" + escape(title) + "</h1>\n<p>" + escape(detail) +
                 "</p>\n<p>URL: <code>" + escape(url) + "</code></p>\n<hr>\n<address>" +
                 escape(visible_hostname) + " (" + std::string(product) +
                 ")</address>\n</body></html>\n";
    res.keep_alive(false);
    res.prepare_payload();
    return res;
}

} // namespace superd::proxy
