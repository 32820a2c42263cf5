#pragma once
// One client of a stream INTERNAL service, served inside superd's event loop (no fork).
#include "superd/builtins.hpp"
#include "superd/service.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <chrono>
#include <memory>
#include <string>

namespace superd::daemon {

class BuiltinSession : public std::enable_shared_from_this<BuiltinSession> {
  public:
    BuiltinSession(Service& service, Builtin builtin, int fd, RequestPeer peer);
    void start();
    void close(); // ends the session now (reload, shutdown)
    const RequestPeer& peer() const { return peer_; }

  private:
    void read_loop(); // echo, discard, sensor
    void write_chargen();
    void write_once(std::string data); // daytime, time
    void tcpmux_read();
    void finish();

    Service& service_;
    Builtin builtin_;
    boost::asio::posix::stream_descriptor socket_;
    boost::asio::steady_timer deadline_;
    RequestPeer peer_;
    std::chrono::steady_clock::time_point started_;
    std::array<char, 4096> buf_{};
    std::string out_;
    Chargen chargen_;
    bool finished_ = false;
};

} // namespace superd::daemon
