#include "rfb_test_client.hpp"

#include <zlib.h>

#include <stdexcept>

namespace superd::vnc::test {

namespace {

struct Malformed : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// An inflate stream kept across rectangles, as a viewer keeps it.
class Inflater {
  public:
    Inflater() {
        if (inflateInit(&z_) != Z_OK) throw std::runtime_error("inflateInit");
    }
    ~Inflater() { inflateEnd(&z_); }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    // Inflates all of `in` (a sync-flushed chunk), however much comes out.
    Bytes inflate_all(const Bytes& in) {
        Bytes out;
        z_.next_in = const_cast<Bytef*>(in.data());
        z_.avail_in = static_cast<uInt>(in.size());
        do {
            std::size_t at = out.size();
            out.resize(at + 65536);
            z_.next_out = out.data() + at;
            z_.avail_out = 65536;
            int rc = ::inflate(&z_, Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_BUF_ERROR) throw Malformed("inflate failed");
            out.resize(at + 65536 - z_.avail_out);
        } while (z_.avail_in > 0 || z_.avail_out == 0);
        return out;
    }

  private:
    z_stream z_{};
};

} // namespace

struct TestClient::Inflaters {
    Inflater zrle;
    Inflater tight[4];
};

class TestClient::Input {
  public:
    explicit Input(const Bytes& b)
        : b_(b) {}
    std::uint8_t u8() {
        need(1);
        return b_[at_++];
    }
    std::uint16_t u16() {
        need(2);
        at_ += 2;
        return get_u16(&b_[at_ - 2]);
    }
    std::uint32_t u32() {
        need(4);
        at_ += 4;
        return get_u32(&b_[at_ - 4]);
    }
    Bytes take(std::size_t n) {
        need(n);
        Bytes out(b_.begin() + static_cast<std::ptrdiff_t>(at_),
                  b_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
        at_ += n;
        return out;
    }
    bool done() const { return at_ == b_.size(); }

  private:
    void need(std::size_t n) const {
        if (b_.size() - at_ < n) throw Malformed("message ends early");
    }
    const Bytes& b_;
    std::size_t at_ = 0;
};

TestClient::TestClient(PixelFormat format, int width, int height)
    : format_(format)
    , width_(width)
    , height_(height)
    , values_(std::size_t(width) * std::size_t(height), 0xdeadbeef)
    , inflaters_(std::make_unique<Inflaters>()) {}

TestClient::~TestClient() = default;

std::string TestClient::apply(const Bytes& update) {
    rects_seen = 0;
    encodings_seen.clear();
    try {
        Input in(update);
        if (in.u8() != 0) throw Malformed("not a FramebufferUpdate");
        in.u8();
        std::uint16_t count = in.u16();
        bool until_last_rect = count == 0xffff;
        for (int i = 0; until_last_rect || i < count; ++i) {
            rect(in);
            if (until_last_rect && encodings_seen.back() == -224) break;
        }
        if (!in.done()) throw Malformed("bytes after the update");
    } catch (const Malformed& e) {
        return e.what();
    }
    return {};
}

// A pixel value from a whole pixel of bits_per_pixel / 8 bytes in the format's byte order.
std::uint32_t TestClient::pixel(Input& in) const {
    int n = format_.bits_per_pixel / 8;
    std::uint32_t v = 0;
    for (int i = 0; i < n; ++i) {
        std::uint32_t b = in.u8();
        v |= format_.big_endian ? b << (8 * (n - 1 - i)) : b << (8 * i);
    }
    return v;
}

// ZRLE's CPIXEL: "same as PIXEL except where true-colour-flag is non-zero, bits-per-pixel is
// 32, depth is 24 or less and all of the bits making up the red, green and blue intensities fit
// in either the least significant 3 bytes or the most significant 3 bytes".
std::uint32_t TestClient::cpixel(Input& in) const {
    const PixelFormat& f = format_;
    std::uint64_t bits = (std::uint64_t{f.red_max} << f.red_shift) |
                         (std::uint64_t{f.green_max} << f.green_shift) |
                         (std::uint64_t{f.blue_max} << f.blue_shift);
    bool three = f.true_colour && f.bits_per_pixel == 32 && f.depth <= 24;
    bool low = bits <= 0xffffff, high = (bits & 0xff) == 0;
    if (!three || (!low && !high)) return pixel(in);
    std::uint32_t b0 = in.u8(), b1 = in.u8(), b2 = in.u8();
    std::uint32_t v = f.big_endian ? (b0 << 16 | b1 << 8 | b2) : (b2 << 16 | b1 << 8 | b0);
    return low ? v : v << 8;
}

// Tight's TPIXEL: R, G, B bytes for 32 bpp depth 24 formats with maxes of 255.
std::uint32_t TestClient::tpixel(Input& in) const {
    const PixelFormat& f = format_;
    if (f.bits_per_pixel == 32 && f.depth == 24 && f.red_max == 255 && f.green_max == 255 &&
        f.blue_max == 255) {
        std::uint32_t r = in.u8(), g = in.u8(), b = in.u8();
        return r << f.red_shift | g << f.green_shift | b << f.blue_shift;
    }
    return pixel(in);
}

void TestClient::rect(Input& in) {
    int x = in.u16(), y = in.u16(), w = in.u16(), h = in.u16();
    std::int32_t encoding = static_cast<std::int32_t>(in.u32());
    ++rects_seen;
    encodings_seen.push_back(encoding);
    switch (encoding) {
    case -223: // DesktopSize
        width_ = w;
        height_ = h;
        values_.assign(std::size_t(w) * std::size_t(h), 0xdeadbeef);
        return;
    case -308: { // ExtendedDesktopSize
        desktop_reason = x;
        desktop_status = y;
        int n = in.u8();
        in.take(3);
        screens.clear();
        for (int i = 0; i < n; ++i) {
            Screen s;
            s.id = in.u32();
            s.area.x = in.u16();
            s.area.y = in.u16();
            s.area.w = in.u16();
            s.area.h = in.u16();
            s.flags = in.u32();
            screens.push_back(s);
        }
        if (w != width_ || h != height_) {
            width_ = w;
            height_ = h;
            values_.assign(std::size_t(w) * std::size_t(h), 0xdeadbeef);
        }
        return;
    }
    case -239: { // Cursor
        ReceivedCursor c{x, y, w, h, {}, {}};
        for (int i = 0; i < w * h; ++i)
            c.pixels.push_back(pixel(in));
        c.mask = in.take(std::size_t((w + 7) / 8) * std::size_t(h));
        cursor = c;
        return;
    }
    case -224: // LastRect
        return;
    }
    if (x + w > width_ || y + h > height_) throw Malformed("rectangle outside the framebuffer");
    switch (encoding) {
    case 0:
        return raw(in, x, y, w, h);
    case 1: {
        int sx = in.u16(), sy = in.u16();
        if (sx + w > width_ || sy + h > height_) throw Malformed("CopyRect source outside");
        std::vector<std::uint32_t> copy;
        for (int yy = 0; yy < h; ++yy)
            for (int xx = 0; xx < w; ++xx)
                copy.push_back(at(sx + xx, sy + yy));
        for (int yy = 0; yy < h; ++yy)
            for (int xx = 0; xx < w; ++xx)
                set(x + xx, y + yy, copy[std::size_t(yy) * w + xx]);
        return;
    }
    case 2:
        return rre(in, x, y, w, h);
    case 5:
        return hextile(in, x, y, w, h);
    case 7:
        if (w > 2048) throw Malformed("Tight rectangle wider than 2048");
        return tight(in, x, y, w, h);
    case 16:
        return zrle(in, x, y, w, h);
    }
    throw Malformed("unexpected encoding " + std::to_string(encoding));
}

void TestClient::raw(Input& in, int x, int y, int w, int h) {
    for (int yy = 0; yy < h; ++yy)
        for (int xx = 0; xx < w; ++xx)
            set(x + xx, y + yy, pixel(in));
}

void TestClient::rre(Input& in, int x, int y, int w, int h) {
    std::uint32_t n = in.u32();
    std::uint32_t bg = pixel(in);
    for (int yy = 0; yy < h; ++yy)
        for (int xx = 0; xx < w; ++xx)
            set(x + xx, y + yy, bg);
    for (std::uint32_t i = 0; i < n; ++i) {
        std::uint32_t v = pixel(in);
        int sx = in.u16(), sy = in.u16(), sw = in.u16(), sh = in.u16();
        if (sx + sw > w || sy + sh > h) throw Malformed("RRE subrect outside");
        for (int yy = sy; yy < sy + sh; ++yy)
            for (int xx = sx; xx < sx + sw; ++xx)
                set(x + xx, y + yy, v);
    }
}

void TestClient::hextile(Input& in, int x, int y, int w, int h) {
    std::optional<std::uint32_t> bg, fg;
    for (int ty = y; ty < y + h; ty += 16)
        for (int tx = x; tx < x + w; tx += 16) {
            int tw = std::min(16, x + w - tx), th = std::min(16, y + h - ty);
            std::uint8_t mask = in.u8();
            if (mask & 1) {
                raw(in, tx, ty, tw, th);
                bg.reset(); // not defined after a raw tile
                fg.reset();
                continue;
            }
            if (mask & 2) bg = pixel(in);
            if (mask & 4) fg = pixel(in);
            if (!bg) throw Malformed("Hextile tile without a background");
            for (int yy = 0; yy < th; ++yy)
                for (int xx = 0; xx < tw; ++xx)
                    set(tx + xx, ty + yy, *bg);
            if (!(mask & 8)) continue;
            int n = in.u8();
            for (int i = 0; i < n; ++i) {
                std::uint32_t v;
                if (mask & 16) {
                    v = pixel(in);
                } else {
                    if (!fg) throw Malformed("Hextile subrect without a foreground");
                    v = *fg;
                }
                std::uint8_t xy = in.u8(), wh = in.u8();
                int sx = xy >> 4, sy = xy & 15, sw = (wh >> 4) + 1, sh = (wh & 15) + 1;
                if (sx + sw > tw || sy + sh > th) throw Malformed("Hextile subrect outside");
                for (int yy = sy; yy < sy + sh; ++yy)
                    for (int xx = sx; xx < sx + sw; ++xx)
                        set(tx + xx, ty + yy, v);
            }
            if (mask & 16) fg.reset();
        }
}

void TestClient::zrle(Input& in, int x, int y, int w, int h) {
    Bytes data = inflaters_->zrle.inflate_all(in.take(in.u32()));
    Input t(data);
    for (int ty = y; ty < y + h; ty += 64)
        for (int tx = x; tx < x + w; tx += 64) {
            int tw = std::min(64, x + w - tx), th = std::min(64, y + h - ty);
            int sub = t.u8();
            std::vector<std::uint32_t> palette;
            if (sub == 0) {
                for (int yy = 0; yy < th; ++yy)
                    for (int xx = 0; xx < tw; ++xx)
                        set(tx + xx, ty + yy, cpixel(t));
                continue;
            }
            if (sub == 1) {
                std::uint32_t v = cpixel(t);
                for (int yy = 0; yy < th; ++yy)
                    for (int xx = 0; xx < tw; ++xx)
                        set(tx + xx, ty + yy, v);
                continue;
            }
            if (sub <= 16) { // packed palette
                for (int i = 0; i < sub; ++i)
                    palette.push_back(cpixel(t));
                int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
                for (int yy = 0; yy < th; ++yy) {
                    int filled = 0;
                    std::uint8_t byte = 0;
                    for (int xx = 0; xx < tw; ++xx) {
                        if (filled == 0) {
                            byte = t.u8();
                            filled = 8;
                        }
                        filled -= bits;
                        std::size_t index = (byte >> filled) & ((1 << bits) - 1);
                        if (index >= palette.size()) throw Malformed("ZRLE index outside");
                        set(tx + xx, ty + yy, palette[index]);
                    }
                }
                continue;
            }
            if (sub < 128 || sub == 129) throw Malformed("ZRLE subencoding unused");
            if (sub > 129)
                for (int i = 0; i < sub - 128; ++i)
                    palette.push_back(cpixel(t));
            std::size_t total = std::size_t(tw) * std::size_t(th);
            for (std::size_t done = 0; done < total;) {
                std::uint32_t v;
                std::size_t run = 1;
                bool has_run = true;
                if (sub == 128) {
                    v = cpixel(t);
                } else {
                    std::uint8_t index = t.u8();
                    has_run = (index & 128) != 0;
                    index &= 127;
                    if (index >= palette.size()) throw Malformed("ZRLE index outside");
                    v = palette[index];
                }
                if (has_run) {
                    std::uint8_t b;
                    do {
                        b = t.u8();
                        run += b;
                    } while (b == 255);
                }
                if (done + run > total) throw Malformed("ZRLE run beyond the tile");
                for (std::size_t i = done; i < done + run; ++i)
                    set(tx + int(i % tw), ty + int(i / tw), v);
                done += run;
            }
        }
    if (!t.done()) throw Malformed("ZRLE data left over");
}

void TestClient::tight(Input& in, int x, int y, int w, int h) {
    std::uint8_t control = in.u8();
    for (int i = 0; i < 4; ++i)
        if (control & (1 << i)) throw Malformed("stream reset (the encoder never resets)");
    int kind = control >> 4;
    if (kind == 8) { // fill
        std::uint32_t v = tpixel(in);
        for (int yy = 0; yy < h; ++yy)
            for (int xx = 0; xx < w; ++xx)
                set(x + xx, y + yy, v);
        return;
    }
    if (kind > 8) throw Malformed("JPEG or unknown Tight compression");
    int stream = kind & 3;
    int filter = (kind & 4) ? in.u8() : 0;
    std::vector<std::uint32_t> palette;
    std::size_t size;
    int tpixel_size =
        (format_.bits_per_pixel == 32 && format_.depth == 24 && format_.red_max == 255 &&
         format_.green_max == 255 && format_.blue_max == 255)
            ? 3
            : format_.bits_per_pixel / 8;
    if (filter == 0) {
        size = std::size_t(w) * std::size_t(h) * std::size_t(tpixel_size);
    } else if (filter == 1) {
        int n = in.u8() + 1;
        for (int i = 0; i < n; ++i)
            palette.push_back(tpixel(in));
        size = n == 2 ? std::size_t((w + 7) / 8) * std::size_t(h) : std::size_t(w) * std::size_t(h);
    } else {
        throw Malformed("Tight filter " + std::to_string(filter) + " not expected");
    }
    Bytes data;
    if (size < 12) {
        data = in.take(size);
    } else {
        std::size_t length = 0;
        for (int i = 0; i < 3; ++i) {
            std::uint8_t b = in.u8();
            length |= std::size_t(i == 2 ? b : (b & 0x7f)) << (7 * i);
            if (i < 2 && !(b & 0x80)) break;
        }
        data = inflaters_->tight[stream].inflate_all(in.take(length));
    }
    if (data.size() != size) throw Malformed("Tight data of the wrong size");
    Input d(data);
    for (int yy = 0; yy < h; ++yy) {
        std::uint8_t bits = 0;
        for (int xx = 0; xx < w; ++xx) {
            std::uint32_t v;
            if (filter == 0) {
                v = tpixel(d);
            } else if (palette.size() == 2) {
                if (xx % 8 == 0) bits = d.u8();
                v = palette[(bits >> (7 - xx % 8)) & 1];
            } else {
                std::uint8_t index = d.u8();
                if (index >= palette.size()) throw Malformed("Tight index outside");
                v = palette[index];
            }
            set(x + xx, y + yy, v);
        }
    }
}

} // namespace superd::vnc::test
