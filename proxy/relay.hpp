#pragma once
// Moving bytes between the client and the origin without holding a whole message: a body
// relayed piece by piece (with a tap for the cache's copy), a tunnel's two directions, and a
// stored object's body sent with sendfile(2). Every operation has the caller's deadline.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace superd::proxy {

namespace http = boost::beast::http;

// Bodies move through in pieces of this size; nothing holds a whole body.
inline constexpr std::size_t relay_chunk = 64 * 1024;

inline auto with_ec(boost::system::error_code& ec) {
    return boost::asio::redirect_error(boost::asio::use_awaitable, ec);
}

enum class RelayFailure { none, read, write };

struct RelayResult {
    RelayFailure failure = RelayFailure::none;
    boost::system::error_code ec;
};

// Beast's relay pattern (example/doc/http_examples.hpp) made asynchronous: the message whose
// header `p` read goes out through `sr`, body piece by piece through `piece`; `tap` sees each
// piece first (the cache's copy) and stops the relay by returning false.
template <bool isRequest>
boost::asio::awaitable<RelayResult>
relay_body(http::parser<isRequest, http::buffer_body>& p, boost::beast::tcp_stream& in,
           boost::beast::flat_buffer& in_buffer, http::serializer<isRequest, http::buffer_body>& sr,
           boost::beast::tcp_stream& out, std::vector<char>& piece, std::chrono::seconds timeout,
           std::uint64_t& written, const std::function<bool(std::string_view)>& tap) {
    boost::system::error_code ec;
    auto& body = p.get().body();
    do {
        if (!p.is_done()) {
            body.data = piece.data();
            body.size = piece.size();
            in.expires_after(timeout);
            // read_some: a piece goes on as soon as it is here, not once 64 KiB are.
            co_await http::async_read_some(in, in_buffer, p, with_ec(ec));
            if (ec == http::error::need_buffer) ec = {};
            if (ec) co_return RelayResult{RelayFailure::read, ec};
            body.size = piece.size() - body.size;
            body.data = piece.data();
            body.more = !p.is_done();
            // Nothing yet (a chunk header, say): an empty piece would end a chunked body.
            if (body.size == 0 && body.more) continue;
            if (tap && !tap({piece.data(), body.size}))
                co_return RelayResult{RelayFailure::read, make_error_code(http::error::body_limit)};
        } else {
            body.data = nullptr;
            body.size = 0;
            body.more = false;
        }
        out.expires_after(timeout);
        written += co_await http::async_write(out, sr, with_ec(ec));
        if (ec == http::error::need_buffer) ec = {};
        if (ec) co_return RelayResult{RelayFailure::write, ec};
    } while (!p.is_done() || !sr.is_done());
    co_return RelayResult{};
}

// Copies one direction of a tunnel until EOF or an error, then passes the EOF on.
boost::asio::awaitable<std::uint64_t>
pump(boost::beast::tcp_stream& from, boost::beast::tcp_stream& to, std::chrono::seconds timeout);

// `length` bytes of `fd` from `offset` to `socket` with sendfile(2), waiting for room as the
// socket fills, at most `timeout` each time.
boost::asio::awaitable<boost::system::error_code>
send_file(boost::asio::ip::tcp::socket& socket, int fd, off_t offset, std::uint64_t length,
          std::chrono::seconds timeout, std::uint64_t& written);

} // namespace superd::proxy
