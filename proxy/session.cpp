#include "proxy/session.hpp"

#include "proxy/error_page.hpp"
#include "proxy/forward_headers.hpp"
#include "proxy/request_target.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <ctime>
#include <limits>
#include <optional>
#include <sstream>

namespace superd::proxy {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;
using asio::awaitable;
using boost::system::error_code;
using std::chrono::seconds;
using RequestParser = http::request_parser<http::buffer_body>;
using ResponseParser = http::response_parser<http::buffer_body>;

auto with_ec(error_code& ec) {
    return asio::redirect_error(asio::use_awaitable, ec);
}

// Bodies move through in pieces of this size; nothing holds a whole body.
constexpr std::size_t relay_chunk = 64 * 1024;
// Origin response headers: as large as we let clients send, at least squid's 64 KiB.
constexpr std::uint32_t origin_header_limit = 256 * 1024;

struct Transaction {
    AccessEntry entry;
    RequestFacts facts;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
};

enum class RelayFailure { none, read, write };

struct RelayResult {
    RelayFailure failure = RelayFailure::none;
    error_code ec;
};

// Beast's relay pattern (example/doc/http_examples.hpp) made asynchronous: the message whose
// header `p` read goes out through `sr`, body piece by piece through `piece`.
template <bool isRequest>
awaitable<RelayResult> relay_body(http::parser<isRequest, http::buffer_body>& p,
                                  beast::tcp_stream& in, beast::flat_buffer& in_buffer,
                                  http::serializer<isRequest, http::buffer_body>& sr,
                                  beast::tcp_stream& out, std::vector<char>& piece, seconds timeout,
                                  std::uint64_t& written) {
    error_code ec;
    auto& body = p.get().body();
    do {
        if (!p.is_done()) {
            body.data = piece.data();
            body.size = piece.size();
            in.expires_after(timeout);
            co_await http::async_read(in, in_buffer, p, with_ec(ec));
            if (ec == http::error::need_buffer) ec = {};
            if (ec) co_return RelayResult{RelayFailure::read, ec};
            body.size = piece.size() - body.size;
            body.data = piece.data();
            body.more = !p.is_done();
        } else {
            body.data = nullptr;
            body.size = 0;
            body.more = false;
        }
        out.expires_after(timeout);
        written += co_await http::async_write(out, sr, with_ec(ec));
        if (ec == http::error::need_buffer) ec = {};
        if (ec) co_return RelayResult{RelayFailure::write, ec};
    } while (!p.is_done() || !sr.is_done());
    co_return RelayResult{};
}

// Copies one direction of a tunnel until EOF or an error, then passes the EOF on.
awaitable<std::uint64_t> pump(beast::tcp_stream& from, beast::tcp_stream& to, seconds timeout) {
    std::vector<char> piece(relay_chunk);
    std::uint64_t total = 0;
    error_code ec;
    for (;;) {
        from.expires_after(timeout);
        std::size_t n = co_await from.async_read_some(asio::buffer(piece), with_ec(ec));
        if (ec) break;
        to.expires_after(timeout);
        co_await asio::async_write(to, asio::buffer(piece.data(), n), with_ec(ec));
        if (ec) break;
        total += n;
    }
    to.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return total;
}

std::string media_type(const http::fields& fields) {
    auto it = fields.find(http::field::content_type);
    if (it == fields.end()) return "-";
    std::string type(it->value().substr(0, it->value().find(';')));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.pop_back();
    return type.empty() || type.find(' ') != std::string::npos ? "-" : type;
}

class Session {
  public:
    Session(ServerContext& context, tcp::socket socket, std::function<void()> done)
        : ctx_(context)
        , client_(std::move(socket))
        , done_(std::move(done))
        , piece_(relay_chunk) {
        error_code ec;
        auto peer = client_.socket().remote_endpoint(ec);
        auto address = peer.address();
        if (address.is_v6() && address.to_v6().is_v4_mapped())
            address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
        client_address_ = ec ? std::string("-") : address.to_string();
        client_ip_ = common::IpAddress::parse(client_address_).value_or(common::IpAddress{});
    }

    awaitable<void> run() {
        const Config& c = ctx_.config;
        for (bool first = true;; first = false) {
            RequestParser parser;
            parser.header_limit(static_cast<std::uint32_t>(std::min<std::uint64_t>(
                c.request_header_max_size.value, std::numeric_limits<std::uint32_t>::max())));
            if (c.request_body_max_size.value == 0)
                parser.body_limit(boost::none);
            else
                parser.body_limit(c.request_body_max_size.value);
            // The first request may take request_timeout to come; later ones are waited for
            // as long as an idle persistent connection is kept.
            client_.expires_after(first ? c.request_timeout.value
                                        : c.client_idle_pconn_timeout.value);
            error_code ec;
            co_await http::async_read_header(client_, buffer_, parser, with_ec(ec));
            if (ec) {
                co_await header_error(ec);
                break;
            }
            if (!co_await handle(parser)) break;
        }
        error_code ignored;
        client_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        client_.close();
        if (done_) done_();
    }

