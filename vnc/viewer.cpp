#include "vnc/viewer.hpp"

#include "vnc/rfb/client_reader.hpp"
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/update_encoder.hpp"
#include "vnc/term/keyboard.hpp"
#include "vnc/term/paste.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <deque>

#include <openssl/rand.h>

namespace superd::vnc {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using tcp = asio::ip::tcp;
namespace beast = boost::beast;

// Past this many separate rectangles an update covers their bounding box instead.
constexpr std::size_t max_pending_rects = 64;

Rect bounding(const std::vector<Rect>& rects) {
    int x0 = rects.front().x, y0 = rects.front().y;
    int x1 = x0 + rects.front().w, y1 = y0 + rects.front().h;
    for (const Rect& r : rects) {
        x0 = std::min(x0, r.x);
        y0 = std::min(y0, r.y);
        x1 = std::max(x1, r.x + r.w);
        y1 = std::max(y1, r.y + r.h);
    }
    return {x0, y0, x1 - x0, y1 - y0};
}

class Viewer final : public ViewerLink, public std::enable_shared_from_this<Viewer> {
  public:
    Viewer(ConsoleHost& host, tcp::socket socket, ViewerOptions options,
           std::shared_ptr<spdlog::logger> log, std::function<void()> done)
        : host_(host)
        , socket_(std::move(socket))
        , options_(std::move(options))
        , log_(std::move(log))
        , done_(std::move(done)) {
        error_code ec;
        auto peer = socket_.remote_endpoint(ec);
        peer_ =
            ec ? std::string("-") : peer.address().to_string() + ":" + std::to_string(peer.port());
    }

    awaitable<void> run() {
        co_await serve();
        if (joined_) host_.leave(this);
        if (transport_) transport_->close();
        closed_ = true;
        log_->info("viewer {} on console {}: closed{}{}", peer_, host_.config().name,
                   why_.empty() ? "" : ": ", why_);
        if (done_) done_();
    }

    // ---- ViewerLink ----
    void damaged(const Update& update) override {
        for (const CopyOp& copy : update.copies) {
            // A copy is only safe on a viewer whose screen is otherwise up to date.
            if (pending_rects_.empty() && !full_pending_)
                pending_copies_.push_back(copy);
            else
                add_rect(copy.dst);
        }
        for (const Rect& r : update.rects)
            add_rect(r);
        try_send();
    }
    void resized() override {
        pending_copies_.clear();
        pending_rects_.clear();
        full_pending_ = true;
        size_changed_ = true;
        try_send();
    }
    void bell() override {
        if (!ready_) return;
        Bytes out;
        put_bell(out);
        queue(std::move(out));
    }
    void disconnect(const std::string& why) override {
        why_ = why;
        if (transport_) transport_->close();
    }

  private:
    void add_rect(const Rect& r) {
        if (full_pending_) return;
        pending_rects_.push_back(r);
        if (pending_rects_.size() > max_pending_rects) {
            Rect box = bounding(pending_rects_);
            pending_rects_.assign(1, box);
        }
    }

