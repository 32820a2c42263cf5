#pragma once
// The on-disk format of one cached object (a file in the ufs cache_dir), as pure functions on
// bytes so that it is unit-tested and fuzzed without a file system.
//
// An object file is three parts, back to back:
//
//   offset  size  field (integers little-endian)
//   0       4     magic "SPXO"
//   4       2     format version (1)
//   6       2     HTTP status (100..999)
//   8       4     key length K (1..kMaxKeyLength)
//   12      4     header block length H (0..kMaxHeaderBlock)
//   16      8     body length B
//   24      8     request time  (Unix seconds, signed): when the request was sent upstream
//   32      8     response time (Unix seconds, signed): when the response arrived
//   40      8     stored time   (Unix seconds, signed): when the object was committed
//   48      8     checksum: FNV-1a 64 over bytes 0..47, then the key, then the header block
//   56      K     the cache key (URL, or URL + '\n' + Vary secondary key; see make_cache_key)
//   56+K    H     the raw HTTP/1.1 response header block (status line + header lines + CRLF)
//   56+K+H  B     the body, exactly to the end of the file
//
// Why this shape: the key and the header block are known when the response headers arrive,
// the body length only at the end, so a writer lays down K and H behind a zeroed fixed part and
// fills the fixed part in at commit (a file that never committed has no magic). The body sits
// at a known offset so that it can be served by sendfile/pread with ranges. The checksum covers
// what is read into memory and interpreted (metadata and headers); the body is not hashed
// (objects may be large and are streamed), but its length must match the file size exactly,
// which catches truncation by a crash or a full disk. FNV-1a changes state bijectively for each
// byte, so any single corrupted byte in the covered part changes the checksum.
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

namespace superd::proxy {

inline constexpr std::size_t kObjectFixedSize = 56;
inline constexpr std::uint16_t kObjectFormatVersion = 1;
inline constexpr std::uint32_t kMaxKeyLength = 64 * 1024;
// Larger than any header block the HTTP parser accepts, so that the reader's bound never
// rejects what the proxy stored; a bound still, so a corrupt length cannot make us allocate GBs.
inline constexpr std::uint32_t kMaxHeaderBlock = 1024 * 1024;

struct ObjectMeta {
    std::string key;
    std::uint16_t status = 0;
    std::int64_t request_time = 0;
    std::int64_t response_time = 0;
    std::int64_t stored_time = 0;
    std::string header_block;
    std::uint64_t body_length = 0;

    bool operator==(const ObjectMeta&) const = default;
};

struct ParsedObject {
    ObjectMeta meta;
    std::uint64_t body_offset = 0; // where the body starts in the file
};

// The cache key of a response: the URL alone, or the URL plus the secondary key the proxy
// builds from the request headers the response's Vary names. '\n' cannot occur in a URL.
std::string make_cache_key(std::string_view url, std::string_view vary_key = {});

// FNV-1a 64, continuing from `seed` (pass the previous result to hash several pieces).
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes, std::uint64_t seed = kFnvOffset);
std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed = kFnvOffset);

// Bytes 0..body_offset of an object file for `meta` (fixed part with checksum, key, header
// block). Precondition: meta passes validate_meta.
std::string encode_meta(const ObjectMeta& meta);

// The fixed part alone (56 bytes) for `meta`: a writer that has already written the key and
// the header block writes this at offset 0 when it commits.
std::string encode_fixed(const ObjectMeta& meta);

// What the writer checks before it starts: an error names the offending field.
std::expected<void, std::string> validate_meta(const ObjectMeta& meta);

// Reads the metadata at the start of an object file. `prefix` holds the file's first bytes (at
// least up to the body offset; more is allowed and ignored), `file_size` the whole file's size.
// Every length is checked against the bounds above and the file size before anything is read;
// never reads outside `prefix`. Error: a short reason ("bad magic", "checksum mismatch", ...).
std::expected<ParsedObject, std::string> read_meta(std::span<const std::uint8_t> prefix,
                                                   std::uint64_t file_size);
// The whole file in memory.
inline std::expected<ParsedObject, std::string> read_meta(std::span<const std::uint8_t> file) {
    return read_meta(file, file.size());
}

// How many bytes read_meta needs to see to decide, given at least the fixed part: the body
// offset (bounded by the maxima above), or an error when the fixed part is already invalid.
std::expected<std::uint64_t, std::string> meta_size_needed(std::span<const std::uint8_t> fixed);

} // namespace superd::proxy
