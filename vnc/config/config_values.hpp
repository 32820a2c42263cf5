#pragma once
// Internal to the vnc.ini parser: one function per kind of value. Each returns the value or the
// message for the operator (without file:line, which the caller adds).
#include "common/address.hpp"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace superd::vnc::detail {

// "'text'"
std::string quote(std::string_view text);

// A decimal integer in lo..hi, for `key`.
std::expected<long long, std::string> parse_integer(std::string_view key, std::string_view text,
                                                    long long lo, long long hi);

struct Geometry {
    int columns = 0;
    int rows = 0;
};
// COLUMNSxROWS within the limits of config.hpp.
std::expected<Geometry, std::string> parse_geometry(std::string_view text);

// yes/no, true/false, on/off, 1/0.
std::expected<bool, std::string> parse_yes_no(std::string_view key, std::string_view text);

// Bytes: N, NK or NKiB (x1024), NM or NMiB (x1024x1024), at most `hi` bytes.
std::expected<std::uint64_t, std::string> parse_size(std::string_view key, std::string_view text,
                                                     std::uint64_t hi);

// `listen`: ADDR, ADDR:PORT, [V6ADDR] or [V6ADDR]:PORT; numeric addresses only.
struct ListenValue {
    common::IpAddress address;
    std::optional<std::uint16_t> port;
};
std::expected<ListenValue, std::string> parse_listen(std::string_view text);

// `path` relative to the folder of `file` (as given, so relative to the same working folder).
std::string relative_to_file(const std::string& file, std::string_view path);

} // namespace superd::vnc::detail
