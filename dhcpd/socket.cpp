#include "dhcpd/socket.hpp"

#include <cerrno>
#include <cstring>
#include <utility>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::dhcp {

namespace {

std::string failed(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

// About 400 requests (the kernel counts each datagram's buffer, some 2 KiB): a burst's worth.
// Deeper would only hold requests until their clients gave up on them: under overload, a
// request answered late is worth less than one dropped early, which the client sends again.
constexpr int receive_buffer_bytes = 1 << 20;

} // namespace

DhcpSocket::DhcpSocket(int fd)
    : fd_(fd) {}

DhcpSocket::~DhcpSocket() {
    if (fd_ >= 0) ::close(fd_);
}

DhcpSocket::DhcpSocket(DhcpSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , port_(other.port_) {}

DhcpSocket& DhcpSocket::operator=(DhcpSocket&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        port_ = other.port_;
    }
    return *this;
}

std::expected<void, std::string> DhcpSocket::prepare() {
    int on = 1;
    if (::setsockopt(fd_, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) != 0)
        return std::unexpected(failed("IP_PKTINFO"));
    if (::setsockopt(fd_, SOL_SOCKET, SO_BROADCAST, &on, sizeof on) != 0)
        return std::unexpected(failed("SO_BROADCAST"));
    int size = receive_buffer_bytes;
    // SO_RCVBUFFORCE passes net.core.rmem_max when we may; SO_RCVBUF is capped by it otherwise.
    if (::setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0)
        return std::unexpected(failed("O_NONBLOCK"));
    ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
    sockaddr_in local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0)
        return std::unexpected(failed("getsockname"));
    if (local.sin_family != AF_INET)
        return std::unexpected("the socket is not IPv4 (DHCPv4 needs one: under superd, set "
                               "flags = IPv4 in the service)");
    port_ = ntohs(local.sin_port);
    return {};
}

std::expected<DhcpSocket, std::string> DhcpSocket::bind(std::uint16_t port) {
    DhcpSocket s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
    if (s.fd_ < 0) return std::unexpected(failed("socket"));
    int on = 1;
    ::setsockopt(s.fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_port = htons(port);
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0)
        return std::unexpected("bind 0.0.0.0:" + std::to_string(port) + ": " +
                               std::strerror(errno));
    if (auto ok = s.prepare(); !ok) return std::unexpected(ok.error());
    return s;
}

std::expected<DhcpSocket, std::string> DhcpSocket::adopt(int fd) {
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM)
        return std::unexpected("fd " + std::to_string(fd) + " is not a datagram socket");
    DhcpSocket s(fd);
    if (auto ok = s.prepare(); !ok) {
        s.fd_ = -1; // not ours to close on failure
        return std::unexpected(ok.error());
    }
    return s;
}

std::optional<Datagram> DhcpSocket::receive() {
    Datagram d;
    d.bytes.resize(max_datagram);
    sockaddr_in from{};
    iovec iov{d.bytes.data(), d.bytes.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(fd_, &msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return std::nullopt;
    d.bytes.resize(static_cast<std::size_t>(n));
    d.truncated = (msg.msg_flags & MSG_TRUNC) != 0;
    d.source = ntohl(from.sin_addr.s_addr);
    d.source_port = ntohs(from.sin_port);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            d.ifindex = info.ipi_ifindex;
            d.local_address = ntohl(info.ipi_spec_dst.s_addr);
            d.destination = ntohl(info.ipi_addr.s_addr);
        }
    }
    return d;
}

std::expected<void, std::string> DhcpSocket::send(std::span<const std::uint8_t> bytes,
                                                  std::uint32_t address, std::uint16_t port,
                                                  int ifindex, std::uint32_t source) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(address);
    iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(in_pktinfo))]{};
    msghdr msg{};
    msg.msg_name = &to;
    msg.msg_namelen = sizeof to;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    if (ifindex > 0 || source) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        in_pktinfo info{};
        info.ipi_ifindex = ifindex;
        info.ipi_spec_dst.s_addr = htonl(source);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
    }
    ssize_t n;
    do {
        n = ::sendmsg(fd_, &msg, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return std::unexpected(failed("sendmsg"));
    return {};
}

std::expected<void, std::string> set_arp_entry(int fd, const std::string& ifname,
                                               std::uint32_t address,
                                               std::span<const std::uint8_t> mac) {
    arpreq req{};
    auto* pa = reinterpret_cast<sockaddr_in*>(&req.arp_pa);
    pa->sin_family = AF_INET;
    pa->sin_addr.s_addr = htonl(address);
    req.arp_ha.sa_family = ARPHRD_ETHER;
    std::memcpy(req.arp_ha.sa_data, mac.data(), std::min<std::size_t>(mac.size(), 6));
    req.arp_flags = ATF_COM;
    std::strncpy(req.arp_dev, ifname.c_str(), sizeof req.arp_dev - 1);
    if (::ioctl(fd, SIOCSARP, &req) != 0) return std::unexpected(failed("SIOCSARP"));
    return {};
}

} // namespace superd::dhcp
