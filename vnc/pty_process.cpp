#include "vnc/pty_process.hpp"

#include <boost/asio/write.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace superd::vnc {

namespace asio = boost::asio;

PtyProcess::PtyProcess(asio::io_context& io, OutputHandler output, ExitHandler exited)
    : io_(io)
    , output_(std::move(output))
    , exited_(std::move(exited))
    , reap_timer_(io)
    , buffer_(16 * 1024) {}

PtyProcess::~PtyProcess() {
    *alive_ = false;
    if (pid_ > 0) {
        ::kill(-pid_, SIGHUP);
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

std::expected<void, std::string> PtyProcess::start(const Options& options) {
    if (options.argv.empty()) return std::unexpected("no command");
    winsize size{};
    size.ws_col = static_cast<unsigned short>(options.cols);
    size.ws_row = static_cast<unsigned short>(options.rows);
    // argv is built before the fork: the child may only call async-signal-safe functions.
    std::vector<char*> argv;
    for (const auto& a : options.argv)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int master = -1;
    pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
    if (pid < 0) return std::unexpected(std::string("forkpty: ") + std::strerror(errno));
    if (pid == 0) {
        ::setenv("TERM", "xterm-256color", 1);
        // The parent's signal dispositions (SIGPIPE ignored, say) are not the command's.
        ::signal(SIGPIPE, SIG_DFL);
        ::signal(SIGHUP, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execvp(argv[0], argv.data());
        std::string why =
            std::string("superd-vncd: ") + argv[0] + ": " + std::strerror(errno) + "\r\n";
        (void)!::write(1, why.data(), why.size());
        _exit(127);
    }
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    pid_ = pid;
    reap_tries_ = 0;
    master_ = std::make_unique<asio::posix::stream_descriptor>(io_, master);
    master_->non_blocking(true);
    read();
    return {};
}

void PtyProcess::read() {
    master_->async_read_some(asio::buffer(buffer_),
                             [this, alive = alive_](boost::system::error_code ec, std::size_t n) {
                                 if (!*alive) return;
                                 if (!ec) {
                                     int pending = 0;
                                     ::ioctl(master_->native_handle(), FIONREAD, &pending);
                                     output_({buffer_.data(), n}, pending > 0);
                                     read();
                                     return;
                                 }
                                 // EIO: the last slave descriptor closed — the command (and its
                                 // children) ended.
                                 master_.reset();
                                 pending_.clear();
                                 writing_ = false;
                                 reap();
                             });
}

void PtyProcess::reap() {
    if (pid_ <= 0) return;
    int status = 0;
    pid_t got = ::waitpid(pid_, &status, WNOHANG);
    if (got == pid_ || (got < 0 && errno == ECHILD)) {
        pid_ = -1;
        if (exited_) exited_(got == pid_ || got > 0 ? status : 0);
        return;
    }
    // The pty closed before the process ended (it closed its descriptors, or a grandchild
    // held them): wait a little, then insist.
    if (++reap_tries_ == 50) ::kill(-pid_, SIGKILL);
    reap_timer_.expires_after(std::chrono::milliseconds(20));
    reap_timer_.async_wait([this, alive = alive_](boost::system::error_code) {
        if (*alive) reap();
    });
}

void PtyProcess::write(std::string_view bytes) {
    if (!master_ || bytes.empty()) return;
    pending_.emplace_back(bytes);
    if (!writing_) flush();
}

void PtyProcess::flush() {
    if (!master_ || pending_.empty()) {
        writing_ = false;
        return;
    }
    writing_ = true;
    asio::async_write(*master_, asio::buffer(pending_.front()),
                      [this, alive = alive_](boost::system::error_code ec, std::size_t) {
                          if (!*alive) return;
                          if (!pending_.empty()) pending_.pop_front();
                          if (ec) {
                              pending_.clear();
                              writing_ = false;
                              return;
                          }
                          flush();
                      });
}

void PtyProcess::resize(int cols, int rows) {
    if (!master_) return;
    winsize size{};
    size.ws_col = static_cast<unsigned short>(cols);
    size.ws_row = static_cast<unsigned short>(rows);
    ::ioctl(master_->native_handle(), TIOCSWINSZ, &size);
}

void PtyProcess::stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGHUP);
    ::kill(pid_, SIGHUP);
}

} // namespace superd::vnc
