#include "ntpd/socket.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace superd::ntp {

namespace {

std::string failed(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

} // namespace

NtpSocket::NtpSocket(int fd)
    : fd_(fd) {}

NtpSocket::~NtpSocket() {
    if (fd_ >= 0) ::close(fd_);
}

NtpSocket::NtpSocket(NtpSocket&& o) noexcept
    : fd_(std::exchange(o.fd_, -1))
    , family_(o.family_)
    , wildcard_(o.wildcard_)
    , bound_(o.bound_) {}

NtpSocket& NtpSocket::operator=(NtpSocket&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(o.fd_, -1);
        family_ = o.family_;
        wildcard_ = o.wildcard_;
        bound_ = o.bound_;
    }
    return *this;
}

std::expected<void, std::string> NtpSocket::prepare() {
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &len) != 0)
        return std::unexpected(failed("getsockname"));
    family_ = local.ss_family;
    if (family_ != AF_INET && family_ != AF_INET6)
        return std::unexpected("not an IPv4 or IPv6 socket");
    int on = 1;
    if (::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0)
        return std::unexpected(failed("SO_TIMESTAMPNS"));
    bound_ = {};
    if (family_ == AF_INET) {
        const auto& in = reinterpret_cast<const sockaddr_in&>(local);
        wildcard_ = in.sin_addr.s_addr == htonl(INADDR_ANY);
        auto& b = reinterpret_cast<sockaddr_in&>(bound_);
        b.sin_family = AF_INET;
        b.sin_addr = in.sin_addr;
    } else {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(local);
        wildcard_ = IN6_IS_ADDR_UNSPECIFIED(&in6.sin6_addr);
        if (IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) { // as IP_PKTINFO would report it
            auto& b = reinterpret_cast<sockaddr_in&>(bound_);
            b.sin_family = AF_INET;
            std::memcpy(&b.sin_addr, &in6.sin6_addr.s6_addr[12], 4);
        } else {
            auto& b = reinterpret_cast<sockaddr_in6&>(bound_);
            b.sin6_family = AF_INET6;
            b.sin6_addr = in6.sin6_addr;
            b.sin6_scope_id = in6.sin6_scope_id;
        }
    }
    if (wildcard_) {
        // IPv4 datagrams (also those on a dual-stack IPv6 socket) report IP_PKTINFO.
        ::setsockopt(fd_, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
        if (family_ == AF_INET6 &&
            ::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) != 0)
            return std::unexpected(failed("IPV6_RECVPKTINFO"));
    }
    int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0)
        return std::unexpected(failed("O_NONBLOCK"));
    ::fcntl(fd_, F_SETFD, FD_CLOEXEC);
    return {};
}

std::expected<NtpSocket, std::string> NtpSocket::bind(const common::IpAddress& address,
                                                      std::uint16_t port) {
    int family = address.is_v4() ? AF_INET : AF_INET6;
    NtpSocket s(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP));
    if (s.fd_ < 0) return std::unexpected(failed("socket"));
    int on = 1, off = 0;
    ::setsockopt(s.fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_storage ss{};
    socklen_t len;
    if (address.is_v4()) {
        auto* in = reinterpret_cast<sockaddr_in*>(&ss);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.v4_host_order());
        len = sizeof(sockaddr_in);
    } else {
        if (address.is_unspecified())
            ::setsockopt(s.fd_, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off); // dual-stack
        auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        std::memcpy(&in6->sin6_addr, address.v6_bytes().data(), 16);
        len = sizeof(sockaddr_in6);
    }
    if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return std::unexpected("bind " + address.str() + " port " + std::to_string(port) + ": " +
                               std::strerror(errno));
    if (auto ok = s.prepare(); !ok) return std::unexpected(ok.error());
    return s;
}

std::expected<NtpSocket, std::string> NtpSocket::adopt(int fd) {
    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_DGRAM)
        return std::unexpected("fd " + std::to_string(fd) + " is not a datagram socket");
    NtpSocket s(fd);
    if (auto ok = s.prepare(); !ok) {
        s.fd_ = -1; // not ours to close on failure
        return std::unexpected(ok.error());
    }
    return s;
}

