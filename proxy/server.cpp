#include "proxy/server.hpp"

#include <boost/asio/post.hpp>

#include "common/log.hpp"

#include <boost/asio/ip/v6_only.hpp>

#include <sys/socket.h>

namespace superd::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::expected<tcp, std::string> protocol_of(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
        return std::unexpected("fd " + std::to_string(fd) + " is not a socket");
    if (ss.ss_family == AF_INET) return tcp::v4();
    if (ss.ss_family == AF_INET6) return tcp::v6();
    return std::unexpected("fd " + std::to_string(fd) + " is not an IP socket");
}

} // namespace

Server::Server(asio::io_context& io, const Config& config, ServerOptions options)
    : io_(io)
    , context_{config,
               options.visible_hostname,
               AccessLogWriter(config),
               common::logger("proxy"),
               {},
               {}}
    , loop_(
          io, common::logger("proxy"), options.idle_timeout, [this] { log_counters(); },
          [this] { return context_.active_clients > 0; }) {
    context_.touch = [this] { loop_.touch(); };
    context_.access_log.defer = [this](std::function<void()> task) {
        asio::post(io_, std::move(task));
    };
}

std::expected<void, std::string> Server::listen(const tcp::endpoint& where) {
    boost::system::error_code ec;
    return listen(where, false, ec);
}

std::expected<void, std::string> Server::listen_all(std::uint16_t port) {
    boost::system::error_code ec;
    auto dual = listen({tcp::v6(), port}, true, ec);
    if (dual) return dual;
    // No IPv6 here (a kernel without it, or booted with ipv6.disable=1): IPv4 only. Any other
    // failure (the port in use, say) is the answer.
    namespace errc = boost::system::errc;
    if (ec != errc::address_family_not_supported && ec != errc::address_not_available &&
        ec != errc::protocol_not_supported)
        return dual;
    context_.log->warn("no IPv6 on this machine ({}): port {} listens on 0.0.0.0 only",
                       ec.message(), port);
    return listen({tcp::v4(), port}, false, ec);
}

std::expected<void, std::string> Server::listen(const tcp::endpoint& where, bool dual_stack,
                                                boost::system::error_code& ec) {
    tcp::acceptor& a = acceptors_.emplace_back(io_);
    a.open(where.protocol(), ec);
    if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec && dual_stack) a.set_option(asio::ip::v6_only(false), ec);
    if (!ec) a.bind(where, ec);
    if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        acceptors_.pop_back();
        return std::unexpected("listen on " + where.address().to_string() + ":" +
                               std::to_string(where.port()) + ": " + ec.message());
    }
    return {};
}

std::expected<void, std::string> Server::adopt_listener(int fd) {
    auto protocol = protocol_of(fd);
    if (!protocol) return std::unexpected(protocol.error());
    boost::system::error_code ec;
    acceptors_.emplace_back(io_).assign(*protocol, fd, ec);
    if (ec) return std::unexpected("adopting the listening socket: " + ec.message());
    return {};
}

std::expected<void, std::string> Server::adopt_connection(int fd) {
    auto protocol = protocol_of(fd);
    if (!protocol) return std::unexpected(protocol.error());
    boost::system::error_code ec;
    tcp::socket socket(io_);
    socket.assign(*protocol, fd, ec);
    if (ec) return std::unexpected("adopting the connection: " + ec.message());
    one_shot_ = true;
    serve(std::move(socket));
    return {};
}

int Server::run() {
    loop_.start();
    for (auto& a : acceptors_)
        accept(a);
    io_.run();
    log_counters();
    return 0;
}

void Server::log_counters() const {
    context_.log->info("counters: active={}{}", context_.active_clients,
                       common::format_counters(context_.counters));
}

void Server::accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([this, &acceptor](boost::system::error_code ec, tcp::socket socket) {
        if (!ec) {
            ++context_.counters["connections"];
            serve(std::move(socket));
        } else if (ec == asio::error::operation_aborted) {
            return;
        } else {
            // Out of descriptors, say: note it and keep accepting; clients already in are fine.
            ++context_.counters["accept_errors"];
            context_.log->warn("accept: {}", ec.message());
        }
        accept(acceptor);
    });
}

void Server::serve(tcp::socket socket) {
    // A response's header and body may leave in two writes: Nagle would hold the second back
    // until the client's delayed ACK (40 ms) on a persistent connection.
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    auto peer = socket.remote_endpoint(ignored).address();
    const int limit = context_.config.client_ip_max_connections.value;
    if (limit > 0 && per_client_[peer] >= limit) {
        // squid's client_ip_max_connections: the connection is closed unanswered.
        ++context_.counters["refused_client_ip_max_connections"];
        context_.log->warn("client {}: more than client_ip_max_connections {}; closed",
                           peer.to_string(), limit);
        socket.close(ignored);
        return;
    }
    ++per_client_[peer];
    ++context_.active_clients;
    loop_.touch();
    start_session(context_, std::move(socket), [this, peer] {
        if (--per_client_[peer] <= 0) per_client_.erase(peer);
        --context_.active_clients;
        loop_.touch();
        if (one_shot_) io_.stop();
    });
}

} // namespace superd::proxy
