// rfb_meter: one RFB 3.8 viewer (security None) that measures what a VNC server sends for a
// scripted terminal workload (bench/vnc/workload, driven through the files in its STATE folder):
//   full    a second connection, made once the screen is quiet: the bytes of the update that
//           answers its first (non-incremental) FramebufferUpdateRequest, i.e. one full screen
//   scroll  'g' Return, then every update until the workload has printed its lines
//           (STATE/scroll.done) and nothing changed for --quiet-ms: bytes, updates, rectangles
//   paced   the same for lines printed at a fixed pace (STATE/paced.done)
//   redraw  the same for a clear screen and a screenful of new text (STATE/redraw.done)
//   keys    --keys printable keys, one at a time, each as a KeyEvent press and release, to an
//           echo loop: the time from the press to the first FramebufferUpdate with a rectangle;
//           the next key goes after --gap-ms without updates
// It asks for 32 bpp true colour (depth 24, little-endian) and the encodings of --encodings, and
// keeps one incremental request outstanding, sending the next as soon as an update ends. It does
// not decode pixels: it parses each rectangle (Raw, CopyRect, RRE, Hextile, ZRLE, Tight without
// JPEG, DesktopSize, LastRect, Cursor) only far enough to find where it ends.
// Prints one line of JSON.
#include "vnc/rfb/client_messages.hpp"
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/pixel_format.hpp"
#include "vnc/rfb/wire.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace vnc = superd::vnc;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

double ms_between(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

// A TCP connection with a read buffer; consumed() counts the bytes handed out, so that a phase
// is charged with the messages it read, not with what recv() happened to fetch ahead.
class Connection {
  public:
    Connection(const std::string& host, int port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) throw Failure(std::string("socket: ") + std::strerror(errno));
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(static_cast<std::uint16_t>(port));
        if (::inet_pton(AF_INET, host.c_str(), &sa.sin_addr) != 1)
            throw Failure("not an IPv4 address: " + host);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
            throw Failure("connect " + host + ":" + std::to_string(port) + ": " +
                          std::strerror(errno));
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        buf_.resize(1 << 16);
    }
    ~Connection() { ::close(fd_); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    // Whether a byte is there to read before `until`.
    bool wait_readable(Clock::time_point until) {
        if (begin_ < end_) return true;
        for (;;) {
            auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now());
            pollfd p{fd_, POLLIN, 0};
            int r = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
            if (r > 0) return true;
            if (r == 0) return false;
            if (errno != EINTR) throw Failure(std::string("poll: ") + std::strerror(errno));
        }
    }
    void read(std::uint8_t* out, std::size_t n, Clock::time_point until) {
        while (n > 0) {
            fill(until);
            std::size_t k = std::min(n, end_ - begin_);
            std::memcpy(out, buf_.data() + begin_, k);
            begin_ += k, out += k, n -= k, consumed_ += k;
        }
    }
    void skip(std::size_t n, Clock::time_point until) {
        while (n > 0) {
            fill(until);
            std::size_t k = std::min(n, end_ - begin_);
            begin_ += k, n -= k, consumed_ += k;
        }
    }
    std::uint8_t u8(Clock::time_point until) {
        std::uint8_t b;
        read(&b, 1, until);
        return b;
    }
    std::uint16_t u16(Clock::time_point until) {
        std::uint8_t b[2];
        read(b, 2, until);
        return vnc::get_u16(b);
    }
    std::uint32_t u32(Clock::time_point until) {
        std::uint8_t b[4];
        read(b, 4, until);
        return vnc::get_u32(b);
    }
    void send(const vnc::Bytes& b) {
        std::size_t off = 0;
        while (off < b.size()) {
            ssize_t w = ::send(fd_, b.data() + off, b.size() - off, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) throw Failure(std::string("send: ") + std::strerror(errno));
            off += static_cast<std::size_t>(w);
        }
    }
    std::uint64_t consumed() const { return consumed_; }

  private:
    void fill(Clock::time_point until) {
        if (begin_ < end_) return;
        if (!wait_readable(until)) throw Failure("timed out waiting for the server");
        ssize_t r;
        do
            r = ::recv(fd_, buf_.data(), buf_.size(), 0);
        while (r < 0 && errno == EINTR);
        if (r < 0) throw Failure(std::string("recv: ") + std::strerror(errno));
        if (r == 0) throw Failure("the server closed the connection");
        begin_ = 0, end_ = static_cast<std::size_t>(r);
    }

    int fd_ = -1;
    std::vector<std::uint8_t> buf_;
    std::size_t begin_ = 0, end_ = 0;
    std::uint64_t consumed_ = 0;
};