  private:
    Transaction begin() {
        Transaction tx;
        tx.entry.started = std::chrono::system_clock::now();
        tx.entry.client = client_address_;
        tx.facts.client = client_ip_;
        std::time_t now = std::time(nullptr);
        std::tm local{};
        ::localtime_r(&now, &local);
        tx.facts.weekday = local.tm_wday;
        tx.facts.minute_of_day = local.tm_hour * 60 + local.tm_min;
        return tx;
    }

    // The header could not be read: a clean end, a timeout, or a request we answer with 4xx.
    awaitable<void> header_error(error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
            ec.category() != make_error_code(http::error::end_of_stream).category() ||
            ec == http::error::partial_message)
            co_return; // closed or silent: nothing to answer
        Transaction tx = begin();
        if (ec == http::error::header_limit)
            co_await send_error(tx, http::status::request_header_fields_too_large, "ERR_TOO_BIG",
                                "The request header is larger than request_header_max_size.");
        else if (ec == http::error::body_limit)
            co_await send_error(tx, http::status::payload_too_large, "ERR_TOO_BIG",
                                "The request body is larger than request_body_max_size.");
        else
            co_await send_error(tx, http::status::bad_request, "ERR_INVALID_REQ",
                                "The request could not be parsed: " + ec.message() + ".");
    }

    // One request whose header was read. True: the connection stays for another request.
    awaitable<bool> handle(RequestParser& parser) {
        auto& req = parser.get();
        Transaction tx = begin();
        ++ctx_.counters["requests"];
        if (ctx_.touch) ctx_.touch();
        tx.entry.method = std::string(req.method_string());
        tx.entry.url = std::string(req.target());
        tx.facts.method = tx.entry.method;
        tx.facts.url = tx.entry.url;
        bool connect = req.method() == http::verb::connect;
        auto target =
            connect ? parse_authority_form(req.target()) : parse_absolute_http(req.target());
        if (!target)
            co_return co_await send_error(tx, http::status::bad_request, "ERR_INVALID_URL",
                                          connect ? "CONNECT needs host:port."
                                                  : "A proxy request needs an http:// URL.");
        tx.facts.host = target->host;
        tx.facts.port = target->port;
        tx.facts.dst_ip = common::IpAddress::parse(target->host);
        tx.facts.scheme = connect && target->port == 443 ? "https" : "http";
        if (!ctx_.config.check_http_access(tx.facts).allowed()) {
            ++ctx_.counters["denied"];
            tx.entry.code = "TCP_DENIED";
            co_return co_await send_error(tx, http::status::forbidden, "ERR_ACCESS_DENIED",
                                          "Access to this URL is denied by http_access.");
        }
        if (connect) co_return co_await tunnel(*target, tx);
        if (req.method() == http::verb::options || req.method() == http::verb::trace) {
            // Max-Forwards 0: this proxy is the final recipient (RFC 9110 7.6.2).
            if (auto mf = take_max_forwards(req); mf && *mf == 0)
                co_return co_await answer_max_forwards(parser, tx);
        }
        co_return co_await forward(parser, *target, tx);
    }

    // OPTIONS: an empty 200 with what we forward; TRACE: the request echoed as message/http.
    awaitable<bool> answer_max_forwards(RequestParser& parser, Transaction& tx) {
        auto& req = parser.get();
        http::response<http::string_body> res{http::status::ok, req.version() == 10 ? 10u : 11u};
        res.set(http::field::server, product);
        if (req.method() == http::verb::trace) {
            res.set(http::field::content_type, "message/http");
            http::request<http::empty_body> echo{req.method(), req.target(), req.version()};
            for (const auto& f : req)
                echo.set(f.name_string(), f.value());
            std::ostringstream text;
            text << echo;
            res.body() = text.str();
        } else {
            res.set(http::field::allow, "GET, HEAD, POST, PUT, DELETE, OPTIONS, TRACE, CONNECT");
        }
        res.keep_alive(false); // the request's body, if any, is not read
        res.prepare_payload();
        tx.entry.code = "TCP_MISS";
        tx.entry.type = media_type(res);
        co_await write_whole(res, tx);
        co_return false;
    }

