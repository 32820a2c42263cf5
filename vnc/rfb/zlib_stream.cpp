#include "vnc/rfb/zlib_stream.hpp"

#include <zlib.h>

#include <stdexcept>

namespace superd::vnc {

struct Deflater::State {
    z_stream z{};
};

Deflater::Deflater(int level)
    : state_(std::make_unique<State>()) {
    if (level < 0 || level > 9) level = Z_DEFAULT_COMPRESSION;
    // Only fails on memory exhaustion or bad parameters: not a wire input, so it may throw.
    if (deflateInit(&state_->z, level) != Z_OK) throw std::runtime_error("deflateInit failed");
}

Deflater::~Deflater() {
    if (state_) deflateEnd(&state_->z);
}

Deflater::Deflater(Deflater&&) noexcept = default;
Deflater& Deflater::operator=(Deflater&& other) noexcept {
    if (this != &other) {
        if (state_) deflateEnd(&state_->z);
        state_ = std::move(other.state_);
    }
    return *this;
}

void Deflater::compress(std::span<const std::uint8_t> in, Bytes& out) {
    z_stream& z = state_->z;
    z.next_in = const_cast<Bytef*>(in.data()); // zlib's API is not const-correct
    z.avail_in = static_cast<uInt>(in.size());
    std::size_t bound = deflateBound(&z, static_cast<uLong>(in.size())) + 16;
    do {
        std::size_t at = out.size();
        out.resize(at + bound);
        z.next_out = out.data() + at;
        z.avail_out = static_cast<uInt>(bound);
        deflate(&z, Z_SYNC_FLUSH);
        out.resize(at + bound - z.avail_out);
        // A full output buffer may mean more is pending.
    } while (z.avail_out == 0);
}

} // namespace superd::vnc
