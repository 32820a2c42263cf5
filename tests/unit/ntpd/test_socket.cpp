// The NTP socket on loopback: batched reads with kernel receive times and the local address,
// batched replies sent from the address that was asked.
#include "ntpd/socket.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>

#include <arpa/inet.h>
#include <poll.h>
#include <unistd.h>

namespace superd::ntp {
namespace {

std::int64_t wall_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint16_t port_of(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    return ntohs(ss.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
}

bool wait_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 2000) == 1;
}

TEST(NtpSocket, BatchWithReceiveTimesAndLocalAddress) {
    auto server = NtpSocket::bind(*common::IpAddress::parse("127.0.0.1"), 0);
    ASSERT_TRUE(server) << server.error();
    // Bound to one address: no IP_PKTINFO either way, `local` is that address.
    EXPECT_FALSE(server->wildcard());
    int client = ::socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(client, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_of(server->fd()));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::int64_t before = wall_ns();
    for (char c : {'a', 'b', 'c'})
        ASSERT_EQ(::sendto(client, &c, 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1);
    ASSERT_TRUE(wait_readable(server->fd()));
    std::vector<Datagram> got;
    ASSERT_EQ(server->receive(got, 8), 3);
    std::int64_t after = wall_ns();
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].size, 1u);
        EXPECT_EQ(got[i].buffer[0], "abc"[i]);
        // Stamped by the kernel between our send and our read.
        EXPECT_GE(got[i].received_ns, before);
        EXPECT_LE(got[i].received_ns, after);
        ASSERT_EQ(got[i].local.ss_family, AF_INET);
        EXPECT_EQ(ntohl(reinterpret_cast<sockaddr_in*>(&got[i].local)->sin_addr.s_addr),
                  INADDR_LOOPBACK);
    }
    EXPECT_EQ(server->receive(got, 8), 0); // nothing more: no blocking

    std::vector<Outgoing> replies(2);
    for (std::size_t i = 0; i < replies.size(); ++i) {
        replies[i].bytes = {static_cast<std::uint8_t>('x' + i)};
        replies[i].peer = got[i].peer;
        replies[i].peer_len = got[i].peer_len;
        replies[i].local = got[i].local;
        replies[i].ifindex = got[i].ifindex;
    }
    EXPECT_EQ(server->send(replies), 2);
    for (char expected : {'x', 'y'}) {
        ASSERT_TRUE(wait_readable(client));
        char c = 0;
        sockaddr_in from{};
        socklen_t len = sizeof from;
        ASSERT_EQ(::recvfrom(client, &c, 1, 0, reinterpret_cast<sockaddr*>(&from), &len), 1);
        EXPECT_EQ(c, expected);
        EXPECT_EQ(ntohs(from.sin_port), port_of(server->fd()));
    }
    ::close(client);
}

TEST(NtpSocket, BoundToOneIpv6AddressAnswersFromIt) {
    auto server = NtpSocket::bind(*common::IpAddress::parse("::1"), 0);
    if (!server) GTEST_SKIP() << "no IPv6 loopback: " << server.error();
    EXPECT_FALSE(server->wildcard());
    int client = ::socket(AF_INET6, SOCK_DGRAM, 0);
    ASSERT_GE(client, 0);
    sockaddr_in6 to{};
    to.sin6_family = AF_INET6;
    to.sin6_port = htons(port_of(server->fd()));
    to.sin6_addr = in6addr_loopback;
    char c = 'q';
    ASSERT_EQ(::sendto(client, &c, 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof to), 1);
    ASSERT_TRUE(wait_readable(server->fd()));
    std::vector<Datagram> got;
    ASSERT_EQ(server->receive(got, 4), 1);
    ASSERT_EQ(got[0].local.ss_family, AF_INET6);
    EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<sockaddr_in6*>(&got[0].local)->sin6_addr));
    EXPECT_GT(got[0].received_ns, 0);
    std::vector<Outgoing> reply(1);
    reply[0].bytes = {'r'};
    reply[0].peer = got[0].peer;
    reply[0].peer_len = got[0].peer_len;
    reply[0].local = got[0].local;
    EXPECT_EQ(server->send(reply), 1);
    ASSERT_TRUE(wait_readable(client));
    sockaddr_in6 from{};
    socklen_t len = sizeof from;
    ASSERT_EQ(::recvfrom(client, &c, 1, 0, reinterpret_cast<sockaddr*>(&from), &len), 1);
    EXPECT_EQ(c, 'r');
    EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
    EXPECT_EQ(ntohs(from.sin6_port), port_of(server->fd()));
    ::close(client);
}

TEST(NtpSocket, OversizedDatagramsAreMarked) {
    auto server = NtpSocket::bind(*common::IpAddress::parse("127.0.0.1"), 0);
    ASSERT_TRUE(server) << server.error();
    int client = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_of(server->fd()));
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<char> big(max_request + 100, 'z');
    ASSERT_EQ(
        ::sendto(client, big.data(), big.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
        static_cast<ssize_t>(big.size()));
    ASSERT_TRUE(wait_readable(server->fd()));
    std::vector<Datagram> got;
    ASSERT_EQ(server->receive(got, 4), 1);
    EXPECT_TRUE(got[0].truncated);
    ::close(client);
}

TEST(NtpSocket, AdoptRefusesWhatIsNotADatagramSocket) {
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    EXPECT_FALSE(NtpSocket::adopt(p[0]));
    ::close(p[0]);
    ::close(p[1]);
}

} // namespace
} // namespace superd::ntp
