#pragma once
// The small HTML pages the proxy answers with itself (squid's ERR_* pages, much shortened).
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace superd::proxy {

namespace http = boost::beast::http;

// `error`: squid's name for it (ERR_ACCESS_DENIED, ...), sent as X-Squid-Error; `detail`: one
// sentence for the reader, HTML-escaped here. Always `Connection: close`.
http::response<http::string_body> error_page(http::status status, const std::string& error,
                                             const std::string& detail, const std::string& url,
                                             const std::string& visible_hostname,
                                             unsigned version = 11);

} // namespace superd::proxy
