#include "superd/builtin_session.hpp"

#include "superd/server.hpp"

#include <boost/asio/write.hpp>

#include <sys/socket.h>
#include <unistd.h>

namespace superd::daemon {
namespace {
constexpr auto tcpmux_name_deadline = std::chrono::seconds(30);
constexpr std::size_t tcpmux_max_line = 512;
constexpr int chargen_lines_per_write = 64;
} // namespace

BuiltinSession::BuiltinSession(Service& service, Builtin builtin, int fd, RequestPeer peer)
    : service_(service)
    , builtin_(builtin)
    , socket_(service.server().io(), fd)
    , deadline_(service.server().io())
    , peer_(std::move(peer))
    , started_(std::chrono::steady_clock::now()) {}

void BuiltinSession::start() {
    service_.log_start(0, peer_);
    switch (builtin_) {
    case Builtin::sensor:
        if (peer_.address)
            service_.server().sensor_deny(*peer_.address, service_.config().deny_time);
        read_loop();
        break;
    case Builtin::echo:
    case Builtin::discard:
        read_loop();
        break;
    case Builtin::chargen:
        ::shutdown(socket_.native_handle(), SHUT_RD); // chargen never reads
        write_chargen();
        break;
    case Builtin::daytime:
        write_once(daytime_text(std::time(nullptr)));
        break;
    case Builtin::time: {
        auto t = time_bytes(std::time(nullptr));
        write_once(std::string(t.begin(), t.end()));
        break;
    }
    case Builtin::tcpmux:
        deadline_.expires_after(tcpmux_name_deadline);
        deadline_.async_wait([w = weak_from_this()](const boost::system::error_code& ec) {
            if (auto s = w.lock(); s && !ec) s->finish();
        });
        tcpmux_read();
        break;
    case Builtin::none:
        finish();
        break;
    }
}

void BuiltinSession::read_loop() {
    socket_.async_read_some(
        boost::asio::buffer(buf_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (ec) return self->finish();
            if (self->builtin_ != Builtin::echo) return self->read_loop();
            boost::asio::async_write(self->socket_, boost::asio::buffer(self->buf_.data(), n),
                                     [self](const boost::system::error_code& ec2, std::size_t) {
                                         if (ec2) return self->finish();
                                         self->read_loop();
                                     });
        });
}

void BuiltinSession::write_chargen() {
    out_.clear();
    for (int i = 0; i < chargen_lines_per_write; ++i)
        chargen_.next_line(out_);
    boost::asio::async_write(
        socket_, boost::asio::buffer(out_),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (ec) return self->finish();
            self->write_chargen();
        });
}

void BuiltinSession::write_once(std::string data) {
    out_ = std::move(data);
    boost::asio::async_write(socket_, boost::asio::buffer(out_),
                             [self = shared_from_this()](const boost::system::error_code&,
                                                         std::size_t) { self->finish(); });
}

void BuiltinSession::tcpmux_read() {
    socket_.async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec) return self->finish();
            // Peek, and consume exactly the name line: the rest belongs to the service
            // (xinetd's single read() can swallow the client's first data).
            std::array<char, tcpmux_max_line> line;
            ssize_t n = ::recv(self->socket_.native_handle(), line.data(), line.size(), MSG_PEEK);
            if (n <= 0) return self->finish();
            std::string_view text(line.data(), static_cast<std::size_t>(n));
            auto eol = text.find("\r\n");
            if (eol == std::string_view::npos) {
                if (static_cast<std::size_t>(n) == line.size()) return self->finish();
                return self->tcpmux_read();
            }
            ::recv(self->socket_.native_handle(), line.data(), eol + 2, 0);
            std::string name(text.substr(0, eol));
            auto target = self->service_.server().find_tcpmux_service(name);
            if (!target) {
                std::string_view nf = tcpmux_not_found;
                ::send(self->socket_.native_handle(), nf.data(), nf.size(), MSG_NOSIGNAL);
                return self->finish();
            }
            target->launch_on_connection(self->socket_.native_handle(), self->peer_);
            self->finish();
        });
}

void BuiltinSession::finish() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ec;
    deadline_.cancel();
    socket_.close(ec);
    service_.log_exit(0, 0, started_);
    service_.forget_session(this);
}

void BuiltinSession::close() {
    if (finished_) return;
    finished_ = true;
    boost::system::error_code ec;
    deadline_.cancel();
    socket_.close(ec);
}

} // namespace superd::daemon
