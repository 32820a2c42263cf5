#pragma once
// The NTPv4 message (RFC 5905 section 7.3) and its codec: the 48-byte header, extension fields
// (RFC 7822) kept as bytes, and the optional MAC (key id + digest). Bytes in, a Packet or a
// reason out, and back. No sockets, no clock, no logging. Mode 6 (control) messages have a
// header of their own and are not decoded here.
#include "ntpd/timestamp.hpp"

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace superd::ntp {

enum class Mode : std::uint8_t {
    reserved = 0,
    symmetric_active = 1,
    symmetric_passive = 2,
    client = 3,
    server = 4,
    broadcast = 5,
    control = 6,
    private_use = 7,
};

enum class Leap : std::uint8_t { none = 0, add_second = 1, delete_second = 2, unsynchronized = 3 };

inline constexpr std::size_t header_size = 48;
// The longest MAC: key id + a 20-byte SHA1 digest (RFC 7822 section 7.5: a field after the
// header longer than this is an extension field).
inline constexpr std::size_t max_mac_size = 24;

struct Mac {
    std::uint32_t key_id = 0;
    std::vector<std::uint8_t> digest; // empty: a crypto-NAK (key id 0, RFC 5905 7.3)
    bool operator==(const Mac&) const = default;
};

struct Packet {
    Leap leap = Leap::none;
    std::uint8_t version = 4;
    Mode mode = Mode::client;
    std::uint8_t stratum = 0;
    std::int8_t poll = 0;
    std::int8_t precision = 0;
    std::uint32_t root_delay = 0;      // 16.16 short format
    std::uint32_t root_dispersion = 0; // 16.16 short format
    std::uint32_t reference_id = 0;    // as on the wire (big-endian bytes, read as one number)
    Timestamp reference, origin, receive, transmit;
    std::vector<std::uint8_t> extensions; // the extension fields, whole, as they came
    std::optional<Mac> mac;

    bool operator==(const Packet&) const = default;
};

enum class DecodeError {
    too_short,       // less than the 48-byte header
    bad_version,     // version 0, or above 4
    control_message, // mode 6: a control message, not this format
    bad_extension,   // an extension field's length is short, unaligned or runs past the end
    bad_trailer,     // bytes after the header that are neither extension fields nor a MAC
};
std::string_view to_string(DecodeError error);

std::expected<Packet, DecodeError> decode(std::span<const std::uint8_t> bytes);
// The header, the extension fields, then the MAC if any.
std::vector<std::uint8_t> encode(const Packet& packet);
// The same into `out`, replacing what it held (the server reuses one buffer per reply slot).
void encode_into(const Packet& packet, std::vector<std::uint8_t>& out);
// How many of the encoded bytes a MAC covers (all before it).
std::size_t mac_covered_size(const Packet& packet);
// The transmit timestamp's offset in the header: the I/O layer writes it last, just before the
// send, so that it is as late as possible (RFC 5905 section 8's "as late as possible").
inline constexpr std::size_t transmit_offset = 40;
void write_timestamp(std::span<std::uint8_t> at, Timestamp ts);

// A reference id of four ASCII characters ("LOCL", "RATE", "DENY" ...), as on the wire.
constexpr std::uint32_t ascii_id(const char (&code)[5]) {
    return std::uint32_t(std::uint8_t(code[0])) << 24 | std::uint32_t(std::uint8_t(code[1])) << 16 |
           std::uint32_t(std::uint8_t(code[2])) << 8 | std::uint32_t(std::uint8_t(code[3]));
}

} // namespace superd::ntp
