// The client message reader: each message from bytes written out per RFC 6143 / rfbproto, a
// stream of all of them split at every byte, limits, and the errors it cannot read past.
#include "vnc/rfb/client_reader.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A viewer's first messages after ServerInit, in the order TigerVNC's vncviewer sends them
// (written from its CMsgWriter, not captured): SetPixelFormat, SetEncodings, then a full
// FramebufferUpdateRequest.
const Bytes set_pixel_format{0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0};
const Bytes set_encodings{2,    0,    0,    6,    0, 0, 0, 7, // Tight
                          0,    0,    0,    16,               // ZRLE
                          0,    0,    0,    5,                // Hextile
                          0,    0,    0,    1,                // CopyRect
                          0xff, 0xff, 0xff, 0x21,             // DesktopSize -223
                          0xff, 0xff, 0xfe, 0xcc};            // ExtendedDesktopSize
const Bytes update_request{3, 0, 0, 0, 0, 0, 0x02, 0x80, 0x01, 0xe0};
const Bytes key_down{4, 1, 0, 0, 0, 0, 0xff, 0x0d}; // Return
const Bytes pointer{5, 0x01, 0x00, 0x10, 0x00, 0x20};
const Bytes cut_text{6, 0, 0, 0, 0, 0, 0, 5, 'h', 'e', 'l', 'l', 'o'};
const Bytes set_desktop_size{251, 0, 0x04, 0x00, 0x03, 0x00, 1,    0,    0, 0, 0, 1,
                             0,   0, 0,    0,    0x04, 0x00, 0x03, 0x00, 0, 0, 0, 0};
const Bytes continuous{150, 1, 0, 0, 0, 0, 0x02, 0x80, 0x01, 0xe0};

std::vector<ClientMessage> expected_messages() {
    return {
        SetPixelFormat{native_pixel_format},
        SetEncodings{{7, 16, 5, 1, -223, -308}},
        FramebufferUpdateRequest{false, Rect{0, 0, 640, 480}},
        KeyEvent{true, 0xff0d},
        PointerEvent{1, 16, 32},
        ClientCutText{"hello", 5, false},
        SetDesktopSize{1024, 768, {Screen{1, Rect{0, 0, 1024, 768}, 0}}},
        EnableContinuousUpdates{true, Rect{0, 0, 640, 480}},
    };
}

Bytes all_messages() {
    return cat({set_pixel_format, set_encodings, update_request, key_down, pointer, cut_text,
                set_desktop_size, continuous});
}

// Feeds the pieces one after the other, taking every message as soon as it is complete.
std::vector<ClientMessage> read_all(ClientMessageReader& reader,
                                    std::initializer_list<std::span<const std::uint8_t>> pieces) {
    std::vector<ClientMessage> got;
    for (auto piece : pieces) {
        reader.feed(piece);
        while (true) {
            auto m = reader.next();
            EXPECT_TRUE(m.has_value()) << m.error().reason;
            if (!m || !*m) break;
            got.push_back(**m);
        }
    }
    return got;
}

TEST(ClientReader, ReadsEveryMessage) {
    ClientMessageReader reader;
    Bytes all = all_messages();
    EXPECT_EQ(read_all(reader, {all}), expected_messages());
    EXPECT_EQ(reader.buffered(), 0u);
}

TEST(ClientReader, EverySplitGivesTheSameMessages) {
    Bytes all = all_messages();
    std::span<const std::uint8_t> whole(all);
    for (std::size_t at = 0; at <= all.size(); ++at) {
        SCOPED_TRACE(at);
        ClientMessageReader reader;
        EXPECT_EQ(read_all(reader, {whole.first(at), whole.subspan(at)}), expected_messages());
    }
    ClientMessageReader reader;
    std::vector<ClientMessage> got;
    for (std::size_t i = 0; i < all.size(); ++i) {
        auto one = read_all(reader, {whole.subspan(i, 1)});
        got.insert(got.end(), one.begin(), one.end());
    }
    EXPECT_EQ(got, expected_messages());
}

TEST(ClientReader, LongCutTextIsSkippedNotKept) {
    ClientMessageReader reader(ReaderLimits{.max_cut_text = 4});
    Bytes all = cat({cut_text, key_down});
    std::span<const std::uint8_t> whole(all);
    for (std::size_t at = 0; at <= all.size(); ++at) {
        SCOPED_TRACE(at);
        ClientMessageReader r(ReaderLimits{.max_cut_text = 4});
        auto got = read_all(r, {whole.first(at), whole.subspan(at)});
        std::vector<ClientMessage> expected{ClientCutText{"", 5, true}, KeyEvent{true, 0xff0d}};
        EXPECT_EQ(got, expected);
    }
}

TEST(ClientReader, NegativeCutTextLengthIsSkipped) {
    // The Extended Clipboard's form (a negative length); we never announce it. Its 0xfffffffc
    // bytes are read past as they come: nothing is held.
    ClientMessageReader reader;
    reader.feed(cat({Bytes{6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfc}, key_down}));
    auto r = reader.next();
    ASSERT_TRUE(r);
    EXPECT_FALSE(*r);
    EXPECT_EQ(reader.buffered(), 0u);
}

TEST(ClientReader, UnknownTypeIsAnError) {
    ClientMessageReader reader;
    reader.feed(cat({key_down, Bytes{255, 0, 0, 0}}));
    auto m = reader.next();
    ASSERT_TRUE(m && *m);
    auto e = reader.next();
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().reason, "unknown client message type 255");
    // The error lasts.
    reader.feed(key_down);
    EXPECT_FALSE(reader.next());
    EXPECT_TRUE(reader.failed());
}

TEST(ClientReader, TooManyEncodingsIsAnError) {
    ClientMessageReader reader(ReaderLimits{.max_encodings = 2});
    reader.feed(Bytes{2, 0, 0, 3});
    auto e = reader.next();
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().reason.find("SetEncodings"), std::string::npos);
}

TEST(ClientReader, UnservablePixelFormatIsAnError) {
    ClientMessageReader reader;
    Bytes colour_map = set_pixel_format;
    colour_map[7] = 0; // true-colour flag
    reader.feed(colour_map);
    auto e = reader.next();
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().reason.find("colour map"), std::string::npos);

    ClientMessageReader r24;
    Bytes bpp24 = set_pixel_format;
    bpp24[4] = 24;
    r24.feed(bpp24);
    EXPECT_FALSE(r24.next());
}

TEST(ClientReader, TruncatedMessagesWaitForMore) {
    for (const Bytes* m : {&set_pixel_format, &set_encodings, &update_request, &key_down, &pointer,
                           &cut_text, &set_desktop_size, &continuous}) {
        ClientMessageReader reader;
        reader.feed(std::span<const std::uint8_t>(*m).first(m->size() - 1));
        auto r = reader.next();
        ASSERT_TRUE(r);
        EXPECT_FALSE(*r);
        EXPECT_EQ(reader.buffered(), m->size() - 1);
    }
}

} // namespace
} // namespace superd::vnc