int NtpSocket::receive(std::vector<Datagram>& out, std::size_t max) {
    out.resize(max);
    auto& headers = headers_;
    auto& iovs = iovs_;
    auto& controls = controls_;
    headers.resize(std::max(headers.size(), max));
    iovs.resize(headers.size());
    controls.resize(headers.size());
    for (std::size_t i = 0; i < max; ++i) {
        iovs[i] = {out[i].buffer.data(), out[i].buffer.size()};
        msghdr& m = headers[i].msg_hdr;
        m = {};
        m.msg_name = &out[i].peer;
        m.msg_namelen = sizeof out[i].peer;
        m.msg_iov = &iovs[i];
        m.msg_iovlen = 1;
        m.msg_control = controls[i].data();
        m.msg_controllen = controls[i].size();
    }
    int n;
    do {
        n = ::recvmmsg(fd_, headers.data(), static_cast<unsigned>(max), MSG_DONTWAIT, nullptr);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        out.clear();
        return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    }
    out.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        Datagram& d = out[static_cast<std::size_t>(i)];
        msghdr& m = headers[static_cast<std::size_t>(i)].msg_hdr;
        d.size = headers[static_cast<std::size_t>(i)].msg_len;
        d.truncated = (m.msg_flags & MSG_TRUNC) != 0;
        d.peer_len = m.msg_namelen;
        d.received_ns = 0;
        d.ifindex = 0;
        d.local = wildcard_ ? sockaddr_storage{} : bound_;
        for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                timespec ts;
                std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                d.received_ns = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
            } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                in_pktinfo info;
                std::memcpy(&info, CMSG_DATA(c), sizeof info);
                auto* in = reinterpret_cast<sockaddr_in*>(&d.local);
                in->sin_family = AF_INET;
                in->sin_addr = info.ipi_addr;
                d.ifindex = info.ipi_ifindex;
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo info;
                std::memcpy(&info, CMSG_DATA(c), sizeof info);
                auto* in6 = reinterpret_cast<sockaddr_in6*>(&d.local);
                in6->sin6_family = AF_INET6;
                in6->sin6_addr = info.ipi6_addr;
                d.ifindex = static_cast<int>(info.ipi6_ifindex);
            }
        }
    }
    return n;
}

int NtpSocket::send(std::span<const Outgoing> batch) {
    std::size_t n = batch.size();
    if (n == 0) return 0;
    auto& headers = headers_;
    auto& iovs = iovs_;
    auto& controls = controls_;
    headers.resize(std::max(headers.size(), n));
    iovs.resize(headers.size());
    controls.resize(headers.size());
    for (std::size_t i = 0; i < n; ++i) {
        const Outgoing& o = batch[i];
        iovs[i] = {const_cast<std::uint8_t*>(o.bytes.data()), o.bytes.size()};
        msghdr& m = headers[i].msg_hdr;
        m = {};
        m.msg_name = const_cast<sockaddr_storage*>(&o.peer);
        m.msg_namelen = o.peer_len;
        m.msg_iov = &iovs[i];
        m.msg_iovlen = 1;
        // From the address the request was sent to (a host with several addresses must not
        // answer from another: the client would drop it), out of the same interface. A socket
        // bound to one address sends from it anyway.
        if (!wildcard_ || o.local.ss_family == 0) {
            // no control message
        } else if (o.local.ss_family == AF_INET && family_ == AF_INET) {
            m.msg_control = controls[i].data();
            m.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
            cmsghdr* c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = IPPROTO_IP;
            c->cmsg_type = IP_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
            in_pktinfo info{};
            info.ipi_spec_dst = reinterpret_cast<const sockaddr_in*>(&o.local)->sin_addr;
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
        } else if (family_ == AF_INET6) {
            m.msg_control = controls[i].data();
            m.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
            cmsghdr* c = CMSG_FIRSTHDR(&m);
            c->cmsg_level = IPPROTO_IPV6;
            c->cmsg_type = IPV6_PKTINFO;
            c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            in6_pktinfo info{};
            if (o.local.ss_family == AF_INET6) {
                info.ipi6_addr = reinterpret_cast<const sockaddr_in6*>(&o.local)->sin6_addr;
            } else { // an IPv4 request on a dual-stack socket: the v4-mapped form
                info.ipi6_addr.s6_addr[10] = info.ipi6_addr.s6_addr[11] = 0xff;
                std::memcpy(&info.ipi6_addr.s6_addr[12],
                            &reinterpret_cast<const sockaddr_in*>(&o.local)->sin_addr, 4);
            }
            info.ipi6_ifindex = static_cast<unsigned>(o.ifindex);
            std::memcpy(CMSG_DATA(c), &info, sizeof info);
        }
    }
    int sent;
    do {
        if (n == 1) // the server's replies go one by one, each just after its transmit stamp
            sent = ::sendmsg(fd_, &headers[0].msg_hdr, 0) < 0 ? -1 : 1;
        else
            sent = ::sendmmsg(fd_, headers.data(), static_cast<unsigned>(n), 0);
    } while (sent < 0 && errno == EINTR);
    return sent;
}

} // namespace superd::ntp
