#include "proxy/relay.hpp"

#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>

#include <sys/sendfile.h>

namespace superd::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using boost::system::error_code;
using std::chrono::seconds;
using tcp = asio::ip::tcp;

// Copies one direction of a tunnel until EOF or an error, then passes the EOF on.
awaitable<std::uint64_t> pump(beast::tcp_stream& from, beast::tcp_stream& to, seconds timeout) {
    std::vector<char> piece(relay_chunk);
    std::uint64_t total = 0;
    error_code ec;
    for (;;) {
        from.expires_after(timeout);
        std::size_t n = co_await from.async_read_some(asio::buffer(piece), with_ec(ec));
        if (ec) break;
        to.expires_after(timeout);
        co_await asio::async_write(to, asio::buffer(piece.data(), n), with_ec(ec));
        if (ec) break;
        total += n;
    }
    to.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return total;
}

awaitable<error_code> send_file(tcp::socket& socket, int fd, off_t offset, std::uint64_t length,
                                seconds timeout, std::uint64_t& written) {
    using namespace asio::experimental::awaitable_operators;
    error_code ec;
    socket.non_blocking(true, ec);
    if (ec) co_return ec;
    asio::steady_timer timer(socket.get_executor());
    const auto token = asio::experimental::as_tuple(asio::use_awaitable);
    while (length > 0) {
        std::size_t chunk = static_cast<std::size_t>(std::min<std::uint64_t>(length, 1 << 30));
        ssize_t n = ::sendfile(socket.native_handle(), fd, &offset, chunk);
        if (n > 0) {
            length -= static_cast<std::uint64_t>(n);
            written += static_cast<std::uint64_t>(n);
            continue;
        }
        if (n == 0) co_return make_error_code(asio::error::eof); // the file shrank
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            co_return error_code(errno, boost::system::system_category());
        timer.expires_after(timeout);
        auto which =
            co_await (socket.async_wait(tcp::socket::wait_write, token) || timer.async_wait(token));
        if (which.index() == 1) co_return make_error_code(beast::error::timeout);
        if (auto [e] = std::get<0>(which); e) co_return e;
    }
    co_return error_code{};
}

} // namespace superd::proxy
