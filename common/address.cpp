#include "common/address.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <charconv>
#include <cstring>
#include <netinet/in.h>

namespace superd::common {

namespace {

constexpr std::size_t max_address_text = INET6_ADDRSTRLEN;

int max_prefix(const IpAddress& a) {
    return a.is_v4() ? 32 : 128;
}

// Digits only (no sign, no blanks), at most max_digits of them, value <= max_value.
std::optional<unsigned> parse_decimal(std::string_view text, std::size_t max_digits,
                                      unsigned max_value) {
    if (text.empty() || text.size() > max_digits) return std::nullopt;
    if (!std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max_value) {
        return std::nullopt;
    }
    return value;
}

// Clears every bit after the first prefix_len bits of bytes[0, byte_count).
void clear_host_bits(std::array<std::uint8_t, 16>& bytes, std::size_t byte_count, int prefix_len) {
    for (std::size_t i = 0; i < byte_count; ++i) {
        int bits_here = std::clamp(prefix_len - static_cast<int>(i) * 8, 0, 8);
        auto mask = static_cast<std::uint8_t>(bits_here == 0 ? 0 : 0xFF << (8 - bits_here));
        bytes[i] &= mask;
    }
}

bool prefix_matches(const std::array<std::uint8_t, 16>& network,
                    const std::array<std::uint8_t, 16>& address, std::size_t byte_count,
                    int prefix_len) {
    std::array<std::uint8_t, 16> masked = address;
    clear_host_bits(masked, byte_count, prefix_len);
    return std::equal(network.begin(), network.begin() + static_cast<std::ptrdiff_t>(byte_count),
                      masked.begin());
}

} // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.v4_ = true;
    a.bytes_[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes_[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes_[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes_[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
    IpAddress a;
    a.v4_ = false;
    a.bytes_ = bytes;
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
    if (text.empty() || text.size() >= max_address_text) return std::nullopt;
    if (text.find('\0') != std::string_view::npos) return std::nullopt;
    char buffer[max_address_text] = {};
    std::memcpy(buffer, text.data(), text.size());

    std::array<std::uint8_t, 16> bytes{};
    if (text.find(':') != std::string_view::npos) {
        if (::inet_pton(AF_INET6, buffer, bytes.data()) != 1) return std::nullopt;
        return v6(bytes);
    }
    // glibc's inet_pton(AF_INET) takes exactly four decimal parts, unlike inet_aton.
    if (::inet_pton(AF_INET, buffer, bytes.data()) != 1) return std::nullopt;
    IpAddress a;
    a.bytes_ = bytes;
    return a;
}

std::optional<IpAddress> IpAddress::from_sockaddr(const sockaddr* sa, socklen_t len) {
    if (sa == nullptr || len < static_cast<socklen_t>(sizeof(sa_family_t))) return std::nullopt;
    if (sa->sa_family == AF_INET && len >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
        sockaddr_in sin{};
        std::memcpy(&sin, sa, sizeof sin);
        IpAddress a;
        std::memcpy(a.bytes_.data(), &sin.sin_addr, 4);
        return a;
    }
    if (sa->sa_family == AF_INET6 && len >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, sa, sizeof sin6);
        std::array<std::uint8_t, 16> bytes{};
        std::memcpy(bytes.data(), &sin6.sin6_addr, 16);
        return v6(bytes);
    }
    return std::nullopt;
}

bool IpAddress::is_v4_mapped() const {
    if (v4_) return false;
    for (std::size_t i = 0; i < 10; ++i) {
        if (bytes_[i] != 0) return false;
    }
    return bytes_[10] == 0xFF && bytes_[11] == 0xFF;
}

IpAddress IpAddress::unmapped() const {
    if (!is_v4_mapped()) return *this;
    IpAddress a;
    std::copy_n(bytes_.begin() + 12, 4, a.bytes_.begin());
    return a;
}

std::uint32_t IpAddress::v4_host_order() const {
    return static_cast<std::uint32_t>(bytes_[0]) << 24 |
           static_cast<std::uint32_t>(bytes_[1]) << 16 |
           static_cast<std::uint32_t>(bytes_[2]) << 8 | static_cast<std::uint32_t>(bytes_[3]);
}

bool IpAddress::is_unspecified() const {
    return std::ranges::all_of(bytes_, [](std::uint8_t b) { return b == 0; });
}

std::string IpAddress::str() const {
    char buffer[max_address_text] = {};
    if (::inet_ntop(v4_ ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof buffer) == nullptr) {
        return {};
    }
    return buffer;
}

Cidr::Cidr(IpAddress network, int prefix_len)
    : network_(network)
    , prefix_(std::clamp(prefix_len, 0, max_prefix(network))) {
    if (network_.is_v4()) {
        std::uint32_t mask = prefix_ == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_);
        network_ = IpAddress::v4(network_.v4_host_order() & mask);
    } else {
        std::array<std::uint8_t, 16> bytes = network_.v6_bytes();
        clear_host_bits(bytes, 16, prefix_);
        network_ = IpAddress::v6(bytes);
    }
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
    std::size_t slash = text.find('/');
    auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    int max_len = max_prefix(*address);
    if (slash == std::string_view::npos) return Cidr(*address, max_len);
    auto len = parse_decimal(text.substr(slash + 1), 3, static_cast<unsigned>(max_len));
    if (!len) return std::nullopt;
    return Cidr(*address, static_cast<int>(*len));
}

bool Cidr::contains(const IpAddress& address) const {
    if (network_.is_v4()) {
        IpAddress candidate = address.unmapped();
        if (!candidate.is_v4()) return false;
        return prefix_matches(network_.v6_bytes(), candidate.v6_bytes(), 4, prefix_);
    }
    if (!address.is_v6()) return false;
    return prefix_matches(network_.v6_bytes(), address.v6_bytes(), 16, prefix_);
}

std::string Cidr::str() const {
    return network_.str() + "/" + std::to_string(prefix_);
}

std::optional<Endpoint> Endpoint::from_sockaddr(const sockaddr* sa, socklen_t len) {
    auto address = IpAddress::from_sockaddr(sa, len);
    if (!address) return std::nullopt;
    Endpoint e;
    e.address = *address;
    if (address->is_v4()) {
        sockaddr_in sin{};
        std::memcpy(&sin, sa, sizeof sin);
        e.port = ntohs(sin.sin_port);
    } else {
        sockaddr_in6 sin6{};
        std::memcpy(&sin6, sa, sizeof sin6);
        e.port = ntohs(sin6.sin6_port);
    }
    return e;
}

socklen_t Endpoint::to_sockaddr(sockaddr_storage& storage) const {
    std::memset(&storage, 0, sizeof storage);
    if (address.is_v4()) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_port = htons(port);
        std::memcpy(&sin.sin_addr, address.v6_bytes().data(), 4);
        std::memcpy(&storage, &sin, sizeof sin);
        return sizeof sin;
    }
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(port);
    std::memcpy(&sin6.sin6_addr, address.v6_bytes().data(), 16);
    std::memcpy(&storage, &sin6, sizeof sin6);
    return sizeof sin6;
}

std::string Endpoint::str() const {
    std::string port_text = std::to_string(port);
    if (address.is_v4()) return address.str() + ":" + port_text;
    return "[" + address.str() + "]:" + port_text;
}

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
    std::string_view address_text;
    std::string_view port_text;
    bool bracketed = !text.empty() && text.front() == '[';
    if (bracketed) {
        std::size_t close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        address_text = text.substr(1, close - 1);
        port_text = text.substr(close + 2);
    } else {
        std::size_t colon = text.find(':');
        // A bare IPv6 address with a port is ambiguous; it must be bracketed.
        if (colon == std::string_view::npos ||
            text.find(':', colon + 1) != std::string_view::npos) {
            return std::nullopt;
        }
        address_text = text.substr(0, colon);
        port_text = text.substr(colon + 1);
    }
    auto address = IpAddress::parse(address_text);
    if (!address || address->is_v6() != bracketed) return std::nullopt;
    auto port = parse_decimal(port_text, 5, 65535);
    if (!port) return std::nullopt;
    return Endpoint{*address, static_cast<std::uint16_t>(*port)};
}

} // namespace superd::common
