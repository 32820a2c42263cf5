#pragma once
// A console's command in a pseudo-terminal: started with forkpty (its own session, the pty as
// its controlling terminal, TERM=xterm-256color), its output read asynchronously, input written
// in order, the window size set with TIOCSWINSZ (the command gets SIGWINCH). The end is seen as
// EIO on the master (every slave descriptor closed), then the child is reaped; stop() sends
// SIGHUP to its process group, as a closing terminal does, and SIGKILL if it lingers.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace superd::vnc {

class PtyProcess {
  public:
    struct Options {
        std::vector<std::string> argv;
        int cols = 80;
        int rows = 25;
    };
    // `more`: the pty already holds further output (the command is writing faster than we read).
    using OutputHandler = std::function<void(std::string_view, bool more)>;
    // The wait status (WIFEXITED, ...), after the child is reaped.
    using ExitHandler = std::function<void(int status)>;

    PtyProcess(boost::asio::io_context& io, OutputHandler output, ExitHandler exited);
    ~PtyProcess();
    PtyProcess(const PtyProcess&) = delete;
    PtyProcess& operator=(const PtyProcess&) = delete;

    std::expected<void, std::string> start(const Options& options);
    void write(std::string_view bytes);
    void resize(int cols, int rows);
    // Hangs up on the command; the exit handler still runs once it is reaped.
    void stop();
    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }

  private:
    void read();
    void flush();
    void reap();

    boost::asio::io_context& io_;
    OutputHandler output_;
    ExitHandler exited_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> master_;
    boost::asio::steady_timer reap_timer_;
    pid_t pid_ = -1;
    int reap_tries_ = 0;
    std::vector<char> buffer_;
    std::deque<std::string> pending_;
    bool writing_ = false;
    // Survives this object's destruction while a handler is still queued.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace superd::vnc
