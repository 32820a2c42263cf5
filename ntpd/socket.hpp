#pragma once
// superd-ntpd's UDP socket, bound by us (standalone) or handed over on fd 0 by superd. Every
// datagram comes with the kernel's receive time (SO_TIMESTAMPNS: stamped when the packet
// arrived, not when we got round to it) and the local address it was sent to (so the reply
// leaves from the address that was asked). Reads and writes go in batches (recvmmsg,
// sendmmsg): one system call for many requests under load. A socket bound to one address
// (not a wildcard) can only be asked at that address: it neither asks for nor sends IP_PKTINFO
// (the kernel's per-packet cost of both: a control message in, a source check and a route
// lookup by source out), and every datagram's `local` is the bound address.
#include "common/address.hpp"

#include <array>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

namespace superd::ntp {

// Bounds one request: a header, extension fields, a MAC. Longer datagrams are cut and dropped.
inline constexpr std::size_t max_request = 1024;

struct Datagram {
    std::array<std::uint8_t, max_request> buffer;
    std::size_t size = 0;
    bool truncated = false;
    sockaddr_storage peer{};
    socklen_t peer_len = 0;
    // Where it was sent to (ours): IPv4 (in_addr) or IPv6 (in6_addr, v4-mapped for IPv4 on a
    // dual-stack socket), and the interface.
    sockaddr_storage local{};
    int ifindex = 0;
    std::int64_t received_ns = 0; // CLOCK_REALTIME, from the kernel; 0 if it gave none

    std::span<const std::uint8_t> bytes() const { return {buffer.data(), size}; }
};

struct Outgoing {
    std::vector<std::uint8_t> bytes;
    sockaddr_storage peer{};
    socklen_t peer_len = 0;
    sockaddr_storage local{};
    int ifindex = 0;
};

class NtpSocket {
  public:
    NtpSocket() = default;
    ~NtpSocket();
    NtpSocket(NtpSocket&& other) noexcept;
    NtpSocket& operator=(NtpSocket&& other) noexcept;

    // ADDR:PORT (IPv4, or IPv6 with "::" dual-stack), non-blocking, timestamps and pktinfo on.
    static std::expected<NtpSocket, std::string> bind(const common::IpAddress& address,
                                                      std::uint16_t port);
    // The bound UDP socket on `fd` (superd's dgram wait=yes hand-off); takes ownership.
    static std::expected<NtpSocket, std::string> adopt(int fd);

    int fd() const { return fd_; }
    int family() const { return family_; }
    // Bound to a wildcard address (0.0.0.0 or ::): the local address comes with each datagram.
    bool wildcard() const { return wildcard_; }

    // Fills `out` (resized to what arrived, at most its capacity) without blocking. Returns
    // the count; 0 when none was queued; -1 on an error (errno).
    int receive(std::vector<Datagram>& out, std::size_t max);
    // Sends them all (as far as the socket takes them); the count sent, or -1 (errno).
    int send(std::span<const Outgoing> batch);

    // Room for a timestamp and a pktinfo of either family.
    static constexpr std::size_t control_size = CMSG_SPACE(sizeof(timespec)) +
                                                CMSG_SPACE(sizeof(in6_pktinfo)) +
                                                CMSG_SPACE(sizeof(in_pktinfo));

  private:
    explicit NtpSocket(int fd);
    std::expected<void, std::string> prepare();
    int fd_ = -1;
    int family_ = 0;
    bool wildcard_ = true;
    sockaddr_storage bound_{}; // when not wildcard_: the bound address (port 0), as `local`
    // Reused from batch to batch: no allocation per system call.
    std::vector<mmsghdr> headers_;
    std::vector<iovec> iovs_;
    std::vector<std::array<char, control_size>> controls_;
};

} // namespace superd::ntp
