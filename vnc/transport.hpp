#pragma once
// The byte stream a viewer speaks RFB over: the TCP connection itself, TLS on it (VeNCrypt
// switches to TLS in the middle of the handshake), or WebSocket binary messages on it (noVNC in
// a browser, without websockify). The viewer code sees only read_some and write.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include <memory>

namespace superd::vnc {

using boost::system::error_code;

class Transport {
  public:
    virtual ~Transport() = default;
    virtual boost::asio::awaitable<std::size_t> read_some(boost::asio::mutable_buffer buffer,
                                                          error_code& ec) = 0;
    virtual boost::asio::awaitable<void> write(boost::asio::const_buffer buffer,
                                               error_code& ec) = 0;
    virtual void close() = 0;
    virtual boost::asio::ip::tcp::socket& socket() = 0;
};

std::unique_ptr<Transport> tcp_transport(boost::asio::ip::tcp::socket socket);
// TLS (server side) on what `plain` carries; the handshake is done before it returns.
boost::asio::awaitable<std::unique_ptr<Transport>>
tls_transport(std::unique_ptr<Transport> plain, boost::asio::ssl::context& context, error_code& ec);
// Accepts the WebSocket upgrade whose HTTP request starts in `received` (already read from
// the socket); the request's "binary" subprotocol is echoed, as noVNC asks for it.
boost::asio::awaitable<std::unique_ptr<Transport>>
websocket_transport(boost::asio::ip::tcp::socket socket, boost::beast::flat_buffer received,
                    error_code& ec);

} // namespace superd::vnc
