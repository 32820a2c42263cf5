#include "tests/system/harness.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace superd::system_test {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(int port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool wait_readable(int fd, Clock::time_point deadline) {
    pollfd p{fd, POLLIN, 0};
    for (;;) {
        int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return false;
    }
}

// Waits for pid until the deadline, polling; its status or nullopt.
std::optional<int> wait_pid(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return status;
        if (r < 0 && errno != EINTR) return std::nullopt;
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
}

} // namespace

int free_port(int socket_type) {
    // The kernel may hand out a port it has just handed out (it was closed again), and a test
    // that asks for several ports binds them only later: never the same port twice per process.
    static std::set<int> given;
    for (;;) {
        int fd = ::socket(AF_INET, socket_type, 0);
        if (fd < 0) throw std::runtime_error("socket failed");
        auto sa = loopback(0);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
            ::close(fd);
            throw std::runtime_error("bind failed");
        }
        socklen_t len = sizeof sa;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
        ::close(fd);
        int port = ntohs(sa.sin_port);
        if (given.insert(port).second) return port;
    }
}

std::string superd_binary() {
    return SUPERD_BIN;
}
std::string helper_binary(const std::string& name) {
    return std::string(HELPER_DIR) + "/" + name;
}

void write_script(const std::string& path, const std::string& body) {
    write_file(path, "#!/bin/sh\n" + body);
    ::chmod(path.c_str(), 0755);
}

int count_of(const std::string& hay, const std::string& needle) {
    int n = 0;
    for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1))
        ++n;
    return n;
}

bool have_program(const std::string& path) {
    return ::access(path.c_str(), X_OK) == 0;
}

std::string config_text(const std::string& log_path, const std::string& services,
                        const std::string& wrap_dir) {
    std::string wrap = wrap_dir.empty() ? "/nonexistent/superd-test" : wrap_dir;
    return "defaults\n{\n"
           "    log_type       = FILE " +
           log_path +
           "\n"
           "    log_on_success = PID HOST EXIT DURATION\n"
           "    log_on_failure = HOST\n"
           // Not the machine's tcp-wrappers tables: files that do not exist (allow all), or
           // the test's own (`wrap_dir`, which must be readable by the services' users).
           "    hosts_allow    = " +
           wrap +
           "/hosts.allow\n"
           "    hosts_deny     = " +
           wrap +
           "/hosts.deny\n"
           "    bind           = 127.0.0.1\n"
           "    instances      = 50\n"
           "}\n" +
           services;
}

std::string service_block(const std::string& name, const std::vector<std::string>& lines) {
    std::string out = "service " + name + "\n{\n";
    for (const auto& l : lines)
        out += "    " + l + "\n";
    return out + "}\n";
}

// ---- Superd

Superd::~Superd() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        wait_pid(pid_, Clock::now() + 5s);
    }
}

bool Superd::start(const std::string& conf, std::vector<std::string> extra) {
    log_path_ = dir_.file("stderr");
    std::vector<std::string> args{superd_binary(), "-f", conf, "-dontfork", "-stderr"};
    // Its own control socket, never the machine's /run/superd.sock.
    if (std::find(extra.begin(), extra.end(), "--control") == extra.end())
        args.insert(args.end(), {"--control", dir_.file("ctl.sock")});
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
        int fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline) {
        if (log().find(" started with ") != std::string::npos) return true;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return false;
        }
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

std::string Superd::log() const {
    return read_file(log_path_);
}

bool Superd::wait_for_log(const std::string& text, int count,
                          std::chrono::milliseconds timeout) const {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (count_of(log(), text) >= count) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
}

void Superd::signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
}

std::optional<int> Superd::wait_exit(std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    auto status = wait_pid(pid_, Clock::now() + timeout);
    if (status) pid_ = -1;
    return status;
}

// ---- TcpClient

