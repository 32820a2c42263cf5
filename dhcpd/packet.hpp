#pragma once
// The DHCPv4 / BOOTP message (RFC 2131, RFC 951) and its wire codec: bytes in, a Packet or a
// reason out, and back. No sockets, no logging, no clock: the engine decides, logs and counts.
#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace superd::dhcp {

enum class MessageType : std::uint8_t {
    discover = 1,
    offer = 2,
    request = 3,
    decline = 4,
    ack = 5,
    nak = 6,
    release = 7,
    inform = 8,
};
std::string_view to_string(MessageType type); // "DHCPDISCOVER", ... as ISC dhcpd logs them

namespace option {
inline constexpr std::uint8_t pad = 0;
inline constexpr std::uint8_t subnet_mask = 1;
inline constexpr std::uint8_t routers = 3;
inline constexpr std::uint8_t domain_name_servers = 6;
inline constexpr std::uint8_t host_name = 12;
inline constexpr std::uint8_t domain_name = 15;
inline constexpr std::uint8_t interface_mtu = 26;
inline constexpr std::uint8_t broadcast_address = 28;
inline constexpr std::uint8_t ntp_servers = 42;
inline constexpr std::uint8_t requested_address = 50;
inline constexpr std::uint8_t lease_time = 51;
inline constexpr std::uint8_t overload = 52;
inline constexpr std::uint8_t message_type = 53;
inline constexpr std::uint8_t server_identifier = 54;
inline constexpr std::uint8_t parameter_request_list = 55;
inline constexpr std::uint8_t message = 56;
inline constexpr std::uint8_t max_message_size = 57;
inline constexpr std::uint8_t renewal_time = 58;
inline constexpr std::uint8_t rebinding_time = 59;
inline constexpr std::uint8_t vendor_class = 60;
inline constexpr std::uint8_t client_identifier = 61;
inline constexpr std::uint8_t tftp_server_name = 66;
inline constexpr std::uint8_t bootfile_name = 67;
inline constexpr std::uint8_t user_class = 77;
inline constexpr std::uint8_t relay_agent_information = 82;
inline constexpr std::uint8_t domain_search = 119;
inline constexpr std::uint8_t classless_static_routes = 121;
inline constexpr std::uint8_t end = 255;
} // namespace option

inline constexpr std::size_t fixed_size = 236; // op .. file, before the options
inline constexpr std::size_t sname_size = 64;
inline constexpr std::size_t file_size = 128;
inline constexpr std::size_t min_dhcp_size = 576; // every client accepts this (RFC 2131 2)
inline constexpr std::size_t bootp_size = 300;    // replies are padded to at least this
inline constexpr std::uint16_t broadcast_flag = 0x8000;
inline constexpr std::array<std::uint8_t, 4> magic_cookie{99, 130, 83, 99};

struct Packet {
    std::uint8_t op = 1; // 1 BOOTREQUEST, 2 BOOTREPLY
    std::uint8_t htype = 1;
    std::uint8_t hlen = 6;
    std::uint8_t hops = 0;
    std::uint32_t xid = 0;
    std::uint16_t secs = 0;
    std::uint16_t flags = 0;
    // IPv4 addresses in host byte order.
    std::uint32_t ciaddr = 0, yiaddr = 0, siaddr = 0, giaddr = 0;
    std::array<std::uint8_t, 16> chaddr{};
    // The sname and file fields as text (up to the first NUL), when they are not used to carry
    // options (option 52).
    std::string sname, file;
    // False for a plain BOOTP message (no magic cookie): no options then.
    bool dhcp = true;
    // Options in the order they first appear; a code that appears more than once is one option
    // whose value is the parts joined (RFC 3396). Pad, end and overload are not kept here.
    std::vector<std::pair<std::uint8_t, std::vector<std::uint8_t>>> options;

    const std::vector<std::uint8_t>* find(std::uint8_t code) const;
    void set(std::uint8_t code, std::vector<std::uint8_t> value); // replaces, or appends
    void erase(std::uint8_t code);

    std::optional<MessageType> message_type() const;
    std::optional<std::uint32_t> ip_option(std::uint8_t code) const; // exactly 4 bytes
    std::optional<std::uint32_t> u32_option(std::uint8_t code) const;
    std::optional<std::uint16_t> u16_option(std::uint8_t code) const;
    std::span<const std::uint8_t> hardware_address() const; // chaddr[0 .. min(hlen, 16))
};

enum class DecodeError {
    too_short,        // less than the 236-byte fixed part
    bad_op,           // op is neither 1 nor 2
    bad_hlen,         // hlen larger than chaddr
    truncated_option, // an option's length runs past its field
    bad_overload,     // option 52 not 1, 2 or 3, or not one byte
    bad_message_type, // option 53 not one byte, or not 1..8
};
std::string_view to_string(DecodeError error);

std::expected<Packet, DecodeError> decode(std::span<const std::uint8_t> bytes);

enum class EncodeError {
    too_big, // the options do not fit in max_size, even using the file and sname fields
};
std::string_view to_string(EncodeError error);

// The message as sent: options field first; what does not fit within max_size (at least
// min_dhcp_size) goes to the file field, then sname, with option 52 saying so, when those fields
// are empty. Options longer than 255 bytes are split (RFC 3396). Padded to bootp_size.
std::expected<std::vector<std::uint8_t>, EncodeError> encode(const Packet& packet,
                                                             std::size_t max_size = min_dhcp_size);

} // namespace superd::dhcp
