#include "proxy/object_meta.hpp"

#include <cstring>

namespace superd::proxy {

namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'P', 'X', 'O'};
constexpr std::size_t kChecksumOffset = 48;

void put_le(std::string& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get_le(std::span<const std::uint8_t> in, std::size_t at, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= static_cast<std::uint64_t>(in[at + i]) << (8 * i);
    return v;
}

std::span<const std::uint8_t> as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Bytes 0..47 of the fixed part (everything but the checksum).
std::string fixed_without_checksum(const ObjectMeta& meta) {
    std::string out;
    out.reserve(kObjectFixedSize);
    out.append(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
    put_le(out, kObjectFormatVersion, 2);
    put_le(out, meta.status, 2);
    put_le(out, meta.key.size(), 4);
    put_le(out, meta.header_block.size(), 4);
    put_le(out, meta.body_length, 8);
    put_le(out, static_cast<std::uint64_t>(meta.request_time), 8);
    put_le(out, static_cast<std::uint64_t>(meta.response_time), 8);
    put_le(out, static_cast<std::uint64_t>(meta.stored_time), 8);
    return out;
}

std::uint64_t checksum_of(std::span<const std::uint8_t> head48, std::string_view key,
                          std::string_view header_block) {
    return fnv1a64(header_block, fnv1a64(key, fnv1a64(head48)));
}

} // namespace

std::string make_cache_key(std::string_view url, std::string_view vary_key) {
    std::string key(url);
    if (!vary_key.empty()) {
        key.push_back('\n');
        key.append(vary_key);
    }
    return key;
}

std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (std::uint8_t b : bytes) {
        h ^= b;
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed) {
    return fnv1a64(as_bytes(bytes), seed);
}

std::expected<void, std::string> validate_meta(const ObjectMeta& meta) {
    if (meta.key.empty()) return std::unexpected("empty key");
    if (meta.key.size() > kMaxKeyLength) return std::unexpected("key too long");
    if (meta.header_block.size() > kMaxHeaderBlock) return std::unexpected("header block too long");
    if (meta.status < 100 || meta.status > 999) return std::unexpected("bad status");
    // The body length is bounded by off_t: a file cannot be larger.
    if (meta.body_length >
        static_cast<std::uint64_t>(INT64_MAX) - kObjectFixedSize - kMaxKeyLength - kMaxHeaderBlock)
        return std::unexpected("body too long");
    return {};
}

std::string encode_fixed(const ObjectMeta& meta) {
    std::string out = fixed_without_checksum(meta);
    put_le(out, checksum_of(as_bytes(out), meta.key, meta.header_block), 8);
    return out;
}

std::string encode_meta(const ObjectMeta& meta) {
    std::string out = encode_fixed(meta);
    out.append(meta.key);
    out.append(meta.header_block);
    return out;
}

std::expected<std::uint64_t, std::string> meta_size_needed(std::span<const std::uint8_t> fixed) {
    if (fixed.size() < kObjectFixedSize) return std::unexpected("truncated metadata");
    if (std::memcmp(fixed.data(), kMagic, sizeof kMagic) != 0) return std::unexpected("bad magic");
    if (get_le(fixed, 4, 2) != kObjectFormatVersion)
        return std::unexpected("unsupported format version");
    std::uint64_t key_length = get_le(fixed, 8, 4);
    std::uint64_t header_length = get_le(fixed, 12, 4);
    if (key_length == 0 || key_length > kMaxKeyLength) return std::unexpected("bad key length");
    if (header_length > kMaxHeaderBlock) return std::unexpected("bad header block length");
    return kObjectFixedSize + key_length + header_length;
}

std::expected<ParsedObject, std::string> read_meta(std::span<const std::uint8_t> prefix,
                                                   std::uint64_t file_size) {
    if (prefix.size() > file_size) return std::unexpected("prefix larger than the file");
    auto needed = meta_size_needed(prefix);
    if (!needed) return std::unexpected(needed.error());
    // Both checks before any read: `needed` is bounded (~1.1 MB), so no overflow.
    if (*needed > file_size) return std::unexpected("file shorter than its metadata");
    if (*needed > prefix.size()) return std::unexpected("truncated metadata");

    ParsedObject out;
    out.body_offset = *needed;
    ObjectMeta& m = out.meta;
    std::uint64_t key_length = get_le(prefix, 8, 4);
    std::uint64_t header_length = get_le(prefix, 12, 4);
    m.status = static_cast<std::uint16_t>(get_le(prefix, 6, 2));
    m.body_length = get_le(prefix, 16, 8);
    m.request_time = static_cast<std::int64_t>(get_le(prefix, 24, 8));
    m.response_time = static_cast<std::int64_t>(get_le(prefix, 32, 8));
    m.stored_time = static_cast<std::int64_t>(get_le(prefix, 40, 8));
    // Subtraction, not addition: body_length is untrusted and could wrap a sum.
    if (m.body_length != file_size - out.body_offset)
        return std::unexpected("body length does not match the file size");
    if (m.status < 100 || m.status > 999) return std::unexpected("bad status");

    auto key = prefix.subspan(kObjectFixedSize, key_length);
    auto headers = prefix.subspan(kObjectFixedSize + key_length, header_length);
    std::uint64_t stored = get_le(prefix, kChecksumOffset, 8);
    if (checksum_of(prefix.first(kChecksumOffset),
                    {reinterpret_cast<const char*>(key.data()), key.size()},
                    {reinterpret_cast<const char*>(headers.data()), headers.size()}) != stored)
        return std::unexpected("checksum mismatch");
    m.key.assign(key.begin(), key.end());
    m.header_block.assign(headers.begin(), headers.end());
    return out;
}

} // namespace superd::proxy
