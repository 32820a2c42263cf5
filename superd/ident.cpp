#include "superd/ident.hpp"

#include "common/log.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <charconv>
#include <cstring>
#include <memory>

#include <sys/socket.h>

namespace superd::daemon {
namespace {

using boost::asio::ip::tcp;

std::string_view trim(std::string_view s) {
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

bool port_is(std::string_view field, unsigned want) {
    field = trim(field);
    unsigned got = 0;
    auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), got);
    return ec == std::errc() && end == field.data() + field.size() && !field.empty() && got == want;
}

std::optional<tcp::endpoint> endpoint_of(int fd, bool peer) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                  : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    if (rc != 0 || (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)) return std::nullopt;
    tcp::endpoint ep;
    std::memcpy(ep.data(), &ss, len);
    ep.resize(len);
    return ep;
}

class IdentQuery : public std::enable_shared_from_this<IdentQuery> {
  public:
    IdentQuery(boost::asio::io_context& io, std::function<void(IdentResult)> done)
        : io_(io)
        , socket_(io)
        , timer_(io)
        , reply_(ident_max_reply)
        , done_(std::move(done)) {}

    void start(int conn_fd, std::chrono::milliseconds timeout) {
        auto local = endpoint_of(conn_fd, false);
        auto remote = endpoint_of(conn_fd, true);
        if (!local || !remote)
            return fail_soon(IdentStatus::error, "getsockname/getpeername failed");
        local_port_ = local->port();
        remote_port_ = remote->port();
        remote_ = *remote;
        boost::system::error_code ec;
        local->port(0);
        socket_.open(local->protocol(), ec);
        if (!ec) socket_.bind(*local, ec);
        if (ec) return fail_soon(IdentStatus::error, "socket: " + ec.message());

        timer_.expires_after(timeout);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& e) {
            if (!e) self->finish({IdentStatus::timeout, {}});
        });
        tcp::endpoint contact = remote_;
        contact.port(ident_port);
        socket_.async_connect(contact,
                              [self = shared_from_this()](const boost::system::error_code& e) {
                                  if (e) return self->finish({IdentStatus::no_server, {}});
                                  self->send_query();
                              });
    }

  private:
    void fail_soon(IdentStatus status, std::string why) {
        common::logger("superd")->error("ident: {}", why);
        boost::asio::post(io_, [self = shared_from_this(), status] { self->finish({status, {}}); });
    }

    void send_query() {
        query_ = std::to_string(remote_port_) + "," + std::to_string(local_port_) + "\r\n";
        boost::asio::async_write(
            socket_, boost::asio::buffer(query_),
            [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
                if (e) return self->finish({IdentStatus::error, {}});
                self->read_reply();
            });
    }

    void read_reply() {
        boost::asio::async_read_until(
            socket_, reply_, "\r\n",
            [self = shared_from_this()](const boost::system::error_code& e, std::size_t n) {
                if (e) {
                    // EOF before CR LF, or more than ident_max_reply bytes without one.
                    if (e != boost::asio::error::operation_aborted)
                        common::logger("superd")->error("ident: no reply line from {}: {}",
                                                        self->remote_.address().to_string(),
                                                        e.message());
                    return self->finish({IdentStatus::response_error, {}});
                }
                std::string line(boost::asio::buffers_begin(self->reply_.data()),
                                 boost::asio::buffers_begin(self->reply_.data()) +
                                     static_cast<long>(n) - 2);
                if (auto user = parse_ident_reply(line, self->remote_port_, self->local_port_))
                    return self->finish({IdentStatus::ok, std::move(*user)});
                common::logger("superd")->error("Bad line received from identity server at {}: {}",
                                                self->remote_.address().to_string(), line);
                self->finish({IdentStatus::bad_response, {}});
            });
    }

    void finish(IdentResult result) {
        if (!done_) return;
        auto done = std::move(done_);
        done_ = nullptr;
        timer_.cancel();
        boost::system::error_code ec;
        socket_.close(ec);
        done(std::move(result));
    }

    boost::asio::io_context& io_;
    tcp::socket socket_;
    boost::asio::steady_timer timer_;
    boost::asio::streambuf reply_;
    std::string query_;
    tcp::endpoint remote_;
    unsigned local_port_ = 0;
    unsigned remote_port_ = 0;
    std::function<void(IdentResult)> done_;
};

} // namespace

std::string_view ident_explain(IdentStatus status) {
    switch (status) {
    case IdentStatus::ok:
        return "no error";
    case IdentStatus::no_server:
        return "no server";
    case IdentStatus::timeout:
        return "timeout";
    case IdentStatus::error:
        return "system error";
    case IdentStatus::response_error:
        return "error while receiving response";
    case IdentStatus::bad_response:
        return "bad response";
    }
    return "UNKNOWN";
}

std::optional<std::string> parse_ident_reply(std::string_view line, unsigned remote_port,
                                             unsigned local_port) {
    auto comma = line.find(',');
    if (comma == std::string_view::npos || !port_is(line.substr(0, comma), remote_port))
        return std::nullopt;
    line.remove_prefix(comma + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || !port_is(line.substr(0, colon), local_port))
        return std::nullopt;
    line = trim(line.substr(colon + 1));
    constexpr std::string_view userid = "USERID";
    if (!line.starts_with(userid)) return std::nullopt;
    line = trim(line.substr(userid.size()));
    if (!line.starts_with(':')) return std::nullopt;
    line = trim(line.substr(1));
    if (line.empty()) return std::nullopt;
    // The text goes into log lines that fail2ban and logcheck read: no control characters.
    std::string text(line);
    for (char& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    return text;
}

void query_ident(boost::asio::io_context& io, int conn_fd, std::chrono::milliseconds timeout,
                 std::function<void(IdentResult)> done) {
    std::make_shared<IdentQuery>(io, std::move(done))->start(conn_fd, timeout);
}

} // namespace superd::daemon
