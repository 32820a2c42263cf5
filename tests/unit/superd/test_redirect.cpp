// The redirect relay against real loopback TCP peers. Peers are plain blocking sockets in
// threads, each with 5 s send/receive timeouts; the relay's io_context runs in the test thread
// with a deadline, so no peer behaviour or bug can hang the suite.
#include "superd/redirect.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::daemon {
namespace {

using namespace std::chrono_literals;
using boost::asio::ip::tcp;

class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd)
        : fd_(fd) {}
    Fd(Fd&& o) noexcept
        : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

  private:
    int fd_ = -1;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(port);
    return sa;
}

void set_timeouts(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::uint16_t port_of(int fd) {
    sockaddr_in sa{};
    socklen_t len = sizeof sa;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    return ntohs(sa.sin_port);
}

// Bound to 127.0.0.1 on a kernel-chosen port; listening unless backlog < 0.
Fd bound_socket(int backlog) {
    Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    auto sa = loopback(0);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return Fd();
    if (backlog >= 0 && ::listen(fd.get(), backlog) != 0) return Fd();
    set_timeouts(fd.get()); // accept() honours SO_RCVTIMEO
    return fd;
}

Fd connect_to(std::uint16_t port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
    auto sa = loopback(port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return Fd();
    set_timeouts(fd.get());
    return fd;
}

Fd accept_from(int listener) {
    Fd fd(::accept(listener, nullptr, nullptr));
    if (fd.get() >= 0) set_timeouts(fd.get());
    return fd;
}

// A connected pair: `client` is the test's end, `server` goes to the relay (as superd's
// accepted connection would).
struct Pair {
    Fd client;
    Fd server;
};

Pair tcp_pair() {
    Fd listener = bound_socket(1);
    Pair p;
    p.client = connect_to(port_of(listener.get()));
    p.server = accept_from(listener.get());
    return p;
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Until EOF, an error or the 5 s receive timeout.
std::string recv_all(int fd) {
    std::string got;
    char buf[8192];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return got;
        got.append(buf, static_cast<std::size_t>(n));
    }
}

std::string recv_exactly(int fd, std::size_t want) {
    std::string got;
    char buf[8192];
    while (got.size() < want) {
        ssize_t n = ::recv(fd, buf, std::min(sizeof buf, want - got.size()), 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i)
        s[i] = static_cast<char>(i * 7 % 251);
    return s;
}

// Echoes until EOF, then passes the EOF back and closes.
void echo_server(int listener) {
    Fd conn = accept_from(listener);
    if (conn.get() < 0) return;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(conn.get(), buf, sizeof buf, 0);
        if (n <= 0) break;
        if (!send_all(conn.get(), std::string_view(buf, static_cast<std::size_t>(n)))) return;
    }
    ::shutdown(conn.get(), SHUT_WR);
}

bool run_until(boost::asio::io_context& io, const std::function<bool()>& pred,
               std::chrono::milliseconds limit = 10s) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred() && std::chrono::steady_clock::now() < deadline) {
        if (io.stopped()) io.restart();
        io.run_one_for(10ms);
    }
    return pred();
}

// A listener whose accept queue is full, so the kernel drops further SYNs and a connect to it
// stays pending: a silent target without sending anything off the machine. False when this
// kernel does not behave so (every connect completes).
bool fill_backlog(Fd& listener, std::vector<Fd>& fillers) {
    listener = bound_socket(0);
    if (listener.get() < 0) return false;
    auto sa = loopback(port_of(listener.get()));
    for (int i = 0; i < 32; ++i) {
        Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
        int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        if (rc != 0 && errno != EINPROGRESS) return false;
        pollfd p{fd.get(), POLLOUT, 0};
        int ready = rc == 0 ? 1 : ::poll(&p, 1, 200);
        fillers.push_back(std::move(fd));
        if (ready == 0) return true; // this SYN was dropped: the queue is full
    }
    return false;
}

struct Outcome {
    int calls = 0;
    RedirectResult result;
};

std::shared_ptr<RedirectSession> make_session(boost::asio::io_context& io, int client_fd,
                                              std::uint16_t target_port, Outcome& out,
                                              std::chrono::milliseconds timeout = 5s) {
    tcp::endpoint target(boost::asio::ip::address_v4::loopback(), target_port);
    return std::make_shared<RedirectSession>(io, client_fd, target, true, timeout,
                                             [&out](const RedirectResult& r) {
                                                 ++out.calls;
                                                 out.result = r;
                                             });
}

