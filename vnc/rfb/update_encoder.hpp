#pragma once
// One viewer's framebuffer updates: its pixel format, its encodings (in its preference order)
// and the zlib streams ZRLE and Tight keep for the connection. encode_update() turns the
// changes the caller found (copies, damaged rectangles, pseudo-rectangles) into one
// FramebufferUpdate message.
#include "vnc/rfb/framebuffer.hpp"
#include "vnc/rfb/pixel_format.hpp"
#include "vnc/rfb/rect_encoders.hpp"
#include "vnc/rfb/server_messages.hpp"
#include "vnc/rfb/wire.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace superd::vnc {

using PseudoRect = std::variant<DesktopSizePseudo, ExtendedDesktopSizePseudo, CursorPseudo>;

struct EncoderOptions {
    int zlib_level = 6; // ZRLE and Tight, unless the client asks for a level (-256..-247)
    // End the update with a LastRect instead of counting rectangles up front, when the client
    // listed LastRect. Off by default: some viewers (vncsnapshot) mishandle it.
    bool use_last_rect = false;
};

class UpdateEncoder {
  public:
    explicit UpdateEncoder(EncoderOptions options = {});

    // A format validate() accepts (the client message reader only passes such formats).
    void set_pixel_format(const PixelFormat& format);
    const PixelFormat& pixel_format() const { return converter_.format(); }
    // The client's SetEncodings list. The zlib streams stay: the viewer keeps its own.
    void set_encodings(std::span<const std::int32_t> encodings);

    // Whether the client listed this (pseudo-)encoding.
    bool client_supports(std::int32_t encoding) const;
    // The encoding for pixel rectangles: the first in the client's list that we have; Raw if
    // none.
    std::int32_t pixel_encoding() const { return pixel_encoding_; }

    // One FramebufferUpdate, appended to `out`: the pseudo-rectangles the client listed (others
    // are left out: check client_supports() before relying on one), then the copies (as
    // CopyRect if listed, else as pixels), then the rectangles. Rectangles are clipped to the
    // framebuffer; empty ones are dropped. Returns the number of rectangles written.
    int encode_update(const Framebuffer& fb, std::span<const CopyOp> copies,
                      std::span<const Rect> rects, std::span<const PseudoRect> pseudo, Bytes& out);
    Bytes encode_update(const Framebuffer& fb, std::span<const CopyOp> copies,
                        std::span<const Rect> rects, std::span<const PseudoRect> pseudo = {});

  private:
    int encode_pixels(const Framebuffer& fb, const Rect& r, Bytes& out);
    int zlib_level() const;

    EncoderOptions options_;
    PixelConverter converter_;
    std::vector<std::int32_t> encodings_;
    std::int32_t pixel_encoding_ = 0;
    std::optional<ZrleEncoder> zrle_;   // made on first use, then kept for the connection
    std::optional<TightEncoder> tight_; // likewise
};

} // namespace superd::vnc
