#pragma once
// The symmetric key file, ntp.keys(5) as ntpsec and ntpd read it: one key a line,
//
//     KEYID TYPE KEY      # comment
//
// KEYID 1..65535 (0 is the crypto-NAK's, RFC 5905 section 7.3); TYPE MD5, SHA1 or AES128CMAC,
// case-insensitive, with the aliases ntpsec also takes (M, SHA-1, AES, AES-128); KEY of up to 20
// characters is the ASCII text itself, a longer one is hex. Sans-I/O: text in, a table and
// `file:line: message` diagnostics out, never a throw on bad text. The caller reads the file and
// warns when others can read it (ntpsec's keys are 0600 by convention).
#include "common/diagnostics.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::ntp {

enum class KeyType : std::uint8_t {
    md5,         // RFC 5905: MD5(key || packet), 16 bytes
    sha1,        // ntpd's SHA1(key || packet), 20 bytes
    aes128_cmac, // RFC 8573: AES-CMAC(key, packet) with a 16-byte key, 16 bytes
};
// The canonical spelling ntpsec documents: "MD5", "SHA1", "AES128CMAC".
std::string_view to_string(KeyType type);
// Case-insensitive; accepts the canonical names and ntpsec's aliases. Not "AES-128-CMAC":
// neither ntpsec's ntpd nor its ntpdig knows that name.
std::optional<KeyType> key_type_from(std::string_view name);
// Length of the digest that follows the key id on the wire.
std::size_t digest_size(KeyType type);

inline constexpr std::uint32_t max_key_id = 65535;
// An ASCII key is at most this long; a longer KEY field is hex (ntpsec, ntpd 4.2.8).
inline constexpr std::size_t max_ascii_key_chars = 20;
// ntpsec keeps the first 64 hex digits of a longer key (32 bytes); so do we, with a warning.
inline constexpr std::size_t max_key_bytes = 32;
inline constexpr std::size_t aes128_key_bytes = 16;
// The whole file: keys are a few dozen lines; anything this big is not a key file.
inline constexpr std::size_t max_keys_file_bytes = 1u << 20;

struct Key {
    std::uint32_t id = 0;
    KeyType type = KeyType::md5;
    std::vector<std::uint8_t> secret; // MD5/SHA1: 1..32 bytes; AES128CMAC: exactly 16
    common::SourceLocation where;

    bool operator==(const Key&) const = default;
};

// Immutable once parsed; looked up by the key id a packet's MAC names.
class KeyTable {
  public:
    // Nullptr when the id is unknown.
    const Key* find(std::uint32_t id) const;
    // False (and no change) when the id is already there.
    bool insert(Key key);
    std::size_t size() const { return keys_.size(); }
    bool empty() const { return keys_.empty(); }
    const std::map<std::uint32_t, Key>& all() const { return keys_; }

  private:
    std::map<std::uint32_t, Key> keys_;
};

// Every bad line is one error (the line's key is left out), and all are reported. A key that
// ntpsec would truncate is kept truncated, with a warning.
KeyTable parse_keys(std::string_view text, const std::string& file_name,
                    common::Diagnostics& diags);

} // namespace superd::ntp