TEST(Redirect, BytesFlowBothWaysAndAreCounted) {
    boost::asio::io_context io;
    Fd target = bound_socket(1);
    Pair pair = tcp_pair();
    ASSERT_GE(target.get(), 0);
    ASSERT_GE(pair.client.get(), 0);
    ASSERT_GE(pair.server.get(), 0);
    const std::string sent = pattern(100000);
    std::string received;
    {
        std::jthread echo(echo_server, target.get());
        std::jthread writer([&] {
            send_all(pair.client.get(), sent);
            ::shutdown(pair.client.get(), SHUT_WR);
        });
        std::jthread reader([&] { received = recv_all(pair.client.get()); });

        Outcome out;
        auto s = make_session(io, pair.server.release(), port_of(target.get()), out);
        s->start();
        ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
        EXPECT_EQ(out.calls, 1);
        EXPECT_TRUE(out.result.connected);
        EXPECT_EQ(out.result.error, "");
        EXPECT_EQ(out.result.in, sent.size());
        EXPECT_EQ(out.result.out, sent.size());
    }
    EXPECT_TRUE(received == sent) << "received " << received.size() << " bytes";
}

TEST(Redirect, HalfClosePassesThrough) {
    boost::asio::io_context io;
    Fd target = bound_socket(1);
    Pair pair = tcp_pair();
    ASSERT_GE(target.get(), 0);
    ASSERT_GE(pair.client.get(), 0);
    std::string reply;
    {
        // Answers only after the client's EOF has arrived, then closes.
        std::jthread counter([&] {
            Fd conn = accept_from(target.get());
            std::string got = recv_all(conn.get());
            send_all(conn.get(), "got " + std::to_string(got.size()) + "\n");
        });
        std::jthread client([&] {
            send_all(pair.client.get(), "hello world");
            ::shutdown(pair.client.get(), SHUT_WR);
            reply = recv_all(pair.client.get());
        });

        Outcome out;
        auto s = make_session(io, pair.server.release(), port_of(target.get()), out);
        s->start();
        ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
        EXPECT_EQ(out.calls, 1);
        EXPECT_TRUE(out.result.connected);
        EXPECT_EQ(out.result.error, "");
        EXPECT_EQ(out.result.in, 11u);
        EXPECT_EQ(out.result.out, 7u);
    }
    EXPECT_EQ(reply, "got 11\n");
}

TEST(Redirect, ConnectRefusedClosesTheClient) {
    boost::asio::io_context io;
    // Bound but not listening: the port stays ours, and a SYN to it is answered with RST.
    Fd closed_port = bound_socket(-1);
    Pair pair = tcp_pair();
    ASSERT_GE(closed_port.get(), 0);
    ASSERT_GE(pair.client.get(), 0);
    std::uint16_t port = port_of(closed_port.get());

    Outcome out;
    auto s = make_session(io, pair.server.release(), port, out);
    s->start();
    EXPECT_EQ(out.calls, 0) << "done must not run inside start()";
    ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
    EXPECT_EQ(out.calls, 1);
    EXPECT_FALSE(out.result.connected);
    EXPECT_EQ(out.result.error,
              "connect 127.0.0.1:" + std::to_string(port) + ": Connection refused");
    EXPECT_EQ(out.result.in, 0u);
    EXPECT_EQ(out.result.out, 0u);
    char c;
    EXPECT_EQ(::recv(pair.client.get(), &c, 1, 0), 0); // EOF, not the 5 s timeout
}

TEST(Redirect, ConnectTimeout) {
    Fd listener;
    std::vector<Fd> fillers;
    if (!fill_backlog(listener, fillers))
        GTEST_SKIP() << "this kernel completes connects to a full accept queue";
    boost::asio::io_context io;
    Pair pair = tcp_pair();
    ASSERT_GE(pair.client.get(), 0);

    Outcome out;
    auto s = make_session(io, pair.server.release(), port_of(listener.get()), out, 200ms);
    auto started = std::chrono::steady_clock::now();
    s->start();
    ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
    EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
    EXPECT_EQ(out.calls, 1);
    EXPECT_FALSE(out.result.connected);
    EXPECT_EQ(out.result.error, "connect timeout");
    char c;
    EXPECT_EQ(::recv(pair.client.get(), &c, 1, 0), 0);
    io.restart();
    io.run_for(50ms);
    EXPECT_EQ(out.calls, 1);
}