// What one server-to-client message held.
struct Message {
    bool update = false;    // a FramebufferUpdate
    int pixel_rects = 0;    // rectangles with pixels (Raw, RRE, Hextile, ZRLE, Tight)
    int copy_rects = 0;     // CopyRect
    std::uint64_t area = 0; // pixels covered by pixel and CopyRect rectangles
    std::uint64_t bytes = 0;
    Clock::time_point done; // when its last byte was read
    bool changes() const { return pixel_rects + copy_rects > 0; }
};

struct Session {
    Connection conn;
    int width = 0, height = 0;
    std::string name;
    std::map<std::string, std::uint64_t> rects_by_encoding; // over the whole session
    Session(const std::string& host, int port)
        : conn(host, port) {}
};

constexpr int bytes_per_pixel = 4; // the format we ask for
constexpr int tpixel_size = 3;     // Tight's TPIXEL for 32 bpp depth 24 with 8-bit channels

std::string encoding_name(std::int32_t e) {
    switch (e) {
    case vnc::encoding::raw:
        return "Raw";
    case vnc::encoding::copy_rect:
        return "CopyRect";
    case vnc::encoding::rre:
        return "RRE";
    case vnc::encoding::hextile:
        return "Hextile";
    case vnc::encoding::tight:
        return "Tight";
    case vnc::encoding::zrle:
        return "ZRLE";
    case vnc::encoding::desktop_size:
        return "DesktopSize";
    case vnc::encoding::last_rect:
        return "LastRect";
    case vnc::encoding::cursor:
        return "Cursor";
    default:
        return std::to_string(e);
    }
}

std::optional<std::int32_t> encoding_number(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    static const std::map<std::string, std::int32_t> names{
        {"raw", vnc::encoding::raw},
        {"copyrect", vnc::encoding::copy_rect},
        {"rre", vnc::encoding::rre},
        {"hextile", vnc::encoding::hextile},
        {"tight", vnc::encoding::tight},
        {"zrle", vnc::encoding::zrle},
        {"desktopsize", vnc::encoding::desktop_size},
        {"lastrect", vnc::encoding::last_rect},
        {"cursor", vnc::encoding::cursor},
    };
    if (auto it = names.find(s); it != names.end()) return it->second;
    // compressN: Tight's (and ZRLE's, in some servers) zlib level pseudo-encoding.
    if (s.size() == 9 && s.starts_with("compress") && s[8] >= '0' && s[8] <= '9')
        return vnc::encoding::compress_level_0 + (s[8] - '0');
    return std::nullopt;
}

std::size_t tight_compact_length(Connection& c, Clock::time_point until) {
    std::size_t len = 0;
    for (int i = 0; i < 3; ++i) {
        std::uint8_t b = c.u8(until);
        len |= static_cast<std::size_t>(i < 2 ? b & 0x7f : b) << (7 * i);
        if (i < 2 && !(b & 0x80)) break;
    }
    return len;
}

