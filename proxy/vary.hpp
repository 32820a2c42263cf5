#pragma once
// Vary (RFC 9111 4.1): the secondary cache key built from the request fields a response's Vary
// names, normalised so that requests which differ only in ways the fields' specifications call
// insignificant share one entry.
#include <boost/beast/http/message.hpp>

#include <optional>
#include <string>

namespace superd::proxy {

namespace http = boost::beast::http;

// One line per name that Vary lists (lowercased, sorted, de-duplicated), "name: value\n" when
// the request has the field and "name\n" when it does not — an absent field only matches an
// absent field (4.1). The value normalisation:
//  - all lines of the field combined (RFC 9110 5.3), OWS around each list element dropped;
//  - Accept, Accept-Charset, Accept-Encoding, Accept-Language: read as lists; OWS around ";"
//    and "=" inside an element dropped; Accept-Encoding, Accept-Charset and Accept-Language
//    lowercased (their tokens are case-insensitive);
//  - Accept-Encoding's elements sorted: their order carries no meaning (RFC 9110 12.5.3). The
//    others keep their order, which can express a preference among equal weights;
//  - any other field: its lines joined with ", ", trimmed, otherwise byte for byte.
// "" when the response has no Vary; nullopt for "Vary: *", which never matches.
std::optional<std::string> vary_key(const http::request_header<>& request,
                                    const http::response_header<>& response);

// Whether a new request selects the stored response: its key under the stored response's Vary
// equals the key stored with the response.
bool vary_matches(std::string_view stored_key, const http::request_header<>& request,
                  const http::response_header<>& stored_response);

} // namespace superd::proxy
