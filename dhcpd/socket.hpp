#pragma once
// The DHCP server's UDP socket, bound by us (standalone) or handed over on fd 0 (superd, inetd).
// IP_PKTINFO tells which interface each request came in on and which of our addresses it was
// sent to; replies go out of that same interface, from that address, even when broadcast.
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace superd::dhcp {

struct Datagram {
    std::vector<std::uint8_t> bytes;
    std::uint32_t source = 0; // host order
    std::uint16_t source_port = 0;
    int ifindex = 0;
    std::uint32_t local_address = 0; // ipi_spec_dst: our address on the arrival interface
    std::uint32_t destination = 0;   // ipi_addr: where it was sent (ours, or a broadcast)
    bool truncated = false;          // larger than the buffer: the tail was cut
};

// Bounds what one datagram may be (a DHCP message is 576..1500 bytes on Ethernet).
inline constexpr std::size_t max_datagram = 4096;

class DhcpSocket {
  public:
    DhcpSocket() = default;
    ~DhcpSocket();
    DhcpSocket(DhcpSocket&& other) noexcept;
    DhcpSocket& operator=(DhcpSocket&& other) noexcept;

    // 0.0.0.0:port, SO_REUSEADDR, SO_BROADCAST, IP_PKTINFO, a receive buffer large enough to
    // hold a burst while a lease commit is syncing, non-blocking.
    static std::expected<DhcpSocket, std::string> bind(std::uint16_t port);
    // The bound UDP socket on `fd` (superd's dgram wait=yes hand-off); takes ownership.
    static std::expected<DhcpSocket, std::string> adopt(int fd);

    int fd() const { return fd_; }
    std::uint16_t port() const { return port_; }

    // One queued datagram, without blocking; nullopt when none is (or on an error, in errno).
    std::optional<Datagram> receive();
    // Sends from `source` (0: the kernel's choice) out of interface `ifindex` (0: by route).
    std::expected<void, std::string> send(std::span<const std::uint8_t> bytes,
                                          std::uint32_t address, std::uint16_t port, int ifindex,
                                          std::uint32_t source);

  private:
    explicit DhcpSocket(int fd);
    std::expected<void, std::string> prepare();
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

// Adds a complete ARP entry `address` -> `mac` on interface `ifname` (SIOCSARP), so that a reply
// can be unicast to a client that cannot answer ARP yet (RFC 2131 4.1). Needs CAP_NET_ADMIN.
std::expected<void, std::string> set_arp_entry(int fd, const std::string& ifname,
                                               std::uint32_t address,
                                               std::span<const std::uint8_t> mac);

} // namespace superd::dhcp
