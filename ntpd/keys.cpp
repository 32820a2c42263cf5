// ntp.keys(5). The rules are ntpsec's authreadkeys() (and ntpdig's Authenticator, which must
// agree with it to interoperate), made strict where ntpsec guesses: ntpsec reads "12abc" as key
// 12, drops an odd hex digit, silently takes the last of two lines for one id, and pads or cuts
// an AES key to 16 bytes (its ntpdig 1.2.2 pads with uninitialised bytes, so a short AES key
// interoperates with nothing). Each of those is an error here.
#include "ntpd/keys.hpp"

#include "common/config_lines.hpp"

#include <charconv>
#include <utility>

namespace superd::ntp {

namespace {

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// What the KEY field decodes to, or why it does not. Messages never quote the key: they end
// up in logs.
struct Secret {
    std::vector<std::uint8_t> bytes;
    std::string error;             // empty when good
    std::string warning;           // a truncation ntpsec does too
    std::size_t written_bytes = 0; // the key's length as written, before any truncation
};

Secret decode_secret(std::string_view text) {
    Secret s;
    if (text.size() <= max_ascii_key_chars) {
        for (char c : text) {
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x21 || u > 0x7e) {
                s.error = "non-printable character in the key (an ASCII key is printable "
                          "characters, a key longer than 20 is hex)";
                return s;
            }
            s.bytes.push_back(u);
        }
        s.written_bytes = s.bytes.size();
        return s;
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (hex_value(text[i]) < 0) {
            s.error = "character " + std::to_string(i + 1) +
                      " of the key is not a hex digit (a key longer than 20 characters is hex)";
            return s;
        }
    }
    if (text.size() % 2 != 0) {
        s.error = "hex key has an odd number of digits (" + std::to_string(text.size()) + ")";
        return s;
    }
    s.written_bytes = text.size() / 2;
    if (text.size() > 2 * max_key_bytes) {
        s.warning = "hex key of " + std::to_string(text.size()) +
                    " digits is cut to its first 64 (32 bytes), as ntpsec does";
        text = text.substr(0, 2 * max_key_bytes);
    }
    for (std::size_t i = 0; i < text.size(); i += 2)
        s.bytes.push_back(
            static_cast<std::uint8_t>(hex_value(text[i]) * 16 + hex_value(text[i + 1])));
    return s;
}

// The id field: decimal digits only, 1..65535. Error text, or empty.
std::string parse_id(std::string_view text, std::uint32_t& id) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::invalid_argument || end != text.data() + text.size())
        return "key id '" + std::string(text) + "' is not a number";
    if (ec == std::errc::result_out_of_range || value == 0 || value > max_key_id)
        return "key id " + std::string(text) + " is out of range 1.." + std::to_string(max_key_id);
    id = static_cast<std::uint32_t>(value);
    return {};
}

} // namespace

std::string_view to_string(KeyType type) {
    switch (type) {
    case KeyType::md5:
        return "MD5";
    case KeyType::sha1:
        return "SHA1";
    case KeyType::aes128_cmac:
        return "AES128CMAC";
    }
    return "?";
}

std::optional<KeyType> key_type_from(std::string_view name) {
    const std::string u = upper(name);
    // "M" is ntpd's old one-letter type for an MD5 key, still read by ntpsec's ntpd.
    if (u == "MD5" || u == "M") return KeyType::md5;
    if (u == "SHA1" || u == "SHA-1") return KeyType::sha1;
    if (u == "AES128CMAC" || u == "AES" || u == "AES-128") return KeyType::aes128_cmac;
    return std::nullopt;
}

std::size_t digest_size(KeyType type) {
    return type == KeyType::sha1 ? 20 : 16;
}

const Key* KeyTable::find(std::uint32_t id) const {
    const auto it = keys_.find(id);
    return it == keys_.end() ? nullptr : &it->second;
}

bool KeyTable::insert(Key key) {
    const std::uint32_t id = key.id;
    return keys_.try_emplace(id, std::move(key)).second;
}

KeyTable parse_keys(std::string_view text, const std::string& file_name,
                    common::Diagnostics& diags) {
    KeyTable table;
    if (text.size() > max_keys_file_bytes) {
        diags.error({file_name, 0}, "larger than " + std::to_string(max_keys_file_bytes) +
                                        " bytes: not a key file");
        return table;
    }
    std::map<std::uint32_t, int> first_line; // every id named on a line, good or bad
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        // ntpsec ends every token at '#', so a comment may follow a key without a blank.
        line = line.substr(0, line.find('#'));
        const std::vector<std::string> fields = common::split_blanks(common::trim(line));
        if (fields.empty()) continue;

        const common::SourceLocation where{file_name, line_no};
        std::uint32_t id = 0;
        if (std::string e = parse_id(fields[0], id); !e.empty()) {
            diags.error(where, std::move(e));
            continue;
        }
        const std::string prefix = "key " + std::to_string(id) + ": ";
        if (const auto [it, fresh] = first_line.try_emplace(id, line_no); !fresh) {
            diags.error(where, prefix + "duplicate key id (first defined at line " +
                                   std::to_string(it->second) + ")");
            continue;
        }
        if (fields.size() < 2) {
            diags.error(where, prefix + "missing key type and key");
            continue;
        }
        const auto type = key_type_from(fields[1]);
        if (!type) {
            diags.error(where, prefix + "unsupported key type '" + fields[1] +
                                   "' (MD5, SHA1 or AES128CMAC)");
            continue;
        }
        if (fields.size() < 3) {
            diags.error(where, prefix + "missing key");
            continue;
        }
        if (fields.size() > 3) {
            // Not echoed: it may be the rest of a key typed with a blank in it. ntpd 4.2.8
            // reads a fourth field as the addresses allowed to use the key.
            diags.error(where, prefix + "more than one word after the key type (a key has no "
                                        "blanks; a per-key address list is not supported)");
            continue;
        }
        Secret secret = decode_secret(fields[2]);
        if (!secret.error.empty()) {
            diags.error(where, prefix + secret.error);
            continue;
        }
        if (*type == KeyType::aes128_cmac && secret.written_bytes != aes128_key_bytes) {
            diags.error(where, prefix +
                                   "an AES128CMAC key is 16 bytes (16 characters or 32 hex "
                                   "digits), not " +
                                   std::to_string(secret.written_bytes));
            continue;
        }
        if (!secret.warning.empty()) diags.warning(where, prefix + secret.warning);
        table.insert(Key{id, *type, std::move(secret.bytes), where});
    }
    return table;
}

} // namespace superd::ntp
