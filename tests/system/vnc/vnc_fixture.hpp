#pragma once
// What the VNC system tests share: superd-vncd started on a console the test describes,
// captures by real viewers read back as pixels, the screen the console should show drawn by
// the same console code in the test, and keys typed through a minimal scripted RFB client.
#include "tests/system/harness.hpp"
#include "tests/system/netns.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace superd::system_test {

struct Image {
    int width = 0, height = 0;
    std::vector<std::uint32_t> pixels; // 0x00RRGGBB
    bool operator==(const Image&) const = default;
};

std::string vncd_binary();
// A binary PPM (P6, maxval 255).
std::optional<Image> read_ppm(const std::string& path);
// gvnccapture (gtk-vnc) saves a PNG; netpbm's pngtopnm turns it into a PPM.
std::optional<Image> capture_gvnc(int port, const TempDir& dir, std::string* log = nullptr);
// vncsnapshot saves a JPEG (lossy); djpeg decodes it. `passwd`: a vncpasswd file.
std::optional<Image> capture_vncsnapshot(int port, const TempDir& dir,
                                         const std::string& passwd = {},
                                         std::string* log = nullptr);
// The screen a console of cols x rows shows after `pty_output` (what the test's command
// printed, with the pty's \n -> \r\n already applied), drawn with the built-in font.
Image expected_screen(int cols, int rows, const std::string& pty_output);
// Mean absolute difference per channel (for lossy captures).
double mean_difference(const Image& a, const Image& b);
// Types `text` (ASCII, '\n' as Return) as RFB KeyEvents through a scripted client (Python,
// RFB 3.8, security None), first asking for a new size "WxH" (ExtendedDesktopSize) when
// `resize` is given, and stays connected `hold` seconds more; true when the server accepted it.
bool rfb_type(int port, const std::string& text, std::string* log = nullptr, double hold = 0,
              const std::string& resize = {});
// Captures with gvnccapture until the picture equals `expected` or `timeout` passes.
bool capture_shows(int port, const TempDir& dir, const Image& expected,
                   std::chrono::milliseconds timeout = 10s, std::string* why = nullptr);

} // namespace superd::system_test
