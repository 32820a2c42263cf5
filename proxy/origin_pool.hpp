#pragma once
// Idle persistent connections to origins (and parents), kept for reuse as squid keeps its
// server-side pconns: a miss to an origin seen a moment ago skips the TCP handshake. Keyed by
// where the connection goes ("host:port", or the parent's name). A connection idle for longer
// than a second is handed out only after a non-blocking peek shows it neither closed nor
// carrying stray bytes (servers close idle connections after their keep-alive timeout); one
// returned within the second is handed out as it is. Either way the origin may close it just
// as we send, so the session uses the pool only for body-less idempotent requests and sends
// such a request once more on a fresh connection. Entries expire after
// server_idle_pconn_timeout.
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

    struct Connection {
        boost::beast::tcp_stream stream;
        std::string address; // the peer's, for the access log (no getpeername per reuse)
    };
    std::optional<Connection> take(const std::string& key);
    void give(const std::string& key, boost::beast::tcp_stream stream, std::string address,
              std::chrono::steady_clock::duration idle_timeout);
    std::size_t idle() const { return idle_.size(); }

  private:
    struct Idle {
        std::string key;
        boost::beast::tcp_stream stream;
        std::string address;
        std::chrono::steady_clock::time_point since; // given back
        std::chrono::steady_clock::time_point until;
    };
    void expire(std::chrono::steady_clock::time_point now);

    std::size_t max_idle_ = 256;
    std::list<Idle> idle_; // newest at the front
};

} // namespace superd::proxy
