#include "superd/control.hpp"

#include "common/log.hpp"

#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace superd::daemon {
namespace {

using boost::asio::local::stream_protocol;

constexpr std::size_t max_request = 256;
constexpr auto request_deadline = std::chrono::seconds(5);

// One client: read a line (with a deadline), write the answer, close.
class ControlSession : public std::enable_shared_from_this<ControlSession> {
  public:
    ControlSession(stream_protocol::socket socket,
                   const std::function<std::string(const std::string&)>& answer)
        : socket_(std::move(socket))
        , timer_(socket_.get_executor())
        , request_(max_request)
        , answer_(answer) {}

    void start() {
        timer_.expires_after(request_deadline);
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (!ec) {
                boost::system::error_code ignored;
                self->socket_.close(ignored);
            }
        });
        boost::asio::async_read_until(
            socket_, request_, '\n',
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec) {
                    self->timer_.cancel();
                    return;
                }
                std::string line(boost::asio::buffers_begin(self->request_.data()),
                                 boost::asio::buffers_begin(self->request_.data()) +
                                     static_cast<long>(n) - 1);
                if (!line.empty() && line.back() == '\r') line.pop_back();
                self->reply_ = self->answer_(line);
                boost::asio::async_write(self->socket_, boost::asio::buffer(self->reply_),
                                         [self](const boost::system::error_code&, std::size_t) {
                                             self->timer_.cancel();
                                             boost::system::error_code ignored;
                                             self->socket_.close(ignored);
                                         });
            });
    }

  private:
    stream_protocol::socket socket_;
    boost::asio::steady_timer timer_;
    boost::asio::streambuf request_;
    const std::function<std::string(const std::string&)>& answer_;
    std::string reply_;
};

} // namespace

std::string default_control_path() {
    if (::geteuid() == 0) return "/run/superd.sock";
    return "/tmp/superd-" + std::to_string(::geteuid()) + ".sock";
}

ControlServer::ControlServer(boost::asio::io_context& io, std::string path,
                             std::function<std::string(const std::string&)> answer)
    : io_(io)
    , path_(std::move(path))
    , answer_(std::move(answer))
    , acceptor_(io) {}

ControlServer::~ControlServer() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    if (bound_) ::unlink(path_.c_str());
}

bool ControlServer::start() {
    auto log = common::logger("superd");
    // A socket file left by a superd that died is replaced; one that answers is another superd.
    {
        stream_protocol::socket probe(io_);
        boost::system::error_code ec;
        probe.connect(stream_protocol::endpoint(path_), ec);
        if (!ec) {
            log->error("control socket {}: another superd answers there; not replacing it", path_);
            return false;
        }
        if (ec == boost::asio::error::connection_refused) ::unlink(path_.c_str());
    }
    boost::system::error_code ec;
    acceptor_.open(stream_protocol(), ec);
    // Only root (or superd's user) may talk to it: created 0600, whatever the umask.
    mode_t old = ::umask(0177);
    if (!ec) acceptor_.bind(stream_protocol::endpoint(path_), ec);
    ::umask(old);
    if (!ec) acceptor_.listen(8, ec);
    if (ec) {
        log->error("control socket {}: {}", path_, ec.message());
        return false;
    }
    bound_ = true;
    ::chmod(path_.c_str(), 0600);
    ::fcntl(acceptor_.native_handle(), F_SETFD, FD_CLOEXEC);
    accept();
    return true;
}

void ControlServer::accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, stream_protocol::socket s) {
        if (ec == boost::asio::error::operation_aborted) return;
        if (!ec) std::make_shared<ControlSession>(std::move(s), answer_)->start();
        accept();
    });
}

} // namespace superd::daemon
