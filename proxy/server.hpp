#pragma once
// The proxy's I/O shell: one single-threaded Asio loop that accepts clients on its listening
// sockets (bound here, or the one superd hands over on fd 0 with wait = yes), or serves the one
// connection superd hands over (wait = no) and then ends. Signals, SIGUSR1 counters and the
// idle exit come from common::ModuleLoop.
#include "proxy/config.hpp"
#include "proxy/session.hpp"

#include "common/module_loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <expected>
#include <list>
#include <memory>
#include <string>

namespace superd::proxy {

struct ServerOptions {
    std::chrono::seconds idle_timeout{0}; // zero: never exit when idle
    std::string visible_hostname;
};

class Server {
  public:
    Server(boost::asio::io_context& io, const Config& config, ServerOptions options);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::expected<void, std::string> listen(const boost::asio::ip::tcp::endpoint& where);
    // Every address, as squid's `http_port PORT`: one dual-stack [::] socket (IPV6_V6ONLY off,
    // whatever net.ipv6.bindv6only says), or 0.0.0.0 when the machine has no IPv6.
    std::expected<void, std::string> listen_all(std::uint16_t port);
    // A listening socket handed over (superd wait = yes).
    std::expected<void, std::string> adopt_listener(int fd);
    // One client's connection handed over (superd wait = no): run() ends when it closes.
    std::expected<void, std::string> adopt_connection(int fd);

    // The cache the sessions use (made after any fork: it runs a disk thread).
    void use_cache(std::unique_ptr<Cache> cache) {
        cache_ = std::move(cache);
        context_.cache = cache_.get();
        context_.memory_cache = [this] {
            auto s = cache_->memory_stats();
            return std::optional<ManagerSnapshot::Cache>({s.objects, s.bytes, s.capacity});
        };
        context_.disk_cache = [this]() -> std::optional<ManagerSnapshot::Cache> {
            auto s = cache_->disk_stats();
            if (!s) return std::nullopt;
            return ManagerSnapshot::Cache{s->objects, s->bytes, s->capacity};
        };
    }

    // Until a signal, idle, or (adopt_connection) the client leaving. The exit code.
    int run();
    const std::map<std::string, std::uint64_t>& counters() const { return context_.counters; }
    void log_counters() const;

  private:
    std::expected<void, std::string> listen(const boost::asio::ip::tcp::endpoint& where,
                                            bool dual_stack, boost::system::error_code& ec);
    void accept(boost::asio::ip::tcp::acceptor& acceptor);
    void serve(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    ServerContext context_;
    std::unique_ptr<Cache> cache_;
    common::ModuleLoop loop_;
    std::list<boost::asio::ip::tcp::acceptor> acceptors_;
    bool one_shot_ = false;
    std::map<boost::asio::ip::address, int> per_client_; // open connections by client address
};

} // namespace superd::proxy