    awaitable<void> serve() {
        auto executor = co_await asio::this_coro::executor;
        error_code ec;
        // A WebSocket client speaks first ("GET ..."); an RFB client waits for our version.
        beast::flat_buffer first;
        {
            using namespace asio::experimental::awaitable_operators;
            const auto token = asio::experimental::as_tuple(asio::use_awaitable);
            asio::steady_timer wait(executor);
            wait.expires_after(options_.websocket_wait);
            auto which = co_await (socket_.async_wait(tcp::socket::wait_read, token) ||
                                   wait.async_wait(token));
            if (which.index() == 0) {
                char peek[4] = {};
                auto n = socket_.receive(asio::buffer(peek), tcp::socket::message_peek, ec);
                if (ec || n == 0) co_return;
                if (n >= 3 && std::string_view(peek, 3) == "GET") {
                    transport_ =
                        co_await websocket_transport(std::move(socket_), std::move(first), ec);
                    if (ec) {
                        why_ = "WebSocket upgrade failed: " + ec.message();
                        co_return;
                    }
                    websocket_ = true;
                }
            }
        }
        if (!transport_) transport_ = tcp_transport(std::move(socket_));

        HandshakeConfig hc = options_.handshake;
        if (websocket_) { // TLS for noVNC is wss://, outside RFB: no VeNCrypt in a WebSocket
            std::erase(hc.security_types, SecurityType::vencrypt);
            if (hc.security_types.empty()) {
                why_ = "this console needs TLS, which a WebSocket viewer cannot do here";
                co_return;
            }
        }
        ::RAND_bytes(hc.challenge.data(), static_cast<int>(hc.challenge.size()));
        ServerHandshake handshake(std::move(hc));
        Bytes out;
        handshake.start(out);
        if (!co_await write_now(out)) co_return;

        std::vector<std::uint8_t> input(16 * 1024);
        std::size_t have = 0, used = 0;
        for (;;) {
            if (used == have) {
                used = have = 0;
                have = co_await transport_->read_some(asio::buffer(input), ec);
                if (ec) co_return;
            }
            auto progress = handshake.feed(std::span(input.data() + used, have - used), out);
            used += progress.consumed;
            if (progress.status == HandshakeStatus::failed) {
                why_ = "handshake: " + std::string(handshake.failure_reason());
                // A pause after a failed password, so guessing is slow.
                if (handshake.security_type() != SecurityType::none) {
                    asio::steady_timer delay(executor);
                    delay.expires_after(options_.auth_failure_delay);
                    co_await delay.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
                }
                co_await write_now(out);
                co_return;
            }
            if (!co_await write_now(out)) co_return;
            if (progress.status == HandshakeStatus::start_tls) {
                if (!options_.tls || used != have) {
                    why_ = "TLS requested but not available";
                    co_return;
                }
                transport_ = co_await tls_transport(std::move(transport_), *options_.tls, ec);
                if (ec) {
                    why_ = "TLS handshake: " + ec.message();
                    co_return;
                }
                tls_ = true;
                handshake.tls_ready(out);
                if (!co_await write_now(out)) co_return;
                continue;
            }
            if (progress.status == HandshakeStatus::client_init) {
                std::string why;
                if (!host_.join(this, handshake.shared(), why)) {
                    why_ = why;
                    co_return;
                }
                joined_ = true;
                view_only_ = handshake.access() == Access::view_only;
                const Framebuffer& fb = host_.framebuffer();
                handshake.send_server_init(ServerInit{fb.width, fb.height, native_pixel_format,
                                                      host_.config().title.empty()
                                                          ? host_.config().name
                                                          : host_.config().title},
                                           out);
                if (!co_await write_now(out)) co_return;
                break;
            }
        }
        log_->info("viewer {} on console {}: RFB {}{}{}{}", peer_, host_.config().name,
                   to_string(handshake.version()), tls_ ? ", TLS" : "",
                   websocket_ ? ", WebSocket" : "", view_only_ ? ", view only" : "");
        ready_ = true;
        full_pending_ = true;

        ClientMessageReader reader(ReaderLimits{host_.config().clipboard_max, 1024});
        if (used < have) reader.feed(std::span(input.data() + used, have - used));
        for (;;) {
            for (;;) {
                auto message = reader.next();
                if (!message) {
                    why_ = "protocol error: " + message.error().reason;
                    co_return;
                }
                if (!*message) break;
                handle(**message);
            }
            std::size_t n = co_await transport_->read_some(asio::buffer(input), ec);
            if (ec || closed_) co_return;
            reader.feed(std::span(input.data(), n));
        }
    }

    void handle(const ClientMessage& message) {
        std::visit([this](const auto& m) { on(m); }, message);
    }
    void on(const SetPixelFormat& m) {
        encoder_.set_pixel_format(m.format);
        resized_full();
    }
    void on(const SetEncodings& m) {
        encoder_.set_encodings(m.encodings);
        if (encoder_.client_supports(encoding::extended_desktop_size)) size_changed_ = true;
    }
    void on(const FramebufferUpdateRequest& m) {
        if (!m.incremental) resized_full();
        wants_update_ = true;
        try_send();
    }
    void on(const KeyEvent& m) {
        Console& console = host_.console();
        std::string bytes = keyboard_.event(m.keysym, m.down, console.application_cursor_keys(),
                                            console.application_keypad());
        if (!view_only_) host_.input(bytes);
    }
    void on(const PointerEvent&) {}
    void on(const ClientCutText& m) {
        if (view_only_ || m.skipped) return;
        host_.input(
            host_.console().bracket_paste(paste_bytes(m.text, host_.config().clipboard_max)));
    }
    void on(const SetDesktopSize& m) {
        const Font& font = host_.console().font();
        bool ok = !view_only_ && host_.resize(m.width / font.width(), m.height / font.height());
        reply_status_ = ok ? DesktopSizeStatus::ok : DesktopSizeStatus::prohibited;
        reply_pending_ = true;
        size_changed_ = true;
        try_send();
    }
    void on(const EnableContinuousUpdates&) {}