    template <class Message> awaitable<void> write_whole(Message& res, Transaction& tx) {
        error_code ec;
        client_.expires_after(ctx_.config.read_timeout.value);
        tx.entry.bytes += co_await http::async_write(client_, res, with_ec(ec));
        tx.entry.status = res.result_int();
        finish(tx);
    }

    // An error page; the connection closes after it (the request's body may be unread).
    awaitable<bool> send_error(Transaction& tx, http::status status, const std::string& error,
                               const std::string& detail) {
        auto res = error_page(status, error, detail, tx.entry.url, ctx_.visible_hostname);
        tx.entry.type = "text/html";
        co_await write_whole(res, tx);
        co_return false;
    }

    void finish(Transaction& tx) {
        tx.entry.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - tx.t0);
        ++ctx_.counters["status_" + std::to_string(tx.entry.status)];
        ctx_.counters["bytes_to_clients"] += tx.entry.bytes;
        if (!ctx_.access_log.write(tx.entry, tx.facts))
            if (ctx_.config.access_logs.empty())
                ctx_.log->info("access: {}", format_access_line(tx.entry));
    }

    // Resolves and connects; on failure answers the client (503, or 504 on timeout).
    awaitable<std::optional<beast::tcp_stream>> connect_origin(const RequestTarget& target,
                                                               Transaction& tx) {
        auto executor = co_await asio::this_coro::executor;
        tx.entry.code = "TCP_MISS";
        error_code ec;
        tcp::resolver resolver(executor);
        auto results =
            co_await resolver.async_resolve(target.host, std::to_string(target.port), with_ec(ec));
        if (ec) {
            co_await send_error(tx, http::status::service_unavailable, "ERR_DNS_FAIL",
                                "Unable to resolve " + target.host + ": " + ec.message() + ".");
            co_return std::nullopt;
        }
        beast::tcp_stream origin(executor);
        origin.expires_after(ctx_.config.connect_timeout.value);
        auto endpoint = co_await origin.async_connect(results, with_ec(ec));
        if (ec == beast::error::timeout) {
            co_await send_error(tx, http::status::gateway_timeout, "ERR_CONNECT_FAIL",
                                "Connecting to " + target.authority() + " timed out.");
            co_return std::nullopt;
        }
        if (ec) {
            co_await send_error(tx, http::status::service_unavailable, "ERR_CONNECT_FAIL",
                                "Connecting to " + target.authority() + " failed: " + ec.message() +
                                    ".");
            co_return std::nullopt;
        }
        tx.entry.hierarchy = "HIER_DIRECT";
        tx.entry.peer = endpoint.address().to_string();
        co_return std::optional<beast::tcp_stream>(std::move(origin));
    }

    awaitable<bool> forward(RequestParser& parser, const RequestTarget& target, Transaction& tx) {
        const Config& c = ctx_.config;
        auto& req = parser.get();
        const unsigned client_version = req.version() == 10 ? 10 : 11;
        const bool client_keep = req.keep_alive();
        const bool head = req.method() == http::verb::head;
        const bool expect_continue = beast::iequals(req[http::field::expect], "100-continue");

        auto origin = co_await connect_origin(target, tx);
        if (!origin) co_return false;

        req.target(target.path);
        req.version(11);
        // We answer 100 Continue ourselves, so the origin must not wait to send its own.
        if (expect_continue) req.erase(http::field::expect);
        const bool chunked = parser.chunked();
        const auto length = parser.content_length();
        prepare_request_fields(req, client_version, target.authority(), client_address_,
                               {c.via.value, ctx_.visible_hostname, c.forwarded_for.value});
        if (chunked)
            req.chunked(true);
        else if (length)
            req.content_length(*length);
        req.keep_alive(false); // one request per origin connection (no pool yet)

        error_code ec;
        if (expect_continue && !parser.is_done() && client_version == 11) {
            static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            client_.expires_after(c.read_timeout.value);
            tx.entry.bytes += co_await asio::async_write(client_, asio::buffer(cont), with_ec(ec));
            if (ec) co_return false;
        }

        std::uint64_t sent_to_origin = 0;
        {
            http::request_serializer<http::buffer_body> sr{req};
            auto r = co_await relay_body(parser, client_, buffer_, sr, *origin, piece_,
                                         c.read_timeout.value, sent_to_origin);
            if (r.failure == RelayFailure::read) {
                if (r.ec == http::error::body_limit)
                    co_return co_await send_error(
                        tx, http::status::payload_too_large, "ERR_TOO_BIG",
                        "The request body is larger than request_body_max_size.");
                co_return false; // the client went away or sent a broken body
            }
            // An origin that stops reading may still answer (413 from it, say): read on.
        }

        beast::flat_buffer origin_buffer;
        std::optional<ResponseParser> rp;
        for (;;) {
            rp.emplace();
            rp->header_limit(origin_header_limit);
            rp->body_limit(boost::none); // bodies stream through; no size limit here
            if (head) rp->skip(true);
            origin->expires_after(c.read_timeout.value);
            co_await http::async_read_header(*origin, origin_buffer, *rp, with_ec(ec));
            if (ec == beast::error::timeout)
                co_return co_await send_error(tx, http::status::gateway_timeout, "ERR_READ_TIMEOUT",
                                              "The origin did not answer in time.");
            if (ec)
                co_return co_await send_error(tx, http::status::bad_gateway, "ERR_READ_ERROR",
                                              "The origin's answer was not valid HTTP (" +
                                                  ec.message() + ").");
            unsigned status = rp->get().result_int();
            // Interim answers (100, 102, 103) are dropped: we already spoke for Expect.
            if (status < 100 || status >= 200 || status == 101) break;
        }
        auto& res = rp->get();
        if (res.result_int() == 101)
            co_return co_await send_error(tx, http::status::bad_gateway, "ERR_INVALID_RESP",
                                          "The origin switched protocols unasked.");

        const bool until_eof = !head && !rp->is_done() && !rp->chunked() && !rp->content_length();
        const bool streamed = !head && (rp->chunked() || until_eof);
        strip_hop_by_hop(res);
        if (c.via.value) append_via(res, res.version(), ctx_.visible_hostname);
        res.version(client_version);
        bool keep = client_keep;
        if (streamed) {
            // Chunked to an HTTP/1.1 client; an HTTP/1.0 one reads until we close.
            if (client_version == 11)
                res.chunked(true);
            else
                keep = false;
        }
        res.keep_alive(keep);
        tx.entry.status = res.result_int();
        tx.entry.type = media_type(res);

        http::response_serializer<http::buffer_body> sr{res};
        if (head) {
            client_.expires_after(c.read_timeout.value);
            tx.entry.bytes += co_await http::async_write_header(client_, sr, with_ec(ec));
            finish(tx);
            co_return keep && !ec;
        }
        auto r = co_await relay_body(*rp, *origin, origin_buffer, sr, client_, piece_,
                                     c.read_timeout.value, tx.entry.bytes);
        if (r.failure != RelayFailure::none) {
            // Part of the answer is out already: all we can do is close.
            tx.entry.code = "TCP_MISS_ABORTED";
            ++ctx_.counters["aborted"];
            finish(tx);
            co_return false;
        }
        finish(tx);
        co_return keep;
    }

    awaitable<bool> tunnel(const RequestTarget& target, Transaction& tx) {
        using namespace asio::experimental::awaitable_operators;
        auto origin = co_await connect_origin(target, tx);
        if (!origin) co_return false;
        ++ctx_.counters["tunnels"];
        tx.entry.code = "TCP_TUNNEL";
        tx.entry.status = 200;
        error_code ec;
        static constexpr std::string_view established =
            "HTTP/1.1 200 Connection established\r\n\r\n";
        client_.expires_after(ctx_.config.read_timeout.value);
        tx.entry.bytes +=
            co_await asio::async_write(client_, asio::buffer(established), with_ec(ec));
        // Bytes the client sent right behind its CONNECT are the tunnel's first.
        if (!ec && buffer_.size() > 0) {
            origin->expires_after(ctx_.config.read_timeout.value);
            co_await asio::async_write(*origin, buffer_.data(), with_ec(ec));
            buffer_.consume(buffer_.size());
        }
        if (!ec) {
            auto timeout = ctx_.config.read_timeout.value;
            auto [up, down] =
                co_await (pump(client_, *origin, timeout) && pump(*origin, client_, timeout));
            (void)up;
            tx.entry.bytes += down;
        }
        finish(tx);
        co_return false;
    }

    ServerContext& ctx_;
    beast::tcp_stream client_;
    std::function<void()> done_;
    beast::flat_buffer buffer_;
    std::vector<char> piece_;
    std::string client_address_;
    common::IpAddress client_ip_;
};

} // namespace

void start_session(ServerContext& context, tcp::socket socket, std::function<void()> done) {
    auto executor = socket.get_executor();
    auto session = std::make_shared<Session>(context, std::move(socket), std::move(done));
    // The lambda (and so the session) lives in co_spawn's frame until run() ends.
    asio::co_spawn(
        executor, [session]() -> awaitable<void> { co_await session->run(); }, asio::detached);
}

} // namespace superd::proxy
