// libFuzzer target: RFB's server handshake (vnc/rfb/handshake.hpp) and client message reader
// (vnc/rfb/client_reader.hpp) on arbitrary client bytes, and the encoders behind the reader:
// each SetPixelFormat / SetEncodings the input sends is applied to an UpdateEncoder and each
// FramebufferUpdateRequest is answered from a small framebuffer. Nothing may crash; the
// handshake never consumes more than it is given; errors last.
// The input is the client's whole byte stream from its ProtocolVersion on; the reader also
// reads the input from its first byte, so that message-only seeds reach it directly.
// Seeds: tests/fuzz/corpus/fuzz_vnc_messages/, written from RFC 6143 and rfbproto (not
// captured): messages-* are client messages alone (messages-tigervnc-start lists encodings in
// vncviewer's order, then asks for a full and an incremental update); handshake-* are a
// client's whole stream from its ProtocolVersion on (3.3, 3.7, 3.8, Apple's 3.889, VNC auth,
// VeNCrypt X509Vnc and Plain), followed by messages.
#include "fuzz_setup.hpp"

#include "vnc/rfb/client_reader.hpp"
#include "vnc/rfb/handshake.hpp"
#include "vnc/rfb/update_encoder.hpp"

#include <span>

namespace {

using superd::fuzz::require;
namespace vnc = superd::vnc;

vnc::Framebuffer make_framebuffer() {
    vnc::Framebuffer fb{40, 24, std::vector<std::uint32_t>(40 * 24)};
    for (std::size_t i = 0; i < fb.pixels.size(); ++i)
        fb.pixels[i] = (i % 7 == 0) ? 0x00aaaaaa : (i % 13 == 0) ? 0x00ff0000 : 0x00000000;
    return fb;
}

// The reader on `in`, fed in two pieces, each message acted on as a session would.
void read_messages(std::span<const std::uint8_t> in, std::size_t split) {
    static const vnc::Framebuffer fb = make_framebuffer();
    vnc::ClientMessageReader reader(vnc::ReaderLimits{.max_cut_text = 64, .max_encodings = 64});
    vnc::UpdateEncoder encoder;
    int updates = 0;
    for (auto piece : {in.first(split), in.subspan(split)}) {
        reader.feed(piece);
        while (true) {
            auto m = reader.next();
            if (!m) {
                require(reader.failed() && !m.error().reason.empty(), "an error has a reason");
                require(!reader.next(), "an error lasts");
                return;
            }
            if (!*m) break;
            if (auto* f = std::get_if<vnc::SetPixelFormat>(&**m)) {
                require(vnc::validate(f->format).empty(), "only servable formats pass");
                encoder.set_pixel_format(f->format);
            } else if (auto* e = std::get_if<vnc::SetEncodings>(&**m)) {
                require(e->encodings.size() <= 64, "SetEncodings bounded");
                encoder.set_encodings(e->encodings);
            } else if (auto* r = std::get_if<vnc::FramebufferUpdateRequest>(&**m)) {
                if (++updates > 8) continue; // enough to reach every encoder, and fast
                vnc::Rect rects[] = {r->area};
                vnc::CopyOp copies[] = {{r->area, r->area.y % 40, r->area.x % 24}};
                vnc::Bytes out = encoder.encode_update(fb, copies, rects);
                require(out.size() >= 4 && out[0] == 0, "an update is a FramebufferUpdate");
            } else if (auto* c = std::get_if<vnc::ClientCutText>(&**m)) {
                require(c->skipped || c->text.size() == c->length, "cut text whole or skipped");
                require(c->text.size() <= 64, "cut text bounded");
            }
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::span<const std::uint8_t> in(data, size);
    std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
    read_messages(in, split);

    vnc::HandshakeConfig config;
    config.security_types = {vnc::SecurityType::vencrypt, vnc::SecurityType::vnc_auth,
                             vnc::SecurityType::none};
    config.vencrypt_subtypes = {vnc::VencryptSubtype::x509_vnc, vnc::VencryptSubtype::tls_none,
                                vnc::VencryptSubtype::plain, vnc::VencryptSubtype::tls_plain};
    config.password = "password";
    config.view_only_password = "view";
    config.check_plain = [](std::string_view user, std::string_view password) {
        return user == password ? std::optional(vnc::Access::full) : std::nullopt;
    };
    config.max_plain_length = 64;
    vnc::ServerHandshake hs(config);
    vnc::Bytes out;
    hs.start(out);
    std::size_t at = 0;
    while (at < size) {
        auto p = hs.feed(in.subspan(at), out);
        require(p.consumed <= size - at, "consumes only what it is given");
        at += p.consumed;
        if (p.status == vnc::HandshakeStatus::start_tls) {
            hs.tls_ready(out); // as if TLS were up: the rest is "decrypted"
        } else if (p.status == vnc::HandshakeStatus::client_init) {
            hs.send_server_init(vnc::ServerInit{40, 24, vnc::native_pixel_format, "fuzz"}, out);
            require(hs.status() == vnc::HandshakeStatus::done, "ServerInit ends the handshake");
            read_messages(in.subspan(at), 0);
            break;
        } else if (p.status == vnc::HandshakeStatus::failed) {
            require(!hs.failure_reason().empty(), "a failure has a reason");
            require(hs.feed(in.subspan(at), out).consumed == 0, "a failure lasts");
            break;
        } else {
            require(at == size, "need_more uses all the input");
        }
    }
    return 0;
}
