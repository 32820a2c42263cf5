#include "tests/system/vnc/vnc_fixture.hpp"

#include "vnc/term/console.hpp"

#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

namespace superd::system_test {

std::string vncd_binary() {
    return SUPERD_VNCD_BIN;
}

std::optional<Image> read_ppm(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string magic;
    int w = 0, h = 0, maxval = 0;
    in >> magic >> w >> h >> maxval;
    if (!in || magic != "P6" || maxval != 255 || w <= 0 || h <= 0) return std::nullopt;
    in.get(); // the one whitespace byte before the raster
    std::vector<unsigned char> raster(static_cast<std::size_t>(w) * h * 3);
    in.read(reinterpret_cast<char*>(raster.data()), static_cast<std::streamsize>(raster.size()));
    if (!in) return std::nullopt;
    Image image{w, h, {}};
    image.pixels.reserve(static_cast<std::size_t>(w) * h);
    for (std::size_t i = 0; i < raster.size(); i += 3)
        image.pixels.push_back(static_cast<std::uint32_t>(raster[i]) << 16 |
                               static_cast<std::uint32_t>(raster[i + 1]) << 8 | raster[i + 2]);
    return image;
}

std::optional<Image> capture_gvnc(int port, const TempDir& dir, std::string* log) {
    const std::string png = dir.file("capture.png"), ppm = dir.file("capture.ppm");
    ::unlink(png.c_str());
    // gtk-vnc's display number is the port minus 5900; "host::port" is not understood.
    auto r = run_command({"gvnccapture", "127.0.0.1:" + std::to_string(port - 5900), png}, {}, 20s);
    if (log) *log = r.out;
    if (r.status != 0) return std::nullopt;
    auto conv = run_command({"sh", "-c", "pngtopnm '" + png + "' > '" + ppm + "'"}, {}, 20s);
    if (conv.status != 0) {
        if (log) *log += conv.out;
        return std::nullopt;
    }
    return read_ppm(ppm);
}

std::optional<Image> capture_vncsnapshot(int port, const TempDir& dir, const std::string& passwd,
                                         std::string* log) {
    const std::string jpg = dir.file("snapshot.jpg"), ppm = dir.file("snapshot.ppm");
    ::unlink(jpg.c_str());
    std::vector<std::string> argv = {"vncsnapshot", "-quiet", "-quality", "100"};
    if (!passwd.empty()) argv.insert(argv.end(), {"-passwd", passwd});
    argv.insert(argv.end(), {"127.0.0.1::" + std::to_string(port), jpg});
    auto r = run_command(argv, {}, 20s);
    if (log) *log = r.out;
    if (r.status != 0) return std::nullopt;
    auto conv = run_command({"sh", "-c", "djpeg -pnm '" + jpg + "' > '" + ppm + "'"}, {}, 20s);
    if (conv.status != 0) return std::nullopt;
    return read_ppm(ppm);
}

Image expected_screen(int cols, int rows, const std::string& pty_output) {
    vnc::Console console(cols, rows, vnc::Font::builtin());
    console.feed(pty_output);
    console.take_damage(); // the framebuffer is drawn then
    const auto& fb = console.framebuffer();
    return Image{fb.width, fb.height, fb.pixels};
}

double mean_difference(const Image& a, const Image& b) {
    if (a.width != b.width || a.height != b.height) return 255;
    double sum = 0;
    for (std::size_t i = 0; i < a.pixels.size(); ++i)
        for (int shift : {16, 8, 0})
            sum += std::abs(static_cast<int>((a.pixels[i] >> shift) & 0xff) -
                            static_cast<int>((b.pixels[i] >> shift) & 0xff));
    return sum / (3.0 * static_cast<double>(a.pixels.size()));
}

namespace {

constexpr const char* typer = R"PY(
import socket, struct, sys, time
port, text, hold, resize = int(sys.argv[1]), sys.argv[2], float(sys.argv[3]), sys.argv[4]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
def recv(n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise SystemExit("closed")
        data += chunk
    return data
recv(12)
s.sendall(b"RFB 003.008\n")
count = recv(1)[0]
types = recv(count)
if 1 not in types:
    raise SystemExit("no security None offered: %r" % types)
s.sendall(b"\x01")
if struct.unpack(">I", recv(4))[0] != 0:
    raise SystemExit("security failed")
s.sendall(b"\x01")  # shared
w, h = struct.unpack(">HH", recv(4))
recv(16)
recv(struct.unpack(">I", recv(4))[0])
if resize != "-":
    nw, nh = (int(v) for v in resize.split("x"))
    s.sendall(struct.pack(">BxHii", 2, 2, 0, -308))  # SetEncodings: Raw, ExtendedDesktopSize
    s.sendall(struct.pack(">BxHHBxIHHHHI", 251, nw, nh, 1, 0, 0, 0, nw, nh, 0))
for ch in text:
    sym = 0xff0d if ch == "\n" else ord(ch)
    for down in (1, 0):
        s.sendall(struct.pack(">BBxxI", 4, down, sym))
time.sleep(0.3 + hold)
s.close()
print("typed", len(text), "keys on a", w, "x", h, "console")
)PY";

} // namespace

bool rfb_type(int port, const std::string& text, std::string* log, double hold,
              const std::string& resize) {
    auto r = run_command({"python3", "-c", typer, std::to_string(port), text, std::to_string(hold),
                          resize.empty() ? "-" : resize},
                         {}, 30s);
    if (log) *log = r.out;
    return r.status == 0;
}

bool capture_shows(int port, const TempDir& dir, const Image& expected,
                   std::chrono::milliseconds timeout, std::string* why) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string log;
    std::optional<Image> got;
    do {
        got = capture_gvnc(port, dir, &log);
        if (got && *got == expected) return true;
        std::this_thread::sleep_for(200ms);
    } while (std::chrono::steady_clock::now() < deadline);
    if (why) {
        std::ostringstream text;
        text << "gvnccapture: " << log;
        if (got) {
            std::size_t differing = 0;
            int x0 = got->width, y0 = got->height, x1 = -1, y1 = -1;
            std::uint32_t seen = 0, wanted = 0;
            for (std::size_t i = 0; i < std::min(got->pixels.size(), expected.pixels.size()); ++i)
                if (got->pixels[i] != expected.pixels[i]) {
                    ++differing;
                    int x = static_cast<int>(i) % got->width, y = static_cast<int>(i) / got->width;
                    x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x),
                    y1 = std::max(y1, y);
                    seen = got->pixels[i], wanted = expected.pixels[i];
                }
            text << "captured " << got->width << "x" << got->height << ", expected "
                 << expected.width << "x" << expected.height << ", " << differing
                 << " pixels differ, within (" << x0 << "," << y0 << ")-(" << x1 << "," << y1
                 << "), e.g. " << std::hex << seen << " for " << wanted << std::dec;
        }
        *why = text.str();
    }
    return false;
}

} // namespace superd::system_test
