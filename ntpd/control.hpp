#pragma once
// NTP mode 6 control messages (RFC 9327, formerly RFC 1305 appendix B): what ntpq sends (read
// status, read variables) and the fragmented responses it expects. Sans-I/O: bytes in, a
// request or a reason out; a response's data in, its fragments out. Read-only: we answer
// READSTAT and READVAR and refuse the rest with an error response.
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace superd::ntp {

namespace opcode {
inline constexpr std::uint8_t read_status = 1;
inline constexpr std::uint8_t read_variables = 2;
inline constexpr std::uint8_t write_variables = 3;
inline constexpr std::uint8_t read_clock = 4;
inline constexpr std::uint8_t configure = 8;
inline constexpr std::uint8_t read_mru = 10;
inline constexpr std::uint8_t request_nonce = 12;
} // namespace opcode

// Error codes of a response's status word (RFC 9327 section 3.3.4).
enum class ControlError : std::uint8_t {
    unspecified = 0,
    permission_denied = 1,
    bad_format = 2,
    unknown_opcode = 3,
    unknown_association = 4,
    unknown_variable = 5,
    bad_value = 6,
    administratively_prohibited = 7,
};

inline constexpr std::size_t control_header_size = 12;
// The most data one response fragment carries (ntpd's CTL_MAX_DATA_LEN).
inline constexpr std::size_t control_max_fragment = 468;

struct ControlRequest {
    std::uint8_t version = 2;
    std::uint8_t opcode = 0;
    std::uint16_t sequence = 0;
    std::uint16_t association = 0;
    std::string data;           // e.g. "srcadr,stratum" for READVAR: the variables asked for
    bool authenticated = false; // a MAC follows the (padded) data; verifying it is the caller's
};

enum class ControlDecodeError {
    too_short,   // under the 12-byte header
    not_control, // mode is not 6
    is_response, // the R bit is set: never answer a response
    bad_count,   // the data count runs past the datagram
    fragmented,  // M bit or an offset: requests come whole
};
std::string_view to_string(ControlDecodeError error);

std::expected<ControlRequest, ControlDecodeError> decode_control(std::span<const std::uint8_t> b);

// The response datagrams: `data` split into fragments of at most control_max_fragment bytes,
// each padded to a multiple of 4, with the More bit on all but the last.
std::vector<std::vector<std::uint8_t>> encode_control_response(const ControlRequest& request,
                                                               std::uint16_t status,
                                                               std::uint16_t association,
                                                               std::string_view data);
// An error response: E bit set, the error in the status word's high byte, no data.
std::vector<std::uint8_t> encode_control_error(const ControlRequest& request, ControlError error);

// The names in a READVAR request's data ("a,b, c"), trimmed, empties dropped.
std::vector<std::string> variable_names(std::string_view data);
// One variable of a READVAR response. ntpd quotes free text (version, system) and writes
// numbers, hex timestamps, reference ids and addresses bare.
struct Variable {
    std::string name, value;
    bool quoted = false;
};
// "name=value, name=\"text\"" as ntpd writes it.
std::string format_variables(const std::vector<Variable>& vars);

} // namespace superd::ntp
