#pragma once
// The INTERNAL services' protocols as pure functions, byte for byte as xinetd's builtins.c.
#include "superd/builtins_table.hpp"

#include <array>
#include <cstdint>
#include <ctime>
#include <string>

namespace superd::daemon {

// RFC 867 daytime as xinetd writes it: "DD MON YYYY HH:MM:SS ZONE\r\n" in local time.
std::string daytime_text(std::time_t now);

// RFC 868 time: seconds since 1900-01-01 as 32 bits, big-endian.
std::array<std::uint8_t, 4> time_bytes(std::time_t now);

// RFC 864 chargen: 72 printable characters and CRLF per line, each line starting one
// character further along a ring of the 93 characters '!'..'}'.
class Chargen {
  public:
    static constexpr std::size_t line_length = 72;
    // Appends one line of at most min(72, room - 2) characters plus CRLF (nothing if room < 2).
    void next_line(std::string& out, std::size_t room = line_length + 2);
    // One datagram as xinetd sends it: lines filling 1024 bytes.
    std::string datagram();

  private:
    std::size_t offset_ = 0;
};

// TCPMUX (RFC 1078) replies. xinetd also sends the terminating NUL of its C strings; we do not.
inline constexpr const char* tcpmux_ack = "+Go\r\n";
inline constexpr const char* tcpmux_not_found = "-Service name not found\r\n";

} // namespace superd::daemon
