#pragma once
// squid's cache manager for superd-proxy: which requests are for it, and the text pages it
// answers (`squidclient mgr:info`, `mgr:counters`, `mgr:menu`). Pure: the caller passes the
// request target, the proxy's own name and address, and a snapshot of its counters and cache;
// no sockets, no clock. The pages keep squid 5's labels and layout, so that the scripts and
// monitoring plugins that read squid's pages (by label, `name = value`) read these too.
//
// Requests for the cache manager:
//   cache_object://HOST[:PORT]/PAGE[@PASSWORD]     squidclient (5.x) sends this, whatever HOST;
//   http://HOST:PORT/squid-internal-mgr/PAGE       when HOST:PORT is this proxy (its
//                                                  visible_hostname or the address the client
//                                                  connected to, and that port);
//   /squid-internal-mgr/PAGE                       origin-form, sent to the proxy as to a web
//                                                  server (`curl http://PROXY:PORT/squid-...`).
// The password and any query are ignored (there is no cachemgr_passwd).
#include "proxy/request_target.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace superd::proxy {

namespace http = boost::beast::http;

// What the pages show, taken by the session when the request comes.
struct ManagerSnapshot {
    std::chrono::system_clock::time_point started, now;
    std::string visible_hostname;
    // ServerContext::counters: requests, denied, tunnels, aborted, bytes_to_clients, status_NNN,
    // server_requests, cache_hits, mem_hits, cache_misses, revalidations, not_modified,
    // bytes_from_cache, ... A missing counter is 0.
    std::map<std::string, std::uint64_t> counters;
    std::uint64_t active_clients = 0; // client connections open now
    struct Cache {
        std::uint64_t objects, bytes, capacity_bytes;
    };
    std::optional<Cache> memory, disk; // nullopt: no such cache (shown as 0)
};

// How the proxy is reached on the connection the request came on.
struct ManagerSelf {
    std::string visible_hostname;
    std::string local_address; // the address the client connected to: "127.0.0.1", "::1"
    std::uint16_t local_port = 0;
};

struct ManagerRequest {
    std::string page;     // "info", "counters", ...; "menu" for an empty one
    RequestTarget target; // host and port, for http_access
    std::string scheme;   // "cache_object" or "http", for `proto` ACLs
    std::string url;      // as logged and matched by url_regex: origin-form made absolute
};

// An answer to HEAD: the body dropped, its Content-Length kept (also for the PAC file).
void keep_only_head(http::response<http::string_body>& res);

// nullopt: not for the cache manager (forwarded, or refused, as any other request).
std::optional<ManagerRequest> manager_request(std::string_view target, const ManagerSelf& self);

// The pages, in menu order: name and squid's description.
const std::vector<std::pair<std::string, std::string>>& manager_pages();

// The answer for `page`: 200 text/plain; 404 listing the pages for an unknown one; 405 for a
// method other than GET and HEAD (HEAD: the header only). Always HTTP/1.1, as squid answers
// (an HTTP/1.0 client reads it all the same); the caller sets keep-alive.
http::response<http::string_body> manager_response(const std::string& page, http::verb method,
                                                   const ManagerSnapshot& s);

// Both steps: nullopt when `target` is not a manager request.
std::optional<http::response<http::string_body>> manager_answer(std::string_view target,
                                                                http::verb method,
                                                                const ManagerSelf& self,
                                                                const ManagerSnapshot& s);

} // namespace superd::proxy
