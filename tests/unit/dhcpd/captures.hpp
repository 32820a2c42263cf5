#pragma once
// The real captures in captures/ (see its README): read as bytes, or decoded.
#include "dhcpd/packet.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace superd::dhcp::test {

// A .hex file: hex digits, anything else (line breaks) ignored.
inline std::vector<std::uint8_t> read_hex(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::uint8_t> out;
    std::string hex, line;
    while (std::getline(in, line))
        for (char c : line)
            if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return out;
}

// captures/<name>, decoded; a failure to decode fails the calling test.
inline Packet capture(const std::string& name) {
    auto p = decode(read_hex(std::filesystem::path(CAPTURE_DIR) / name));
    EXPECT_TRUE(p) << name;
    return p ? *p : Packet{};
}

} // namespace superd::dhcp::test
