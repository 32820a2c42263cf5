#pragma once
// xinetd's `redirect = host port`: relay a TCP client to another host. xinetd forks a child
// per connection for this; superd relays inside its single-threaded event loop instead, so
// each direction is a read-then-write loop on a fixed buffer (back-pressure, bounded memory).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace superd::daemon {

// Per direction: the most that can be in flight client -> target, and target -> client.
inline constexpr std::size_t redirect_buffer_size = 16 * 1024;

struct RedirectResult {
    std::uint64_t in = 0;   // bytes client -> target (written to the target)
    std::uint64_t out = 0;  // bytes target -> client (written to the client)
    bool connected = false; // the connection to the target was made
    // Empty, or why it ended early: "connect 127.0.0.1:7: Connection refused",
    // "connect timeout", "read from client: Connection reset by peer", "stopped" (close()).
    std::string error;
};

// Create with std::make_shared (start() and close() use shared_from_this()).
class RedirectSession : public std::enable_shared_from_this<RedirectSession> {
  public:
    // Takes ownership of client_fd, a connected TCP socket (closed here even on error). It
    // must not be registered with `io` by anything else. A connect_timeout <= 0 means no
    // deadline beyond the kernel's own, as xinetd (which connects without one).
    RedirectSession(boost::asio::io_context& io, int client_fd,
                    boost::asio::ip::tcp::endpoint target, bool keepalive,
                    std::chrono::milliseconds connect_timeout,
                    std::function<void(const RedirectResult&)> done);
    RedirectSession(const RedirectSession&) = delete;
    RedirectSession& operator=(const RedirectSession&) = delete;

    // Connects to the target, then relays both ways until both have sent EOF, or an error.
    void start();
    // Stops now (shutdown, service removed): both sockets are closed at once. Safe to call
    // at any time and more than once.
    void close();

    // `done` runs exactly once after start() or close(), always posted to the io_context
    // (never from inside the constructor, start() or close(), so callers may close() while
    // walking their session list). The sockets are closed by then.

  private:
    struct Direction {
        boost::asio::ip::tcp::socket& from;
        boost::asio::ip::tcp::socket& to;
        const char* from_name;
        const char* to_name;
        std::uint64_t& written;
        bool ended = false; // EOF passed on as shutdown(SHUT_WR)
        std::array<char, redirect_buffer_size> buf{};
    };

    void on_connected();
    void relay(Direction& d);
    void finish(std::string error);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::socket client_;
    boost::asio::ip::tcp::socket target_;
    boost::asio::ip::tcp::endpoint target_ep_;
    boost::asio::steady_timer timer_;
    bool keepalive_;
    std::chrono::milliseconds connect_timeout_;
    std::function<void(const RedirectResult&)> done_;
    std::string setup_error_; // the client fd was unusable; reported by start()
    RedirectResult result_;
    Direction up_{client_, target_, "client", "target", result_.in};
    Direction down_{target_, client_, "target", "client", result_.out};
    bool started_ = false;
    bool finished_ = false;
};

} // namespace superd::daemon
