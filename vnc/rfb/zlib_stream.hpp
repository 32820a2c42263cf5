#pragma once
// One zlib deflate stream that lives as long as a viewer's connection: ZRLE and Tight compress
// every rectangle into the same stream (the viewer keeps the matching inflate stream), flushing
// at each rectangle's end so the viewer can decode it at once.
#include "vnc/rfb/wire.hpp"

#include <memory>
#include <span>

namespace superd::vnc {

class Deflater {
  public:
    explicit Deflater(int level);
    ~Deflater();
    Deflater(Deflater&&) noexcept;
    Deflater& operator=(Deflater&&) noexcept;

    // Appends the compressed form of `in`, ending with a sync flush.
    void compress(std::span<const std::uint8_t> in, Bytes& out);

  private:
    struct State;
    std::unique_ptr<State> state_;
};

} // namespace superd::vnc
