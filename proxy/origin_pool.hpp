#pragma once
// Idle persistent connections to origins (and parents), kept for reuse as squid keeps its
// server-side pconns: a miss to an origin seen a moment ago skips the TCP handshake. Keyed by
// where the connection goes ("host:port", or the parent's name). A connection is handed out
// only after a non-blocking peek shows it neither closed nor carrying stray bytes; even so the
// origin may close it just as we send, so the session retries a body-less request once on a
// fresh connection. Entries expire after server_idle_pconn_timeout.
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <optional>
#include <string>

namespace superd::proxy {

class OriginPool {
  public:
    OriginPool() = default;
    explicit OriginPool(std::size_t max_idle)
        : max_idle_(max_idle) {}

    std::optional<boost::beast::tcp_stream> take(const std::string& key);
    void give(const std::string& key, boost::beast::tcp_stream stream,
              std::chrono::steady_clock::duration idle_timeout);
    std::size_t idle() const { return idle_.size(); }

  private:
    struct Idle {
        std::string key;
        boost::beast::tcp_stream stream;
        std::chrono::steady_clock::time_point until;
    };
    void expire(std::chrono::steady_clock::time_point now);

    std::size_t max_idle_ = 256;
    std::list<Idle> idle_; // newest at the front
};

} // namespace superd::proxy
