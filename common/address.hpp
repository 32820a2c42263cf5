#pragma once
// IPv4/IPv6 addresses and CIDR prefixes, without any I/O library.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sys/socket.h>

namespace superd::common {

class IpAddress {
  public:
    IpAddress() = default; // 0.0.0.0
    static IpAddress v4(std::uint32_t host_order);
    static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);
    // Numeric IPv4 (dotted quad only) or IPv6 (inet_pton syntax, no brackets, no zone).
    static std::optional<IpAddress> parse(std::string_view text);
    // From a sockaddr_in / sockaddr_in6; nullopt for any other family.
    static std::optional<IpAddress> from_sockaddr(const sockaddr* sa, socklen_t len);

    bool is_v4() const { return v4_; }
    bool is_v6() const { return !v4_; }
    // ::ffff:a.b.c.d
    bool is_v4_mapped() const;
    // a v4-mapped IPv6 address becomes the IPv4 address; any other address is returned as is.
    IpAddress unmapped() const;
    std::uint32_t v4_host_order() const;                                    // valid when is_v4()
    const std::array<std::uint8_t, 16>& v6_bytes() const { return bytes_; } // valid when is_v6()
    bool is_unspecified() const;
    std::string str() const; // inet_ntop form

    auto operator<=>(const IpAddress&) const = default;

  private:
    bool v4_ = true;
    std::array<std::uint8_t, 16> bytes_{}; // v4: first 4 bytes, network order
};

class Cidr {
  public:
    Cidr() = default;
    Cidr(IpAddress network, int prefix_len); // host bits are cleared
    // "a.b.c.d/n", "v6addr/n", or a bare address (full-length prefix).
    static std::optional<Cidr> parse(std::string_view text);
    // An IPv4 prefix also matches the v4-mapped IPv6 form of its addresses.
    bool contains(const IpAddress& address) const;
    const IpAddress& network() const { return network_; }
    int prefix_len() const { return prefix_; }
    std::string str() const; // "net/len"
    auto operator<=>(const Cidr&) const = default;

  private:
    IpAddress network_;
    int prefix_ = 32;
};

// An address with a port, convertible to and from sockaddr_storage.
struct Endpoint {
    IpAddress address;
    std::uint16_t port = 0;
    static std::optional<Endpoint> from_sockaddr(const sockaddr* sa, socklen_t len);
    // Fills storage, returns the length to pass to bind/connect/sendto.
    socklen_t to_sockaddr(sockaddr_storage& storage) const;
    // "1.2.3.4:80" or "[::1]:80"
    std::string str() const;
    // Parses "ADDR:PORT", "[V6ADDR]:PORT".
    static std::optional<Endpoint> parse(std::string_view text);
};

} // namespace superd::common
