#pragma once
// Messages the server sends after the handshake (RFC 6143 7.6) and the pseudo-rectangles of the
// extensions we speak. Encoders append to an output buffer.
#include "vnc/rfb/client_messages.hpp"
#include "vnc/rfb/framebuffer.hpp"
#include "vnc/rfb/pixel_format.hpp"
#include "vnc/rfb/wire.hpp"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace superd::vnc {

namespace server_message_type {
inline constexpr std::uint8_t framebuffer_update = 0;
inline constexpr std::uint8_t bell = 2;
inline constexpr std::uint8_t server_cut_text = 3;
inline constexpr std::uint8_t end_of_continuous_updates = 150;
} // namespace server_message_type

// FramebufferUpdate's header; `rect_count` 0xFFFF means "until a LastRect rectangle".
inline constexpr std::uint16_t rect_count_until_last_rect = 0xFFFF;
void put_update_header(Bytes& out, std::uint16_t rect_count);
void put_rect_header(Bytes& out, const Rect& r, std::int32_t encoding);
void put_bell(Bytes& out);
// ISO 8859-1 text, as RFB's cut text is.
void put_server_cut_text(Bytes& out, std::string_view text);
void put_end_of_continuous_updates(Bytes& out);

// ExtendedDesktopSize (rfbproto): why the size changed, and the answer to a SetDesktopSize.
enum class DesktopSizeReason : std::uint16_t { server = 0, this_client = 1, other_client = 2 };
enum class DesktopSizeStatus : std::uint16_t {
    ok = 0,
    prohibited = 1,
    out_of_resources = 2,
    invalid_layout = 3,
};

struct DesktopSizePseudo {
    int width = 0, height = 0;
};
struct ExtendedDesktopSizePseudo {
    DesktopSizeReason reason = DesktopSizeReason::server;
    DesktopSizeStatus status = DesktopSizeStatus::ok;
    int width = 0, height = 0;
    std::vector<Screen> screens; // empty: one screen covering the framebuffer, id 0
};
// The pointer's shape: pixels 0x00RRGGBB row-major, and a bit mask (rows of (width + 7) / 8
// bytes, most significant bit first, 1 = drawn). width or height 0 hides the cursor.
struct CursorPseudo {
    int hotspot_x = 0, hotspot_y = 0;
    int width = 0, height = 0;
    std::vector<std::uint32_t> pixels;
    std::vector<std::uint8_t> mask;
};

void put_desktop_size(Bytes& out, const DesktopSizePseudo& p);
void put_extended_desktop_size(Bytes& out, const ExtendedDesktopSizePseudo& p);
void put_cursor(Bytes& out, const CursorPseudo& p, const PixelConverter& converter);
void put_last_rect(Bytes& out);

// A text console's cursor as a Cursor pseudo-rectangle: a filled block or an underline of
// cell_width x cell_height, in `colour`, hotspot at its top left.
enum class CursorShape : std::uint8_t { block, underline, bar };
CursorPseudo make_cell_cursor(CursorShape shape, int cell_width, int cell_height,
                              std::uint32_t colour);

} // namespace superd::vnc