void skip_tight(Connection& c, int w, int h, Clock::time_point until) {
    std::uint8_t control = c.u8(until);
    int kind = control >> 4;
    if (kind == 8) { // fill
        c.skip(tpixel_size, until);
        return;
    }
    if (kind == 9) { // JPEG: not asked for, but its length is plain
        c.skip(tight_compact_length(c, until), until);
        return;
    }
    if (kind > 9) throw Failure("Tight: unknown compression control " + std::to_string(control));
    int filter = 0;
    if (control & 0x40) filter = c.u8(until);
    std::size_t size;
    if (filter == 1) { // palette
        int colours = c.u8(until) + 1;
        c.skip(static_cast<std::size_t>(colours) * tpixel_size, until);
        size = colours == 2 ? static_cast<std::size_t>((w + 7) / 8) * h
                            : static_cast<std::size_t>(w) * h;
    } else if (filter == 0 || filter == 2) { // copy, gradient
        size = static_cast<std::size_t>(w) * h * tpixel_size;
    } else {
        throw Failure("Tight: unknown filter " + std::to_string(filter));
    }
    if (size < 12)
        c.skip(size, until);
    else
        c.skip(tight_compact_length(c, until), until);
}

void skip_hextile(Connection& c, int w, int h, Clock::time_point until) {
    for (int ty = 0; ty < h; ty += 16) {
        for (int tx = 0; tx < w; tx += 16) {
            int tw = std::min(16, w - tx), th = std::min(16, h - ty);
            std::uint8_t sub = c.u8(until);
            if (sub & 1) { // Raw tile
                c.skip(static_cast<std::size_t>(tw) * th * bytes_per_pixel, until);
                continue;
            }
            if (sub & 2) c.skip(bytes_per_pixel, until); // background
            if (sub & 4) c.skip(bytes_per_pixel, until); // foreground
            if (sub & 8) {
                int n = c.u8(until);
                c.skip(static_cast<std::size_t>(n) * ((sub & 16) ? bytes_per_pixel + 2 : 2), until);
            }
        }
    }
}

// Reads one server message; a FramebufferUpdate rectangle by rectangle.
Message read_message(Session& s, Clock::time_point until) {
    Connection& c = s.conn;
    std::uint64_t start = c.consumed();
    Message m;
    std::uint8_t type = c.u8(until);
    switch (type) {
    case 0: { // FramebufferUpdate
        m.update = true;
        c.skip(1, until);
        int count = c.u16(until);
        for (int i = 0; count == 0xffff || i < count; ++i) {
            std::uint8_t hdr[12];
            c.read(hdr, sizeof hdr, until);
            int w = vnc::get_u16(hdr + 4), h = vnc::get_u16(hdr + 6);
            std::int32_t enc = vnc::get_s32(hdr + 8);
            ++s.rects_by_encoding[encoding_name(enc)];
            if (enc == vnc::encoding::last_rect) break;
            std::uint64_t area = static_cast<std::uint64_t>(w) * h;
            switch (enc) {
            case vnc::encoding::raw:
                c.skip(area * bytes_per_pixel, until);
                break;
            case vnc::encoding::copy_rect:
                c.skip(4, until);
                break;
            case vnc::encoding::rre:
                c.skip(static_cast<std::size_t>(c.u32(until)) * (bytes_per_pixel + 8) +
                           bytes_per_pixel,
                       until);
                break;
            case vnc::encoding::hextile:
                skip_hextile(c, w, h, until);
                break;
            case vnc::encoding::zrle:
                c.skip(c.u32(until), until);
                break;
            case vnc::encoding::tight:
                skip_tight(c, w, h, until);
                break;
            case vnc::encoding::desktop_size:
                s.width = w, s.height = h;
                continue;
            case vnc::encoding::cursor:
                c.skip(area * bytes_per_pixel + static_cast<std::size_t>((w + 7) / 8) * h, until);
                continue;
            default:
                throw Failure("rectangle in an encoding not asked for: " + std::to_string(enc));
            }
            m.area += area;
            if (enc == vnc::encoding::copy_rect)
                ++m.copy_rects;
            else
                ++m.pixel_rects;
        }
        break;
    }
    case 1: { // SetColourMapEntries
        c.skip(3, until);
        c.skip(static_cast<std::size_t>(c.u16(until)) * 6, until);
        break;
    }
    case 2: // Bell
        break;
    case 3: { // ServerCutText
        c.skip(3, until);
        c.skip(c.u32(until), until);
        break;
    }
    default:
        throw Failure("unknown server message type " + std::to_string(type));
    }
    m.bytes = c.consumed() - start;
    m.done = Clock::now();
    return m;
}

