#pragma once
// VNC password files in the vncpasswd format of TigerVNC, RealVNC and TightVNC: 8 bytes, the
// password (its first 8 bytes, zero-padded) DES-encrypted in ECB mode with a key every VNC
// implementation knows. This is obfuscation, not protection: whoever can read the file can
// recover the password, so the file must be readable by its owner only. A second 8-byte block,
// when present, is the view-only password (`vncpasswd` writes it when asked for one).
#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace superd::vnc {

// What VNC Authentication compares against: at most 8 bytes, no trailing NULs.
inline constexpr std::size_t max_password_length = 8;

using ObfuscatedPassword = std::array<std::uint8_t, 8>;

// The first 8 bytes of `password` (zero-padded), encrypted as vncpasswd does.
ObfuscatedPassword obfuscate_password(std::string_view password);
// The inverse: the password up to its first NUL byte.
std::string deobfuscate_password(std::span<const std::uint8_t, 8> block);

struct Passwords {
    std::string full;                    // full access
    std::optional<std::string> viewonly; // view-only access (keyboard and mouse ignored)
};

// The file's bytes (8: full; 16: full + view-only). Error: what is wrong with them.
std::expected<Passwords, std::string> parse_password_file(std::span<const std::uint8_t> bytes);
// The bytes of a file holding `password` (and `viewonly`, if any).
std::string format_password_file(std::string_view password,
                                 const std::optional<std::string>& viewonly);

// Reads and parses the file. Error: "PATH: reason".
std::expected<Passwords, std::string> read_password_file(const std::string& path);
// Writes the file crash-safely (temp + fsync + rename + directory fsync) with mode 0600.
// Error: "PATH: what failed".
std::expected<void, std::string>
write_password_file(const std::string& path, std::string_view password,
                    const std::optional<std::string>& viewonly = std::nullopt);

} // namespace superd::vnc
