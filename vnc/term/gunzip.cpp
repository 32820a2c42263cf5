#include "vnc/term/gunzip.hpp"

#include <algorithm>

#include <zlib.h>

namespace superd::vnc {

bool is_gzip(std::span<const std::uint8_t> bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::expected<std::vector<std::uint8_t>, std::string> gunzip(std::span<const std::uint8_t> bytes,
                                                             std::size_t max_bytes) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::unexpected("gzip: out of memory");
    std::vector<std::uint8_t> out(std::min<std::size_t>(max_bytes, 64 * 1024) + 1);
    z.next_in = const_cast<Bytef*>(bytes.data()); // zlib's API is not const-correct
    z.avail_in = static_cast<uInt>(bytes.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (z.total_out == out.size()) {
            if (out.size() > max_bytes) break;
            out.resize(std::min(out.size() * 2, max_bytes + 1));
        }
        z.next_out = out.data() + z.total_out;
        z.avail_out = static_cast<uInt>(out.size() - z.total_out);
        rc = inflate(&z, Z_NO_FLUSH);
        if (rc == Z_BUF_ERROR && z.avail_in == 0) rc = Z_DATA_ERROR; // input ended early
    }
    std::size_t size = z.total_out;
    inflateEnd(&z);
    if (size > max_bytes)
        return std::unexpected("gzip: more than " + std::to_string(max_bytes) +
                               " bytes decompressed");
    if (rc != Z_STREAM_END) return std::unexpected("gzip: truncated or corrupt data");
    out.resize(size);
    return out;
}

} // namespace superd::vnc