TcpClient::TcpClient(int port, const std::string& host, const std::string& source) {
    fd_ = ::socket(host.find(':') == std::string::npos ? AF_INET : AF_INET6, SOCK_STREAM, 0);
    if (fd_ < 0) return;
    int rc;
    if (!source.empty()) { // IPv4 only: 127.0.0.0/8 gives the tests many client addresses
        auto from = loopback(0);
        ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
            ::close(fd_);
            fd_ = -1;
            return;
        }
    }
    if (host.find(':') == std::string::npos) {
        auto sa = loopback(port);
        ::inet_pton(AF_INET, host.c_str(), &sa.sin_addr);
        rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    } else {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(static_cast<uint16_t>(port));
        ::inet_pton(AF_INET6, host.c_str(), &sa.sin6_addr);
        rc = ::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    }
    if (rc != 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

TcpClient::~TcpClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool TcpClient::send(const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void TcpClient::shutdown_write() {
    ::shutdown(fd_, SHUT_WR);
}

std::string TcpClient::read(std::size_t n, std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = Clock::now() + timeout;
    char buf[4096];
    while (out.size() < n && wait_readable(fd_, deadline)) {
        ssize_t r = ::recv(fd_, buf, std::min(sizeof buf, n - out.size()), 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        out.append(buf, static_cast<std::size_t>(r));
    }
    return out;
}

std::string TcpClient::read_all(std::chrono::milliseconds timeout, std::size_t limit) {
    return read(limit, timeout);
}

std::string TcpClient::read_line(std::chrono::milliseconds timeout) {
    std::string out;
    auto deadline = Clock::now() + timeout;
    char c;
    while (wait_readable(fd_, deadline)) {
        ssize_t r = ::recv(fd_, &c, 1, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        out.push_back(c);
        if (c == '\n') break;
    }
    return out;
}

bool TcpClient::closed_by_peer(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    if (!wait_readable(fd_, deadline)) return false;
    char c;
    ssize_t r = ::recv(fd_, &c, 1, 0);
    return r <= 0;
}

// ---- UDP

std::optional<std::string> udp_exchange(int port, const std::string& payload,
                                        std::chrono::milliseconds timeout) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) return std::nullopt;
    auto sa = loopback(port);
    std::optional<std::string> answer;
    if (::sendto(fd, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&sa),
                 sizeof sa) == static_cast<ssize_t>(payload.size()) &&
        wait_readable(fd, Clock::now() + timeout)) {
        char buf[65536];
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n >= 0) answer.emplace(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

// ---- Commands

CommandResult run_command(const std::vector<std::string>& argv_in, const std::string& input,
                          std::chrono::milliseconds timeout) {
    CommandResult result;
    ::signal(SIGPIPE, SIG_IGN); // a command that exits before reading all its input
    int in_pipe[2], out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) return result;
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return result;
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in_pipe[0], 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(out_pipe[1], 2);
        std::vector<std::string> args = argv_in;
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    // Feed stdin and drain stdout together (either pipe may fill), all before the deadline.
    auto deadline = Clock::now() + timeout;
    int in_fd = in_pipe[1];
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
    std::size_t written = 0;
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    char buf[4096];
    for (;;) {
        pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {in_fd, POLLOUT, 0}};
        int left = remaining_ms(deadline);
        if (left <= 0) break;
        int n = ::poll(fds, in_fd >= 0 ? 2 : 1, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t w = ::write(in_fd, input.data() + written, input.size() - written);
            if (w > 0) written += static_cast<std::size_t>(w);
            if (w < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
            if (written >= input.size()) {
                ::close(in_fd);
                in_fd = -1;
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = ::read(out_pipe[0], buf, sizeof buf);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            result.out.append(buf, static_cast<std::size_t>(r));
        }
    }
    if (in_fd >= 0) ::close(in_fd);
    ::close(out_pipe[0]);
    auto status = wait_pid(pid, deadline);
    if (!status) {
        ::kill(pid, SIGKILL);
        wait_pid(pid, Clock::now() + 5s);
        return result;
    }
    result.status = *status;
    return result;
}

} // namespace superd::system_test