    void resized_full() {
        pending_copies_.clear();
        pending_rects_.clear();
        full_pending_ = true;
    }

    void try_send() {
        if (!ready_ || !wants_update_ || closed_) return;
        const Framebuffer& fb = host_.framebuffer();
        std::vector<PseudoRect> pseudo;
        if (size_changed_) {
            if (encoder_.client_supports(encoding::extended_desktop_size)) {
                ExtendedDesktopSizePseudo p;
                p.width = fb.width;
                p.height = fb.height;
                if (reply_pending_) {
                    p.reason = DesktopSizeReason::this_client;
                    p.status = reply_status_;
                }
                pseudo.emplace_back(p);
            } else if (encoder_.client_supports(encoding::desktop_size)) {
                pseudo.emplace_back(DesktopSizePseudo{fb.width, fb.height});
            }
            size_changed_ = reply_pending_ = false;
        }
        std::vector<Rect> rects;
        if (full_pending_)
            rects.push_back({0, 0, fb.width, fb.height});
        else
            rects = pending_rects_;
        if (rects.empty() && pending_copies_.empty() && pseudo.empty()) return;
        Bytes out;
        encoder_.encode_update(fb, pending_copies_, rects, pseudo, out);
        pending_copies_.clear();
        pending_rects_.clear();
        full_pending_ = false;
        wants_update_ = false;
        queue(std::move(out));
    }

    // During the handshake: written before anything else is read.
    awaitable<bool> write_now(Bytes& out) {
        if (out.empty()) co_return true;
        error_code ec;
        co_await transport_->write(asio::buffer(out), ec);
        out.clear();
        if (ec) why_ = "write: " + ec.message();
        co_return !ec;
    }

    void queue(Bytes bytes) {
        outbox_.push_back(std::move(bytes));
        if (writing_) return;
        writing_ = true;
        asio::co_spawn(
            transport_->socket().get_executor(),
            [self = shared_from_this()]() -> awaitable<void> { co_await self->drain(); },
            asio::detached);
    }
    awaitable<void> drain() {
        error_code ec;
        while (!outbox_.empty() && !closed_) {
            co_await transport_->write(asio::buffer(outbox_.front()), ec);
            outbox_.pop_front();
            if (ec) {
                why_ = "write: " + ec.message();
                transport_->close();
                break;
            }
        }
        outbox_.clear();
        writing_ = false;
    }

    ConsoleHost& host_;
    tcp::socket socket_;
    ViewerOptions options_;
    std::shared_ptr<spdlog::logger> log_;
    std::function<void()> done_;
    std::string peer_;
    std::string why_;
    std::unique_ptr<Transport> transport_;
    bool websocket_ = false, tls_ = false;
    bool joined_ = false, ready_ = false, closed_ = false, view_only_ = false;
    UpdateEncoder encoder_;
    KeyboardState keyboard_;
    std::vector<CopyOp> pending_copies_;
    std::vector<Rect> pending_rects_;
    bool full_pending_ = false, size_changed_ = false, wants_update_ = false;
    bool reply_pending_ = false;
    DesktopSizeStatus reply_status_ = DesktopSizeStatus::ok;
    std::deque<Bytes> outbox_;
    bool writing_ = false;
};

} // namespace

void start_viewer(ConsoleHost& host, tcp::socket socket, ViewerOptions options,
                  std::shared_ptr<spdlog::logger> log, std::function<void()> done) {
    auto executor = socket.get_executor();
    auto viewer = std::make_shared<Viewer>(host, std::move(socket), std::move(options),
                                           std::move(log), std::move(done));
    asio::co_spawn(
        executor, [viewer]() -> awaitable<void> { co_await viewer->run(); }, asio::detached);
}

} // namespace superd::vnc
