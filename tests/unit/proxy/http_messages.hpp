#pragma once
// Builds Beast request/response headers for the RFC 9111 tests, and prints fields one line each
// ("Name: value\n") so expectations can be byte-exact. Times in these tests are Unix seconds
// chosen by the test: the code under test never reads a clock.
#include <boost/beast/http/message.hpp>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace superd::proxy::test {

namespace http = boost::beast::http;
using FieldList = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// RFC 9110 5.6.7's example date, "Sun, 06 Nov 1994 08:49:37 GMT".
inline constexpr std::int64_t rfc_date = 784111777;

inline http::response_header<> response(unsigned status, FieldList fields = {}) {
    http::response_header<> r;
    r.result(status);
    for (const auto& [name, value] : fields)
        r.insert(name, value);
    return r;
}

inline http::request_header<> request(http::verb method, FieldList fields = {}) {
    http::request_header<> r;
    r.method(method);
    r.target("http://example.com/a");
    for (const auto& [name, value] : fields)
        r.insert(name, value);
    return r;
}

inline http::request_header<> get(FieldList fields = {}) {
    return request(http::verb::get, fields);
}

inline std::string dump(const http::fields& fields) {
    std::string out;
    for (const auto& f : fields) {
        out += std::string_view(f.name_string());
        out += ": ";
        out += std::string_view(f.value());
        out += '\n';
    }
    return out;
}

} // namespace superd::proxy::test
