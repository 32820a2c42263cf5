#pragma once
// One encoder per RFB encoding: each appends the rectangle header(s) and the encoded pixels of
// `r` (inside `fb`) in the client's format, and returns how many rectangles it wrote (Tight
// splits wide ones). The stateful ones (ZRLE, Tight: zlib streams) are objects, one per viewer.
#include "vnc/rfb/framebuffer.hpp"
#include "vnc/rfb/pixel_format.hpp"
#include "vnc/rfb/wire.hpp"
#include "vnc/rfb/zlib_stream.hpp"

#include <cstdint>
#include <vector>

namespace superd::vnc {

// The pixels of `r` as the client's pixel values, row-major.
std::vector<std::uint32_t> client_values(const Framebuffer& fb, const Rect& r,
                                         const PixelConverter& converter);

int encode_raw(const Framebuffer& fb, const Rect& r, const PixelConverter& converter, Bytes& out);
// CopyRect: the client copies from (src_x, src_y) of its own framebuffer to `dst`.
int encode_copy_rect(const Rect& dst, int src_x, int src_y, Bytes& out);
// Falls back to Raw when RRE would be larger.
int encode_rre(const Framebuffer& fb, const Rect& r, const PixelConverter& converter, Bytes& out);
int encode_hextile(const Framebuffer& fb, const Rect& r, const PixelConverter& converter,
                   Bytes& out);

// ZRLE's compressed size of a pixel: 3 bytes for 32 bpp formats of depth <= 24 whose colour
// bits all sit in the three low or the three high bytes (rfbproto "CPIXEL"); else the pixel size.
int zrle_cpixel_size(const PixelFormat& format);

class ZrleEncoder {
  public:
    explicit ZrleEncoder(int zlib_level = 6)
        : deflater_(zlib_level) {}
    int encode(const Framebuffer& fb, const Rect& r, const PixelConverter& converter, Bytes& out);

  private:
    Deflater deflater_;
    Bytes tiles_; // scratch: the uncompressed tiles
};

// Tight's pixel on the wire: R, G, B bytes for 32 bpp depth 24 formats with all maxes 255
// (rfbproto "TPIXEL"); else the pixel as the format says.
int tight_pixel_size(const PixelFormat& format);

class TightEncoder {
  public:
    // Tight viewers reject rectangles wider than 2048; we also bound the pixels per rectangle.
    static constexpr int max_width = 2048;
    static constexpr int max_area = 65536;

    explicit TightEncoder(int zlib_level = 6);
    int encode(const Framebuffer& fb, const Rect& r, const PixelConverter& converter, Bytes& out);

  private:
    void encode_piece(const Framebuffer& fb, const Rect& r, const PixelConverter& converter,
                      Bytes& out);
    void put_compressed(int stream, const Bytes& data, Bytes& out);

    std::vector<Deflater> streams_; // Tight's four zlib streams, by id
    Bytes scratch_;
};

} // namespace superd::vnc
