#pragma once
// gzip decompression with a cap on the output size (zlib).
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <vector>

namespace superd::vnc {

bool is_gzip(std::span<const std::uint8_t> bytes);
// The decompressed bytes, at most `max_bytes` of them. Error: "gzip: <why>".
std::expected<std::vector<std::uint8_t>, std::string> gunzip(std::span<const std::uint8_t> bytes,
                                                             std::size_t max_bytes);

} // namespace superd::vnc
