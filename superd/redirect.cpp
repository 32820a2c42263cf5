#include "superd/redirect.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::daemon {
namespace {

using boost::asio::ip::tcp;

std::string endpoint_text(const tcp::endpoint& ep) {
    auto port = std::to_string(ep.port());
    if (ep.address().is_v6()) return "[" + ep.address().to_string() + "]:" + port;
    return ep.address().to_string() + ":" + port;
}

} // namespace

RedirectSession::RedirectSession(boost::asio::io_context& io, int client_fd, tcp::endpoint target,
                                 bool keepalive, std::chrono::milliseconds connect_timeout,
                                 std::function<void(const RedirectResult&)> done)
    : io_(io)
    , client_(io)
    , target_(io)
    , target_ep_(target)
    , timer_(io)
    , keepalive_(keepalive)
    , connect_timeout_(connect_timeout)
    , done_(std::move(done)) {
    if (client_fd < 0) {
        setup_error_ = "client: bad descriptor";
        return;
    }
    // asio needs the protocol (v4/v6) to adopt a descriptor.
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(client_fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        setup_error_ = std::string("client: ") + std::strerror(errno);
        ::close(client_fd);
        return;
    }
    boost::system::error_code ec;
    client_.assign(ss.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), client_fd, ec);
    if (ec) {
        setup_error_ = "client: " + ec.message();
        ::close(client_fd);
        return;
    }
    client_.non_blocking(true, ec);
    if (ec) setup_error_ = "client: " + ec.message();
}

void RedirectSession::start() {
    if (started_ || finished_) return;
    started_ = true;
    if (!setup_error_.empty()) return finish(setup_error_);

    boost::system::error_code ec;
    target_.open(target_ep_.protocol(), ec);
    if (!ec && keepalive_) target_.set_option(tcp::socket::keep_alive(true), ec);
    if (ec) return finish("socket: " + ec.message());

    if (connect_timeout_.count() > 0) {
        timer_.expires_after(connect_timeout_);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
            // The connect may have completed in the same loop turn: connected decides.
            if (!e && !self->result_.connected) self->finish("connect timeout");
        });
    }
    target_.async_connect(target_ep_, [self =
                                           shared_from_this()](const boost::system::error_code& e) {
        if (self->finished_) return;
        if (e)
            return self->finish("connect " + endpoint_text(self->target_ep_) + ": " + e.message());
        self->on_connected();
    });
}

void RedirectSession::on_connected() {
    timer_.cancel();
    result_.connected = true;
    // As xinetd: interactive protocols (telnet, ssh) must not wait for Nagle on either hop.
    // Failure only costs latency, so it is ignored.
    boost::system::error_code ignored;
    client_.set_option(tcp::no_delay(true), ignored);
    target_.set_option(tcp::no_delay(true), ignored);
    relay(up_);
    relay(down_);
}

void RedirectSession::relay(Direction& d) {
    d.from.async_read_some(boost::asio::buffer(d.buf), [self = shared_from_this(),
                                                        &d](const boost::system::error_code& e,
                                                            std::size_t n) {
        if (self->finished_) return;
        if (e == boost::asio::error::eof) {
            // Half-close: pass the EOF on and keep the other direction going, for
            // protocols where the client sends its request, then EOF, then reads.
            d.ended = true;
            boost::system::error_code ignored;
            d.to.shutdown(tcp::socket::shutdown_send, ignored);
            if (self->up_.ended && self->down_.ended) self->finish({});
            return;
        }
        if (e) return self->finish(std::string("read from ") + d.from_name + ": " + e.message());
        // The next read waits for this write: a slow reader slows its sender.
        boost::asio::async_write(
            d.to, boost::asio::buffer(d.buf.data(), n),
            [self, &d](const boost::system::error_code& e2, std::size_t written) {
                d.written += written; // also the part written before an error or close()
                if (self->finished_) return;
                if (e2)
                    return self->finish(std::string("write to ") + d.to_name + ": " + e2.message());
                self->relay(d);
            });
    });
}

void RedirectSession::close() {
    finish("stopped");
}

void RedirectSession::finish(std::string error) {
    if (finished_) return;
    finished_ = true;
    started_ = true; // a later start() does nothing
    result_.error = std::move(error);
    boost::system::error_code ignored;
    timer_.cancel();
    client_.close(ignored);
    target_.close(ignored);
    // Posted, so `done` never runs inside start() or close() (callers may be walking their
    // session list). Handlers aborted by the closes were queued first and count their bytes.
    boost::asio::post(io_, [self = shared_from_this()] {
        auto done = std::move(self->done_);
        self->done_ = nullptr;
        if (done) done(self->result_);
    });
}

} // namespace superd::daemon
