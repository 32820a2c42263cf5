#pragma once
// The proxy auto-config file (PAC) that superd-proxy serves about itself when
// `proxy_auto_config on`: the URL a lab's DHCP server hands out as WPAD (option 252,
// `http://PROXY:PORT/wpad.dat`), so that browsers and PAC-aware tools find the proxy with no
// setting on the guest. Pure: the caller passes the request target and how the proxy was reached
// on that connection (the address the client connected to is one it can reach).
//
// Requests for it, GET or HEAD:
//   /wpad.dat, /proxy.pac                    origin-form, sent to the proxy as to a web server;
//   http://HOST:PORT/wpad.dat (or proxy.pac) when HOST:PORT is this proxy.
#include "proxy/manager.hpp"
#include "proxy/request_target.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace superd::proxy {

struct PacRequest {
    RequestTarget target; // this proxy, for http_access
    std::string url;      // as logged and matched by url_regex: origin-form made absolute
};

// nullopt: not a request for the PAC file.
std::optional<PacRequest> pac_request(std::string_view target, const ManagerSelf& self);

// The script: hosts without a dot, localhost and loopback addresses go direct, everything else
// through this proxy (and direct when it does not answer).
std::string pac_script(const ManagerSelf& self);

// 200 application/x-ns-proxy-autoconfig; 405 for methods other than GET and HEAD.
http::response<http::string_body> pac_response(http::verb method, const ManagerSelf& self);

} // namespace superd::proxy
