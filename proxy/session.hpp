#pragma once
// One client connection: reads requests with Beast's parser (bounded header and body), checks
// http_access, answers from the cache what it may (RFC 9111: fresh hits, the client's own
// conditionals, ranges), revalidates or forwards the rest to the origin or a parent over pooled
// connections, relays answers without buffering whole bodies while teeing cacheable ones into
// the cache, tunnels CONNECT, answers errors with a page, and writes one access.log line per
// transaction. Every socket operation has a deadline; an error closes this connection only.
#include "proxy/access_log.hpp"
#include "proxy/cache.hpp"
#include "proxy/config.hpp"
#include "proxy/manager.hpp"
#include "proxy/origin_pool.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <spdlog/logger.h>

namespace superd::proxy {

// What every session of a server shares; the server owns it and outlives the sessions.
struct ServerContext {
    const Config& config;
    std::string visible_hostname;
    AccessLogWriter access_log;
    std::shared_ptr<spdlog::logger> log;
    std::map<std::string, std::uint64_t> counters; // one thread: no locking
    std::function<void()> touch;                   // a request came: not idle
    Cache* cache = nullptr;                        // none: forward only
    OriginPool pool;
    // What the cache manager (proxy/manager.hpp) shows besides the counters.
    std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
    std::uint64_t active_clients = 0; // client connections open now, kept by the server
    // The caches' sizes; left empty (no cache: shown as 0) until the server sets them.
    std::function<std::optional<ManagerSnapshot::Cache>()> memory_cache, disk_cache;
};

// Runs on the socket's executor; `done` is called once when the connection is closed.
void start_session(ServerContext& context, boost::asio::ip::tcp::socket socket,
                   std::function<void()> done);

} // namespace superd::proxy