void request_update(Session& s, bool incremental) {
    vnc::Bytes b;
    vnc::put_u8(b, vnc::client_message_type::framebuffer_update_request);
    vnc::put_u8(b, incremental ? 1 : 0);
    vnc::put_u16(b, 0);
    vnc::put_u16(b, 0);
    vnc::put_u16(b, static_cast<std::uint32_t>(s.width));
    vnc::put_u16(b, static_cast<std::uint32_t>(s.height));
    s.conn.send(b);
}

void send_key(Session& s, std::uint32_t keysym) {
    vnc::Bytes b;
    for (int down : {1, 0}) {
        vnc::put_u8(b, vnc::client_message_type::key_event);
        vnc::put_u8(b, static_cast<std::uint32_t>(down));
        vnc::put_u16(b, 0);
        vnc::put_u32(b, keysym);
    }
    s.conn.send(b);
}

// RFB 3.8 handshake with security None, shared, then SetPixelFormat and SetEncodings.
void handshake(Session& s, const std::vector<std::int32_t>& encodings) {
    Connection& c = s.conn;
    auto until = Clock::now() + 10s;
    std::array<std::uint8_t, 12> version;
    c.read(version.data(), version.size(), until);
    std::string v(version.begin(), version.end());
    if (!v.starts_with("RFB 003.")) throw Failure("not an RFB server: " + v);
    constexpr std::string_view ours = "RFB 003.008\n";
    vnc::Bytes out(ours.begin(), ours.end());
    c.send(out);
    int n = c.u8(until);
    if (n == 0) {
        std::string reason(c.u32(until), '\0');
        c.read(reinterpret_cast<std::uint8_t*>(reason.data()), reason.size(), until);
        throw Failure("the server refused: " + reason);
    }
    std::vector<std::uint8_t> types(static_cast<std::size_t>(n));
    c.read(types.data(), types.size(), until);
    if (std::find(types.begin(), types.end(), 1) == types.end())
        throw Failure("the server does not offer security type None");
    c.send({1});
    if (std::uint32_t result = c.u32(until); result != 0)
        throw Failure("SecurityResult " + std::to_string(result));
    c.send({1}); // ClientInit: shared
    std::uint8_t init[24];
    c.read(init, sizeof init, until);
    s.width = vnc::get_u16(init), s.height = vnc::get_u16(init + 2);
    s.name.resize(vnc::get_u32(init + 20));
    c.read(reinterpret_cast<std::uint8_t*>(s.name.data()), s.name.size(), until);

    out.clear();
    vnc::put_u8(out, vnc::client_message_type::set_pixel_format);
    vnc::put_u8(out, 0), vnc::put_u16(out, 0);
    vnc::encode_pixel_format(vnc::native_pixel_format, out);
    vnc::put_u8(out, vnc::client_message_type::set_encodings);
    vnc::put_u8(out, 0);
    vnc::put_u16(out, static_cast<std::uint32_t>(encodings.size()));
    for (std::int32_t e : encodings)
        vnc::put_s32(out, e);
    c.send(out);
}

struct Phase {
    std::uint64_t bytes = 0;
    int updates = 0, pixel_rects = 0, copy_rects = 0;
    double ms = 0; // from the trigger to the last update that changed pixels
    bool timed_out = false;
};

// Reads updates, answering each with an incremental request, until `done_file` exists (if
// given) and nothing changed for `quiet`; at most `limit`.
Phase until_quiet(Session& s, const std::optional<std::filesystem::path>& done_file,
                  Clock::duration quiet, Clock::duration limit) {
    Phase p;
    auto start = Clock::now();
    auto last = start; // the last change, or when done_file appeared
    bool done = !done_file;
    std::uint64_t bytes0 = s.conn.consumed();
    Clock::time_point last_change = start;
    for (;;) {
        auto now = Clock::now();
        if (!done && std::filesystem::exists(*done_file)) done = true, last = std::max(last, now);
        if (done && now - last >= quiet) break;
        if (now - start >= limit) {
            p.timed_out = true;
            break;
        }
        auto wake = std::min({now + 20ms, start + limit, done ? last + quiet : now + 20ms});
        if (!s.conn.wait_readable(wake)) continue;
        Message m = read_message(s, Clock::now() + 10s);
        if (!m.update) continue;
        request_update(s, true);
        if (!m.changes()) continue;
        ++p.updates;
        p.pixel_rects += m.pixel_rects, p.copy_rects += m.copy_rects;
        last = std::max(last, m.done);
        last_change = m.done;
    }
    p.bytes = s.conn.consumed() - bytes0;
    p.ms = ms_between(start, last_change);
    return p;
}

