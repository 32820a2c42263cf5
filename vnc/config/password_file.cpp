#include "vnc/config/password_file.hpp"

#include "common/durable_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

// DES through OpenSSL's low-level API, deprecated in OpenSSL 3 but still built into libcrypto.
// The alternative, EVP with "DES-ECB", needs the legacy provider loaded at run time (a module
// file that may be missing, and process-wide state); one 8-byte block with a fixed key needs
// neither. Defining this before the include silences the deprecation for this file only.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/des.h>

namespace superd::vnc {

namespace {

// The key of vncpasswd's obfuscation: {23, 82, 107, 6, 35, 78, 88, 7} as written in VNC's
// d3des-based sources, whose key schedule reads every byte's bits least significant first.
// Standard DES (OpenSSL) reads them most significant first, so the same key is each byte with
// its bits reversed. Checked against tigervncpasswd 1.12: "password" -> dbd83cfd727a1458.
constexpr DES_cblock obfuscation_key = {0xE8, 0x4A, 0xD6, 0x60, 0xC4, 0x72, 0x1A, 0xE0};

std::array<std::uint8_t, 8> des_block(const std::array<std::uint8_t, 8>& in, bool encrypt) {
    DES_key_schedule schedule;
    DES_cblock key;
    std::memcpy(key, obfuscation_key, sizeof key);
    DES_set_key_unchecked(&key, &schedule);
    DES_cblock input;
    DES_cblock output;
    std::memcpy(input, in.data(), sizeof input);
    DES_ecb_encrypt(&input, &output, &schedule, encrypt ? DES_ENCRYPT : DES_DECRYPT);
    std::array<std::uint8_t, 8> out;
    std::memcpy(out.data(), output, out.size());
    return out;
}

std::unexpected<std::string> failure(const std::string& path, const std::string& what) {
    return std::unexpected(path + ": " + what);
}

} // namespace

ObfuscatedPassword obfuscate_password(std::string_view password) {
    std::array<std::uint8_t, 8> plain{};
    std::copy_n(password.begin(), std::min(password.size(), plain.size()), plain.begin());
    return des_block(plain, true);
}

std::string deobfuscate_password(std::span<const std::uint8_t, 8> block) {
    std::array<std::uint8_t, 8> in;
    std::ranges::copy(block, in.begin());
    std::array<std::uint8_t, 8> plain = des_block(in, false);
    auto end = std::ranges::find(plain, 0);
    return std::string(plain.begin(), end);
}

std::expected<Passwords, std::string> parse_password_file(std::span<const std::uint8_t> bytes) {
    if (bytes.size() != 8 && bytes.size() != 16)
        return std::unexpected("a vncpasswd file has 8 bytes (16 with a view-only password), not " +
                               std::to_string(bytes.size()));
    Passwords out;
    out.full = deobfuscate_password(bytes.first<8>());
    if (bytes.size() == 16) out.viewonly = deobfuscate_password(bytes.subspan<8, 8>());
    return out;
}

std::string format_password_file(std::string_view password,
                                 const std::optional<std::string>& viewonly) {
    std::string out;
    for (std::uint8_t b : obfuscate_password(password))
        out += static_cast<char>(b);
    if (viewonly)
        for (std::uint8_t b : obfuscate_password(*viewonly))
            out += static_cast<char>(b);
    return out;
}

std::expected<Passwords, std::string> read_password_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failure(path, std::strerror(errno));
    // One byte more than a valid file can hold tells a too long file apart without reading
    // whatever the path names (a device never ends).
    std::array<std::uint8_t, 17> buffer;
    std::size_t size = 0;
    while (size < buffer.size()) {
        ssize_t n = ::read(fd, buffer.data() + size, buffer.size() - size);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            ::close(fd);
            return failure(path, std::strerror(err));
        }
        if (n == 0) break;
        size += static_cast<std::size_t>(n);
    }
    ::close(fd);
    if (size == buffer.size())
        return failure(path, "a vncpasswd file has 8 bytes (16 with a view-only password), "
                             "this one more than 16");
    auto passwords = parse_password_file(std::span<const std::uint8_t>(buffer.data(), size));
    if (!passwords) return failure(path, passwords.error());
    return passwords;
}

std::expected<void, std::string> write_password_file(const std::string& path,
                                                     std::string_view password,
                                                     const std::optional<std::string>& viewonly) {
    return common::write_file_atomic(path, format_password_file(password, viewonly), 0600);
}

} // namespace superd::vnc
