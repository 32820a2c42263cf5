#include "vnc/rfb/client_reader.hpp"

#include <algorithm>

namespace superd::vnc {

namespace {

namespace type = client_message_type;

Rect read_rect(const std::uint8_t* p) {
    return Rect{get_u16(p), get_u16(p + 2), get_u16(p + 4), get_u16(p + 6)};
}

} // namespace

ClientMessageReader::ClientMessageReader(ReaderLimits limits)
    : limits_(limits) {}

void ClientMessageReader::feed(std::span<const std::uint8_t> bytes) {
    if (error_) return;
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void ClientMessageReader::consume(std::size_t n) {
    start_ += n;
    if (start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    } else if (start_ >= 64 * 1024 && start_ * 2 >= buffer_.size()) {
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
}

std::expected<std::optional<ClientMessage>, ReadError>
ClientMessageReader::fail(std::string reason) {
    error_ = ReadError{std::move(reason)};
    buffer_.clear();
    start_ = 0;
    return std::unexpected(*error_);
}

std::expected<std::optional<ClientMessage>, ReadError> ClientMessageReader::skip_cut_text() {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skipping_, buffered()));
    consume(n);
    skipping_ -= n;
    if (skipping_ > 0) return std::optional<ClientMessage>{};
    return ClientCutText{{}, skipped_length_, true};
}

std::expected<std::optional<ClientMessage>, ReadError> ClientMessageReader::next() {
    if (error_) return std::unexpected(*error_);
    if (skipping_ > 0) return skip_cut_text();
    std::size_t have = buffered();
    if (have == 0) return std::optional<ClientMessage>{};
    const std::uint8_t* p = buffer_.data() + start_;
    const std::optional<ClientMessage> need_more;

    switch (p[0]) {
    case type::set_pixel_format: {
        if (have < 20) return need_more;
        PixelFormat format = decode_pixel_format(std::span<const std::uint8_t, 16>(p + 4, 16));
        if (auto why = validate(format); !why.empty())
            return fail("SetPixelFormat: unsupported format: " + why);
        consume(20);
        return SetPixelFormat{format};
    }
    case type::set_encodings: {
        if (have < 4) return need_more;
        std::uint32_t count = get_u16(p + 2);
        if (count > limits_.max_encodings)
            return fail("SetEncodings: " + std::to_string(count) +
                        " encodings, over the limit of " + std::to_string(limits_.max_encodings));
        std::size_t size = 4 + std::size_t{count} * 4;
        if (have < size) return need_more;
        SetEncodings m;
        m.encodings.reserve(count);
        for (std::uint32_t i = 0; i < count; ++i)
            m.encodings.push_back(get_s32(p + 4 + 4 * i));
        consume(size);
        return m;
    }
    case type::framebuffer_update_request: {
        if (have < 10) return need_more;
        FramebufferUpdateRequest m{p[1] != 0, read_rect(p + 2)};
        consume(10);
        return m;
    }
    case type::key_event: {
        if (have < 8) return need_more;
        KeyEvent m{p[1] != 0, get_u32(p + 4)};
        consume(8);
        return m;
    }
    case type::pointer_event: {
        if (have < 6) return need_more;
        PointerEvent m{p[1], get_u16(p + 2), get_u16(p + 4)};
        consume(6);
        return m;
    }
    case type::client_cut_text: {
        if (have < 8) return need_more;
        std::uint32_t length = get_u32(p + 4);
        if (length > limits_.max_cut_text) {
            // Read past it as it comes rather than hold it (a negative length, the Extended
            // Clipboard's form, lands here too: we do not announce that extension).
            consume(8);
            skipping_ = length;
            skipped_length_ = length;
            return skip_cut_text();
        }
        if (have < 8 + std::size_t{length}) return need_more;
        ClientCutText m{std::string(reinterpret_cast<const char*>(p + 8), length), length, false};
        consume(8 + std::size_t{length});
        return m;
    }
    case type::set_desktop_size: {
        if (have < 8) return need_more;
        std::size_t screens = p[6];
        std::size_t size = 8 + screens * 16;
        if (have < size) return need_more;
        SetDesktopSize m{get_u16(p + 2), get_u16(p + 4), {}};
        for (std::size_t i = 0; i < screens; ++i) {
            const std::uint8_t* s = p + 8 + 16 * i;
            m.screens.push_back(Screen{get_u32(s), read_rect(s + 4), get_u32(s + 12)});
        }
        consume(size);
        return m;
    }
    case type::enable_continuous_updates: {
        if (have < 10) return need_more;
        EnableContinuousUpdates m{p[1] != 0, read_rect(p + 2)};
        consume(10);
        return m;
    }
    default:
        // Its length is unknown, so nothing after it can be read.
        return fail("unknown client message type " + std::to_string(p[0]));
    }
}

} // namespace superd::vnc
