#include "vnc/transport.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

namespace superd::vnc {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using tcp = asio::ip::tcp;

auto with_ec(error_code& ec) {
    return asio::redirect_error(asio::use_awaitable, ec);
}

class TcpTransport final : public Transport {
  public:
    explicit TcpTransport(tcp::socket socket)
        : socket_(std::move(socket)) {}
    awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec) override {
        co_return co_await socket_.async_read_some(buffer, with_ec(ec));
    }
    awaitable<void> write(asio::const_buffer buffer, error_code& ec) override {
        co_await asio::async_write(socket_, buffer, with_ec(ec));
    }
    void close() override {
        error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }
    tcp::socket& socket() override { return socket_; }

  private:
    tcp::socket socket_;
};

// TLS over the inner transport's socket: VeNCrypt only runs over plain TCP.
class TlsTransport final : public Transport {
  public:
    TlsTransport(std::unique_ptr<Transport> inner, asio::ssl::context& context)
        : inner_(std::move(inner))
        , stream_(inner_->socket(), context) {}
    awaitable<void> handshake(error_code& ec) {
        co_await stream_.async_handshake(asio::ssl::stream_base::server, with_ec(ec));
    }
    awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec) override {
        co_return co_await stream_.async_read_some(buffer, with_ec(ec));
    }
    awaitable<void> write(asio::const_buffer buffer, error_code& ec) override {
        co_await asio::async_write(stream_, buffer, with_ec(ec));
    }
    void close() override { inner_->close(); }
    tcp::socket& socket() override { return inner_->socket(); }

  private:
    std::unique_ptr<Transport> inner_;
    asio::ssl::stream<tcp::socket&> stream_;
};

class WebSocketTransport final : public Transport {
  public:
    explicit WebSocketTransport(tcp::socket socket)
        : socket_(std::move(socket))
        , ws_(socket_) {
        ws_.binary(true);
    }
    awaitable<void> accept(beast::flat_buffer& received, error_code& ec) {
        beast::http::request<beast::http::string_body> request;
        co_await beast::http::async_read(socket_, received, request, with_ec(ec));
        if (ec) co_return;
        std::string protocols(request[beast::http::field::sec_websocket_protocol]);
        bool binary = protocols.find("binary") != std::string::npos;
        ws_.set_option(beast::websocket::stream_base::decorator(
            [binary](beast::websocket::response_type& response) {
                if (binary) response.set(beast::http::field::sec_websocket_protocol, "binary");
            }));
        co_await ws_.async_accept(request, with_ec(ec));
    }
    awaitable<std::size_t> read_some(asio::mutable_buffer buffer, error_code& ec) override {
        // Frames are a transport detail: RFB reads the bytes in whatever pieces they come.
        co_return co_await ws_.async_read_some(buffer, with_ec(ec));
    }
    awaitable<void> write(asio::const_buffer buffer, error_code& ec) override {
        co_await ws_.async_write(buffer, with_ec(ec));
    }
    void close() override {
        error_code ignored;
        socket_.shutdown(tcp::socket::shutdown_both, ignored);
        socket_.close(ignored);
    }
    tcp::socket& socket() override { return socket_; }

  private:
    tcp::socket socket_;
    beast::websocket::stream<tcp::socket&> ws_;
};

} // namespace

std::unique_ptr<Transport> tcp_transport(tcp::socket socket) {
    return std::make_unique<TcpTransport>(std::move(socket));
}

awaitable<std::unique_ptr<Transport>> tls_transport(std::unique_ptr<Transport> plain,
                                                    asio::ssl::context& context, error_code& ec) {
    auto tls = std::make_unique<TlsTransport>(std::move(plain), context);
    co_await tls->handshake(ec);
    co_return tls;
}

awaitable<std::unique_ptr<Transport>>
websocket_transport(tcp::socket socket, beast::flat_buffer received, error_code& ec) {
    auto ws = std::make_unique<WebSocketTransport>(std::move(socket));
    co_await ws->accept(received, ec);
    co_return ws;
}

} // namespace superd::vnc