bool wait_file(const std::filesystem::path& f, Clock::duration limit) {
    auto until = Clock::now() + limit;
    while (!std::filesystem::exists(f)) {
        if (Clock::now() >= until) return false;
        std::this_thread::sleep_for(10ms);
    }
    return true;
}

double percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    return v[std::min(i, v.size() - 1)];
}

const char* usage = "usage: rfb_meter --port PORT --state DIR [--host 127.0.0.1]\n"
                    "         [--encodings zrle,copyrect,raw,lastrect,desktopsize] [--keys 200]\n"
                    "         [--quiet-ms 1000] [--gap-ms 80] [--phase-limit-s 60] [--name NAME]\n";

} // namespace

int main(int argc, char** argv) {
    std::string host = "127.0.0.1", enc_list = "zrle,copyrect,raw,lastrect,desktopsize";
    std::string name = "server";
    std::filesystem::path state;
    int port = 0, keys = 200, quiet_ms = 1000, gap_ms = 80, limit_s = 60;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (i + 1 >= argc) {
            std::fputs(usage, stderr);
            return 2;
        }
        std::string v = argv[++i];
        if (a == "--host")
            host = v;
        else if (a == "--port")
            port = std::atoi(v.c_str());
        else if (a == "--state")
            state = v;
        else if (a == "--encodings")
            enc_list = v;
        else if (a == "--keys")
            keys = std::atoi(v.c_str());
        else if (a == "--quiet-ms")
            quiet_ms = std::atoi(v.c_str());
        else if (a == "--gap-ms")
            gap_ms = std::atoi(v.c_str());
        else if (a == "--phase-limit-s")
            limit_s = std::atoi(v.c_str());
        else if (a == "--name")
            name = v;
        else {
            std::fputs(usage, stderr);
            return 2;
        }
    }
    if (port <= 0 || state.empty() || keys < 0 || quiet_ms <= 0 || gap_ms <= 0 || limit_s <= 0) {
        std::fputs(usage, stderr);
        return 2;
    }
    std::vector<std::int32_t> encodings;
    for (std::size_t at = 0; at <= enc_list.size();) {
        std::size_t comma = std::min(enc_list.find(',', at), enc_list.size());
        std::string word = enc_list.substr(at, comma - at);
        auto e = encoding_number(word);
        if (!e) {
            std::fprintf(stderr, "rfb_meter: unknown encoding '%s'\n", word.c_str());
            return 2;
        }
        encodings.push_back(*e);
        at = comma + 1;
    }
    const auto quiet = std::chrono::milliseconds(quiet_ms);
    const auto limit = std::chrono::seconds(limit_s);

    try {
        // The workload shows its first screen and waits for the trigger.
        if (!wait_file(state / "ready", 30s)) throw Failure("the workload is not ready");
        std::filesystem::remove(state / "ready");
        Session s(host, port);
        handshake(s, encodings);
        request_update(s, false);
        Phase settle = until_quiet(s, std::nullopt, quiet, limit);

        // full: a viewer of its own asks for the whole (settled) screen.
        std::uint64_t full_bytes = 0, full_area = 0;
        int full_updates = 0, full_rects = 0;
        {
            Session f(host, port);
            handshake(f, encodings);
            request_update(f, false);
            const std::uint64_t screen = static_cast<std::uint64_t>(f.width) * f.height;
            auto until = Clock::now() + 10s;
            while (full_area < screen) {
                Message m = read_message(f, until);
                if (!m.update) continue;
                full_bytes += m.bytes, full_area += m.area;
                full_rects += m.pixel_rects + m.copy_rects;
                ++full_updates;
                if (full_area < screen) request_update(f, true);
            }
        }

        // scroll, paced, redraw: 'g' Return starts each; the workload marks its end with a file.
        send_key(s, 'g'), send_key(s, 0xff0d);
        Phase scroll = until_quiet(s, state / "scroll.done", quiet, limit);
        send_key(s, 'g'), send_key(s, 0xff0d);
        Phase paced = until_quiet(s, state / "paced.done", quiet, limit);
        send_key(s, 'g'), send_key(s, 0xff0d);
        Phase redraw = until_quiet(s, state / "redraw.done", quiet, limit);

        // keys: an echo loop shows each key as it comes.
        send_key(s, 'g'), send_key(s, 0xff0d);
        Phase echo_start = until_quiet(s, state / "echo.ready", quiet, limit);
        std::vector<double> latencies;
        int key_timeouts = 0;
        std::uint64_t keys_bytes0 = s.conn.consumed();
        static const char letters[] = "abcdefghijklmnoprstuvwxyz"; // no 'q': it ends the loop
        for (int k = 0; k < keys; ++k) {
            auto t0 = Clock::now();
            send_key(s, static_cast<std::uint8_t>(letters[k % (sizeof letters - 1)]));
            bool seen = false;
            auto until = t0 + 2s;
            while (!seen && s.conn.wait_readable(until)) {
                Message m = read_message(s, Clock::now() + 10s);
                if (!m.update) continue;
                request_update(s, true);
                if (m.changes()) {
                    seen = true;
                    latencies.push_back(ms_between(t0, m.done));
                }
            }
            if (!seen) ++key_timeouts;
            until_quiet(s, std::nullopt, std::chrono::milliseconds(gap_ms), limit);
        }
        std::uint64_t keys_bytes = s.conn.consumed() - keys_bytes0;
        send_key(s, 'q');
        until_quiet(s, std::nullopt, quiet, limit);

        std::string rects;
        for (auto& [enc, n] : s.rects_by_encoding)
            rects += (rects.empty() ? "" : ",") + ("\"" + enc + "\":" + std::to_string(n));
        auto phase_json = [](const char* key, const Phase& p) {
            std::printf(",\"%s\":{\"bytes\":%llu,\"updates\":%d,\"pixel_rects\":%d,"
                        "\"copy_rects\":%d,\"ms\":%.1f,\"timed_out\":%s}",
                        key, static_cast<unsigned long long>(p.bytes), p.updates, p.pixel_rects,
                        p.copy_rects, p.ms, p.timed_out ? "true" : "false");
        };
        std::printf("{\"name\":\"%s\",\"encodings\":\"%s\",\"width\":%d,\"height\":%d,"
                    "\"desktop\":\"%s\",\"full\":{\"bytes\":%llu,\"updates\":%d,\"rects\":%d,"
                    "\"area\":%llu}",
                    name.c_str(), enc_list.c_str(), s.width, s.height,
                    std::string(s.name.begin(),
                                std::find_if(s.name.begin(), s.name.end(),
                                             [](char ch) { return ch == '"' || ch == '\\'; }))
                        .c_str(),
                    static_cast<unsigned long long>(full_bytes), full_updates, full_rects,
                    static_cast<unsigned long long>(full_area));
        phase_json("settle", settle);
        phase_json("scroll", scroll);
        phase_json("paced", paced);
        phase_json("redraw", redraw);
        phase_json("echo_start", echo_start);
        std::printf(",\"keys\":{\"sent\":%d,\"answered\":%zu,\"timeouts\":%d,\"bytes\":%llu,"
                    "\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}",
                    keys, latencies.size(), key_timeouts,
                    static_cast<unsigned long long>(keys_bytes), percentile(latencies, 0.5),
                    percentile(latencies, 0.99), percentile(latencies, 1.0));
        std::printf(",\"rects\":{%s}}\n", rects.c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rfb_meter %s: %s\n", name.c_str(), e.what());
        return 1;
    }
    return 0;
}
