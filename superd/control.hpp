#pragma once
// superd's control socket: a unix stream socket (mode 0600) on which superctl asks for
// `status`, `status json`, `reload` or `dump`. One request line per connection; the answer
// follows and the connection is closed. Served in the event loop like any other socket.
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <functional>
#include <string>

namespace superd::daemon {

// Where superd listens and superctl connects when nothing else is said: /run/superd.sock as
// root, else /tmp/superd-<uid>.sock.
std::string default_control_path();

class ControlServer {
  public:
    // `answer` maps a request line ("status", "status json", "reload", "dump") to the reply.
    ControlServer(boost::asio::io_context& io, std::string path,
                  std::function<std::string(const std::string&)> answer);
    ~ControlServer();
    // Binds (replacing a stale socket file, refusing a live one) and starts accepting.
    // False, with the reason logged, when it cannot.
    bool start();
    const std::string& path() const { return path_; }

  private:
    void accept();
    boost::asio::io_context& io_;
    std::string path_;
    std::function<std::string(const std::string&)> answer_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    bool bound_ = false;
};

} // namespace superd::daemon