TEST(Redirect, CloseWhileConnecting) {
    Fd listener;
    std::vector<Fd> fillers;
    if (!fill_backlog(listener, fillers))
        GTEST_SKIP() << "this kernel completes connects to a full accept queue";
    boost::asio::io_context io;
    Pair pair = tcp_pair();
    ASSERT_GE(pair.client.get(), 0);

    Outcome out;
    auto s = make_session(io, pair.server.release(), port_of(listener.get()), out, 0ms);
    s->start();
    io.run_for(50ms);
    EXPECT_EQ(out.calls, 0);
    s->close();
    EXPECT_EQ(out.calls, 0) << "done must not run inside close()";
    ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
    EXPECT_EQ(out.calls, 1);
    EXPECT_FALSE(out.result.connected);
    EXPECT_EQ(out.result.error, "stopped");
    char c;
    EXPECT_EQ(::recv(pair.client.get(), &c, 1, 0), 0);
}

TEST(Redirect, CloseDuringRelayCallsDoneOnce) {
    boost::asio::io_context io;
    Fd target = bound_socket(1);
    Pair pair = tcp_pair();
    ASSERT_GE(target.get(), 0);
    ASSERT_GE(pair.client.get(), 0);
    std::atomic<bool> echoed{false};
    std::string first;
    std::string after_close = "not read";
    Outcome out;
    {
        std::jthread echo(echo_server, target.get());
        std::jthread client([&] {
            send_all(pair.client.get(), pattern(1000));
            first = recv_exactly(pair.client.get(), 1000);
            echoed = true;
            after_close = recv_all(pair.client.get()); // the relay's close gives EOF here
        });

        auto s = make_session(io, pair.server.release(), port_of(target.get()), out);
        s->start();
        ASSERT_TRUE(run_until(io, [&] { return echoed.load(); }));
        EXPECT_EQ(out.calls, 0);
        s->close();
        s->close();
        EXPECT_EQ(out.calls, 0) << "done must not run inside close()";
        ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
        s->close();
        s->start();
        io.restart();
        io.run_for(50ms);
    }
    EXPECT_EQ(out.calls, 1);
    EXPECT_TRUE(out.result.connected);
    EXPECT_EQ(out.result.error, "stopped");
    EXPECT_EQ(out.result.in, 1000u);
    EXPECT_EQ(out.result.out, 1000u);
    EXPECT_EQ(first, pattern(1000));
    EXPECT_EQ(after_close, "");
}

TEST(Redirect, TargetResetEndsTheSession) {
    boost::asio::io_context io;
    Fd target = bound_socket(1);
    Pair pair = tcp_pair();
    ASSERT_GE(target.get(), 0);
    ASSERT_GE(pair.client.get(), 0);
    std::string got = "not read";
    Outcome out;
    {
        std::jthread resetter([&] {
            Fd conn = accept_from(target.get());
            char c;
            if (::recv(conn.get(), &c, 1, 0) != 1) return;
            linger l{1, 0}; // close() sends RST
            ::setsockopt(conn.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
        });
        std::jthread client([&] {
            send_all(pair.client.get(), "x");
            got = recv_all(pair.client.get());
        });

        auto s = make_session(io, pair.server.release(), port_of(target.get()), out);
        s->start();
        ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
    }
    EXPECT_EQ(out.calls, 1);
    EXPECT_TRUE(out.result.connected);
    EXPECT_NE(out.result.error, "");
    EXPECT_EQ(out.result.in, 1u);
    EXPECT_EQ(out.result.out, 0u);
    EXPECT_EQ(got, "");
}

TEST(Redirect, UnusableClientDescriptor) {
    boost::asio::io_context io;
    Fd target = bound_socket(1);
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    Fd write_end(fds[1]);

    Outcome out;
    auto s = make_session(io, fds[0], port_of(target.get()), out);
    EXPECT_EQ(::fcntl(fds[0], F_GETFD), -1) << "the descriptor is taken over even when unusable";
    s->start();
    EXPECT_EQ(out.calls, 0);
    ASSERT_TRUE(run_until(io, [&] { return out.calls > 0; }));
    EXPECT_EQ(out.calls, 1);
    EXPECT_FALSE(out.result.connected);
    EXPECT_EQ(out.result.error, "client: Socket operation on non-socket");

    Outcome out2;
    auto s2 = make_session(io, -1, port_of(target.get()), out2);
    s2->start();
    ASSERT_TRUE(run_until(io, [&] { return out2.calls > 0; }));
    EXPECT_FALSE(out2.result.connected);
    EXPECT_NE(out2.result.error, "");
}

} // namespace
} // namespace superd::daemon
