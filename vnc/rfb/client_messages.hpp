#pragma once
// The messages an RFB client sends after the handshake (RFC 6143 7.5, plus the community
// extensions we announce: ExtendedDesktopSize's SetDesktopSize, EnableContinuousUpdates).
#include "vnc/rfb/framebuffer.hpp"
#include "vnc/rfb/pixel_format.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace superd::vnc {

namespace client_message_type {
inline constexpr std::uint8_t set_pixel_format = 0;
inline constexpr std::uint8_t set_encodings = 2;
inline constexpr std::uint8_t framebuffer_update_request = 3;
inline constexpr std::uint8_t key_event = 4;
inline constexpr std::uint8_t pointer_event = 5;
inline constexpr std::uint8_t client_cut_text = 6;
inline constexpr std::uint8_t enable_continuous_updates = 150;
inline constexpr std::uint8_t set_desktop_size = 251;
} // namespace client_message_type

struct SetPixelFormat {
    PixelFormat format; // validated: validate(format) is ""
    bool operator==(const SetPixelFormat&) const = default;
};

struct SetEncodings {
    std::vector<std::int32_t> encodings; // the client's preference order
    bool operator==(const SetEncodings&) const = default;
};

struct FramebufferUpdateRequest {
    bool incremental = false;
    Rect area;
    bool operator==(const FramebufferUpdateRequest&) const = default;
};

struct KeyEvent {
    bool down = false;
    std::uint32_t keysym = 0;
    bool operator==(const KeyEvent&) const = default;
};

struct PointerEvent {
    std::uint8_t buttons = 0; // bit n: button n+1 is down
    int x = 0, y = 0;
    bool operator==(const PointerEvent&) const = default;
};

struct ClientCutText {
    std::string text;         // ISO 8859-1, as sent; empty when skipped
    std::uint32_t length = 0; // as announced
    bool skipped = false;     // longer than the reader's limit: read past, not kept
    bool operator==(const ClientCutText&) const = default;
};

// One screen of ExtendedDesktopSize's layout.
struct Screen {
    std::uint32_t id = 0;
    Rect area;
    std::uint32_t flags = 0;
    bool operator==(const Screen&) const = default;
};

struct SetDesktopSize {
    int width = 0, height = 0;
    std::vector<Screen> screens;
    bool operator==(const SetDesktopSize&) const = default;
};

struct EnableContinuousUpdates {
    bool enable = false;
    Rect area;
    bool operator==(const EnableContinuousUpdates&) const = default;
};

using ClientMessage =
    std::variant<SetPixelFormat, SetEncodings, FramebufferUpdateRequest, KeyEvent, PointerEvent,
                 ClientCutText, SetDesktopSize, EnableContinuousUpdates>;

} // namespace superd::vnc
