#include "common/inetd_handoff.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::common {
namespace {

// Closes the descriptor at the end of the test.
class Fd {
  public:
    explicit Fd(int fd = -1)
        : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sin;
}

// A TCP socket listening on 127.0.0.1, on a port the kernel picks.
int listen_on_loopback(std::uint16_t& port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in sin = loopback(0);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin) != 0 || ::listen(fd, 4) != 0) {
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof sin;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len);
    port = ntohs(sin.sin_port);
    return fd;
}

TEST(DetectHandoff, Pipe) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    Fd r(fds[0]), w(fds[1]);
    EXPECT_EQ(detect_handoff(r.get()), HandOff::none);
    EXPECT_EQ(detect_handoff(w.get()), HandOff::none);
}

TEST(DetectHandoff, DevNullAndRegularFile) {
    Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    ASSERT_GE(null.get(), 0);
    EXPECT_EQ(detect_handoff(null.get()), HandOff::none);
    Fd file(::open("/proc/self/status", O_RDONLY | O_CLOEXEC));
    ASSERT_GE(file.get(), 0);
    EXPECT_EQ(detect_handoff(file.get()), HandOff::none);
}

TEST(DetectHandoff, ClosedOrInvalidDescriptor) {
    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ::close(fd);
    EXPECT_EQ(detect_handoff(fd), HandOff::none);
    EXPECT_EQ(detect_handoff(-1), HandOff::none);
}

TEST(DetectHandoff, ListeningTcp) {
    std::uint16_t port = 0;
    Fd listener(listen_on_loopback(port));
    ASSERT_GE(listener.get(), 0);
    EXPECT_NE(port, 0);
    EXPECT_EQ(detect_handoff(listener.get()), HandOff::listening_stream);
}

TEST(DetectHandoff, ConnectedTcpBothEnds) {
    std::uint16_t port = 0;
    Fd listener(listen_on_loopback(port));
    ASSERT_GE(listener.get(), 0);
    Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_GE(client.get(), 0);
    sockaddr_in sin = loopback(port);
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0)
        << std::strerror(errno);
    Fd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_GE(accepted.get(), 0);
    EXPECT_EQ(detect_handoff(accepted.get()), HandOff::connected_stream);
    EXPECT_EQ(detect_handoff(client.get()), HandOff::connected_stream);
    // The listener is still a listener.
    EXPECT_EQ(detect_handoff(listener.get()), HandOff::listening_stream);
}

TEST(DetectHandoff, UnixSocketPair) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    Fd a(fds[0]), b(fds[1]);
    EXPECT_EQ(detect_handoff(a.get()), HandOff::connected_stream);
    EXPECT_EQ(detect_handoff(b.get()), HandOff::connected_stream);
}

TEST(DetectHandoff, UnconnectedStreamIsNone) {
    Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    ASSERT_GE(s.get(), 0);
    EXPECT_EQ(detect_handoff(s.get()), HandOff::none);
    sockaddr_in sin = loopback(0);
    ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    EXPECT_EQ(detect_handoff(s.get()), HandOff::none);
}

TEST(DetectHandoff, Udp) {
    Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_GE(s.get(), 0);
    sockaddr_in sin = loopback(0);
    ASSERT_EQ(::bind(s.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin), 0);
    EXPECT_EQ(detect_handoff(s.get()), HandOff::datagram);

    Fd unbound(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ASSERT_GE(unbound.get(), 0);
    EXPECT_EQ(detect_handoff(unbound.get()), HandOff::datagram);
}

TEST(DetectHandoff, UnixDatagramPair) {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds), 0);
    Fd a(fds[0]), b(fds[1]);
    EXPECT_EQ(detect_handoff(a.get()), HandOff::datagram);
}

TEST(DetectHandoff, OnDescriptorZeroByDefault) {
    // Put a listening socket on fd 0, as inetd would, and restore the original afterwards.
    std::uint16_t port = 0;
    Fd listener(listen_on_loopback(port));
    ASSERT_GE(listener.get(), 0);
    Fd saved(::fcntl(0, F_DUPFD_CLOEXEC, 3));
    bool had_stdin = saved.get() >= 0;
    ASSERT_EQ(::dup2(listener.get(), 0), 0);
    HandOff result = detect_handoff();
    if (had_stdin) {
        ::dup2(saved.get(), 0);
    } else {
        ::close(0);
    }
    EXPECT_EQ(result, HandOff::listening_stream);
}

TEST(HandOffToString, AllValues) {
    EXPECT_STREQ(to_string(HandOff::none), "none");
    EXPECT_STREQ(to_string(HandOff::connected_stream), "connected_stream");
    EXPECT_STREQ(to_string(HandOff::listening_stream), "listening_stream");
    EXPECT_STREQ(to_string(HandOff::datagram), "datagram");
}

} // namespace
} // namespace superd::common
