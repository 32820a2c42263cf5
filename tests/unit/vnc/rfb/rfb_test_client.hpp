#pragma once
// A minimal RFB viewer for the tests: applies FramebufferUpdate messages (Raw, CopyRect, RRE,
// Hextile, ZRLE, Tight without JPEG, and the pseudo-encodings) to a framebuffer of client pixel
// values. Written from rfbproto's text, apart from the encoders, so that round trips check the
// encoders against the spec rather than against themselves.
#include "vnc/rfb/client_messages.hpp"
#include "vnc/rfb/pixel_format.hpp"
#include "vnc/rfb/wire.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace superd::vnc::test {

struct ReceivedCursor {
    int hotspot_x = 0, hotspot_y = 0, width = 0, height = 0;
    std::vector<std::uint32_t> pixels;
    std::vector<std::uint8_t> mask;
};

class TestClient {
  public:
    TestClient(PixelFormat format, int width, int height);
    ~TestClient();

    // Applies one whole FramebufferUpdate message; "" on success, else what was wrong
    // (including bytes left over).
    std::string apply(const Bytes& update);

    int width() const { return width_; }
    int height() const { return height_; }
    std::uint32_t at(int x, int y) const { return values_[std::size_t(y) * width_ + x]; }
    const std::vector<std::uint32_t>& values() const { return values_; }

    int rects_seen = 0; // rectangles in the last update, pseudo ones included
    std::vector<std::int32_t> encodings_seen;
    std::optional<ReceivedCursor> cursor;
    std::vector<Screen> screens;
    int desktop_reason = -1, desktop_status = -1;

  private:
    struct Inflaters;
    class Input;
    void rect(Input& in);
    void set(int x, int y, std::uint32_t v) { values_[std::size_t(y) * width_ + x] = v; }
    std::uint32_t pixel(Input& in) const;
    std::uint32_t cpixel(Input& in) const;
    std::uint32_t tpixel(Input& in) const;
    void raw(Input& in, int x, int y, int w, int h);
    void rre(Input& in, int x, int y, int w, int h);
    void hextile(Input& in, int x, int y, int w, int h);
    void zrle(Input& in, int x, int y, int w, int h);
    void tight(Input& in, int x, int y, int w, int h);

    PixelFormat format_;
    int width_, height_;
    std::vector<std::uint32_t> values_;
    std::unique_ptr<Inflaters> inflaters_;
};

} // namespace superd::vnc::test
