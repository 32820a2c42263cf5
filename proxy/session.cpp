#include "proxy/session.hpp"

#include "proxy/error_page.hpp"
#include "proxy/forward_headers.hpp"
#include "proxy/invalidation.hpp"
#include "proxy/manager.hpp"
#include "proxy/pac.hpp"
#include "proxy/range.hpp"
#include "proxy/relay.hpp"
#include "proxy/request_target.hpp"
#include "proxy/vary.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <ctime>
#include <limits>
#include <optional>
#include <sstream>

#include <sys/sendfile.h>

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

// What one read asks of a socket. Beast reads as much as the buffer's free space, which
// starts at 512 bytes: a small answer would take several reads and as many writes onwards.
constexpr std::size_t read_buffer_size = 16 * 1024;
// Origin response headers: as large as we let clients send, at least squid's 64 KiB.
constexpr std::uint32_t origin_header_limit = 256 * 1024;

struct Transaction {
    AccessEntry entry;
    RequestFacts facts;
    // The client's own If-None-Match / If-Modified-Since while the request carries the
    // cache's validators instead (a revalidation); put back before the cache answers.
    http::fields client_conditionals;
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
};

// beast::tcp_stream moves but does not move-assign.
void adopt(std::optional<beast::tcp_stream>& to, std::optional<beast::tcp_stream>&& from) {
    to.reset();
    if (from) to.emplace(std::move(*from));
}

std::optional<std::uint64_t> to_std(const boost::optional<std::uint64_t>& v) {
    return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
}

class Session {
  public:
    Session(ServerContext& context, tcp::socket socket, std::function<void()> done)
        : ctx_(context)
        , client_(std::move(socket))
        , done_(std::move(done))
        , piece_(relay_chunk) {
        buffer_.reserve(read_buffer_size);
        error_code ec;
        auto peer = client_.socket().remote_endpoint(ec);
        auto address = peer.address();
        if (address.is_v6() && address.to_v6().is_v4_mapped())
            address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
        client_address_ = ec ? std::string("-") : address.to_string();
        client_ip_ = common::IpAddress::parse(client_address_).value_or(common::IpAddress{});
        // How this proxy is named on this connection, for the cache manager's requests.
        self_.visible_hostname = ctx_.visible_hostname;
        auto local = client_.socket().local_endpoint(ec);
        if (!ec) {
            auto local_address = local.address();
            if (local_address.is_v6() && local_address.to_v6().is_v4_mapped())
                local_address =
                    asio::ip::make_address_v4(asio::ip::v4_mapped, local_address.to_v6());
            self_.local_address = local_address.to_string();
            self_.local_port = local.port();
        }
    }

    awaitable<void> run() {
        const Config& c = ctx_.config;
        if (uses_srcdomain(c)) co_await look_up_client_name();
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
    static bool uses_srcdomain(const Config& c) {
        for (const auto& [name, acl] : c.acls)
            if (acl.type == AclType::srcdomain) return true;
        return false;
    }

    // The client's name, as squid's srcdomain wants it: a reverse lookup with the connect
    // deadline; none (srcdomain does not match) when it fails or takes too long.
    awaitable<void> look_up_client_name() {
        using namespace asio::experimental::awaitable_operators;
        error_code ec;
        auto peer = client_.socket().remote_endpoint(ec);
        if (ec) co_return;
        auto executor = co_await asio::this_coro::executor;
        tcp::resolver resolver(executor);
        asio::steady_timer deadline(executor);
        deadline.expires_after(ctx_.config.connect_timeout.value);
        const auto token = asio::experimental::as_tuple(asio::use_awaitable);
        auto which = co_await (resolver.async_resolve(peer, token) || deadline.async_wait(token));
        if (which.index() != 0) {
            resolver.cancel();
            co_return;
        }
        auto [e, results] = std::get<0>(which);
        if (e || results.empty()) co_return;
        std::string name = results.begin()->host_name();
        if (!name.empty() && name != client_address_) client_name_ = name;
    }

    Transaction begin() {
        Transaction tx;
        tx.entry.started = std::chrono::system_clock::now();
        tx.entry.client = client_address_;
        tx.facts.client = client_ip_;
        tx.facts.client_name = client_name_;
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
        // cache_object://, or /squid-internal-mgr/ on this proxy: answered here, after
        // http_access (proxy/manager.hpp).
        auto manager = connect ? std::nullopt : manager_request(req.target(), self_);
        if (manager) tx.entry.url = tx.facts.url = manager->url;
        // The PAC file about this proxy (proxy_auto_config on), also after http_access.
        auto pac = connect || manager || !ctx_.config.proxy_auto_config.value
                       ? std::nullopt
                       : pac_request(req.target(), self_);
        if (pac) tx.entry.url = tx.facts.url = pac->url;
        auto target = connect   ? parse_authority_form(req.target())
                      : manager ? std::optional<RequestTarget>(manager->target)
                      : pac     ? std::optional<RequestTarget>(pac->target)
                                : parse_absolute_http(req.target());
        if (!target)
            co_return co_await send_error(tx, http::status::bad_request, "ERR_INVALID_URL",
                                          connect ? "CONNECT needs host:port."
                                                  : "A proxy request needs an http:// URL.");
        tx.facts.host = target->host;
        tx.facts.port = target->port;
        tx.facts.dst_ip = common::IpAddress::parse(target->host);
        tx.facts.scheme = manager                          ? manager->scheme
                          : pac                            ? "http"
                          : connect && target->port == 443 ? "https"
                                                           : "http";
        if (!ctx_.config.check_http_access(tx.facts).allowed()) {
            ++ctx_.counters["denied"];
            tx.entry.code = "TCP_DENIED";
            co_return co_await send_error(tx, http::status::forbidden, "ERR_ACCESS_DENIED",
                                          "Access to this URL is denied by http_access.");
        }
        if (manager) co_return co_await answer_manager(parser, *manager, tx);
        if (pac) co_return co_await answer_pac(parser, tx);
        if (connect) co_return co_await tunnel(*target, tx);
        if (req.method() == http::verb::options || req.method() == http::verb::trace) {
            // Max-Forwards 0: this proxy is the final recipient (RFC 9110 7.6.2).
            if (auto mf = take_max_forwards(req); mf && *mf == 0)
                co_return co_await answer_max_forwards(parser, tx);
        }
        co_return co_await serve(parser, *target, tx);
    }

    // OPTIONS: an empty 200 with what we forward; TRACE: the request echoed as message/http.
    awaitable<bool> answer_max_forwards(RequestParser& parser, Transaction& tx) {
        auto& req = parser.get();
        http::response<http::string_body> res{http::status::ok, req.version() == 10 ? 10u : 11u};
        res.set(http::field::server, product);
        if (req.method() == http::verb::trace) {
            res.set(http::field::content_type, "message/http");
            http::request<http::empty_body> echo{req.method(), req.target(), req.version()};
            // RFC 9110 9.3.8: fields likely to hold secrets are not echoed.
            for (const auto& f : req)
                if (f.name() != http::field::authorization && f.name() != http::field::cookie &&
                    f.name() != http::field::proxy_authorization)
                    echo.insert(f.name_string(), f.value());
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

    // A cache manager page (mgr:info ...), logged as squid does: TCP_MISS, HIER_NONE.
    awaitable<bool> answer_manager(RequestParser& parser, const ManagerRequest& manager,
                                   Transaction& tx) {
        auto& req = parser.get();
        ++ctx_.counters["manager_requests"];
        ManagerSnapshot snapshot;
        snapshot.started = ctx_.started;
        snapshot.now = std::chrono::system_clock::now();
        snapshot.visible_hostname = ctx_.visible_hostname;
        snapshot.counters = ctx_.counters;
        snapshot.active_clients = ctx_.active_clients;
        if (ctx_.memory_cache) snapshot.memory = ctx_.memory_cache();
        if (ctx_.disk_cache) snapshot.disk = ctx_.disk_cache();
        co_return co_await answer_here(parser,
                                       manager_response(manager.page, req.method(), snapshot), tx);
    }

    // The PAC file, logged as the manager's pages are: TCP_MISS, HIER_NONE.
    awaitable<bool> answer_pac(RequestParser& parser, Transaction& tx) {
        ++ctx_.counters["pac_requests"];
        co_return co_await answer_here(parser, pac_response(parser.get().method(), self_), tx);
    }

    // An answer made by this proxy itself (cache manager, PAC file), logged TCP_MISS.
    awaitable<bool> answer_here(RequestParser& parser, http::response<http::string_body> res,
                                Transaction& tx) {
        // A request body (none is expected) is not read: close after it.
        const bool keep = parser.get().keep_alive() && parser.is_done();
        res.keep_alive(keep);
        tx.entry.code = "TCP_MISS";
        tx.entry.type = media_type(res);
        co_await write_whole(res, tx);
        co_return keep;
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
        if (tx.entry.hierarchy != "HIER_NONE") ++ctx_.counters["server_requests"];
        ctx_.counters["bytes_to_clients"] += tx.entry.bytes;
        if (!ctx_.access_log.write(tx.entry, tx.facts))
            if (ctx_.config.access_logs.empty())
                ctx_.log->info("access: {}", format_access_line(tx.entry));
    }

    // Where a request goes: the origin, or a parent proxy (cache_peer) that then gets the
    // absolute URL.
    struct Route {
        std::string host;
        std::uint16_t port = 0;
        const CachePeer* peer = nullptr;
        std::string pool_key() const {
            return (peer ? "peer " : "") + host + ":" + std::to_string(port);
        }
    };

    // The first parent whose cache_peer_access lines allow the request, `default` ones last.
    const CachePeer* choose_parent(const Transaction& tx) const {
        const CachePeer* fallback = nullptr;
        for (const CachePeer& peer : ctx_.config.cache_peers) {
            if (!check_access(peer.access, ctx_.config.acls, tx.facts, Action::allow).allowed())
                continue;
            if (peer.default_parent) {
                if (!fallback) fallback = &peer;
                continue;
            }
            return &peer;
        }
        return fallback;
    }

    // Resolves and connects. On failure answers the client (503, or 504 on timeout) unless
    // `quiet` (a parent that failed: the caller goes direct instead).
    awaitable<std::optional<beast::tcp_stream>> connect_to(const Route& route, Transaction& tx,
                                                           bool quiet = false) {
        auto executor = co_await asio::this_coro::executor;
        if (tx.entry.code == "TAG_NONE") tx.entry.code = "TCP_MISS";
        const std::string authority = RequestTarget{route.host, route.port, "/"}.authority();
        auto timeout = route.peer && route.peer->connect_timeout
                           ? *route.peer->connect_timeout
                           : ctx_.config.connect_timeout.value;
        error_code ec;
        tcp::resolver resolver(executor);
        tcp::resolver::results_type results;
        {
            // The lookup has the connect's deadline too: a resolver that never answers must
            // not hold the client forever.
            using namespace asio::experimental::awaitable_operators;
            const auto token = asio::experimental::as_tuple(asio::use_awaitable);
            asio::steady_timer deadline(executor);
            deadline.expires_after(timeout);
            auto which =
                co_await (resolver.async_resolve(route.host, std::to_string(route.port), token) ||
                          deadline.async_wait(token));
            if (which.index() == 1) {
                resolver.cancel();
                ec = asio::error::timed_out;
            } else {
                std::tie(ec, results) = std::get<0>(which);
            }
        }
        if (ec) {
            if (!quiet)
                co_await send_error(tx, http::status::service_unavailable, "ERR_DNS_FAIL",
                                    "Unable to resolve " + route.host + ": " + ec.message() + ".");
            co_return std::nullopt;
        }
        beast::tcp_stream origin(executor);
        origin.expires_after(timeout);
        auto endpoint = co_await origin.async_connect(results, with_ec(ec));
        if (ec) {
            if (quiet) {
                ctx_.log->warn("cache_peer {}: {}", authority, ec.message());
            } else if (ec == beast::error::timeout) {
                co_await send_error(tx, http::status::gateway_timeout, "ERR_CONNECT_FAIL",
                                    "Connecting to " + authority + " timed out.");
            } else {
                co_await send_error(tx, http::status::service_unavailable, "ERR_CONNECT_FAIL",
                                    "Connecting to " + authority + " failed: " + ec.message() +
                                        ".");
            }
            co_return std::nullopt;
        }
        origin.socket().set_option(tcp::no_delay(true), ec);
        note_route(route, endpoint.address().to_string(), tx);
        co_return std::optional<beast::tcp_stream>(std::move(origin));
    }

    static void note_route(const Route& route, const std::string& address, Transaction& tx) {
        tx.entry.hierarchy = !route.peer                  ? "HIER_DIRECT"
                             : route.peer->default_parent ? "DEFAULT_PARENT"
                                                          : "FIRSTUP_PARENT";
        tx.entry.peer = address;
    }

    std::int64_t unix_now() const {
        return std::chrono::duration_cast<seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    CacheOptions cache_options(const std::string& url) const {
        const RefreshPattern* p = ctx_.config.refresh_pattern_for(url);
        RefreshPattern rule = p ? *p : refresh_defaults();
        return CacheOptions{
            RefreshRule{rule.min_minutes * 60, rule.percent, rule.max_minutes * 60}};
    }

    // GET and HEAD: the cache first. Everything else, and what the cache cannot answer, is
    // forwarded.
    awaitable<bool> serve(RequestParser& parser, const RequestTarget& target, Transaction& tx) {
        auto& req = parser.get();
        const std::string url = cache_url(target);
        const bool readable =
            (req.method() == http::verb::get || req.method() == http::verb::head) &&
            parser.is_done(); // a GET with a body is passed on as it is
        Cache* cache = ctx_.cache;
        if (!cache || !readable || !ctx_.config.check_cache(tx.facts).allowed())
            co_return co_await forward(parser, target, url, tx, nullptr);
        auto found = cache->lookup(url, req);
        if (!found) {
            ++ctx_.counters["cache_misses"];
            if (request_cache_control(req).only_if_cached)
                co_return co_await send_error(tx, http::status::gateway_timeout,
                                              "ERR_ONLY_IF_CACHED_MISS",
                                              "The object is not in the cache (only-if-cached).");
            co_return co_await forward(parser, target, url, tx, nullptr);
        }
        const CachedObject& object = *found->object;
        auto decision =
            decide_hit(object.header, object.times, req, unix_now(), cache_options(url));
        switch (decision.action) {
        case HitAction::fresh:
        case HitAction::stale:
            co_return co_await serve_hit(req, *found, decision.age,
                                         found->from_memory ? "TCP_MEM_HIT" : "TCP_HIT", tx);
        case HitAction::gateway_timeout:
            co_return co_await send_error(tx, http::status::gateway_timeout,
                                          "ERR_ONLY_IF_CACHED_MISS",
                                          "The cached object is stale (only-if-cached).");
        case HitAction::revalidate:
            for (auto field : {http::field::if_none_match, http::field::if_modified_since}) {
                for (auto [it, end] = req.equal_range(field); it != end; ++it)
                    tx.client_conditionals.insert(field, it->value());
                req.erase(field);
            }
            for (const auto& f : decision.conditional)
                req.set(f.name_string(), f.value());
            co_return co_await forward(parser, target, url, tx, &*found);
        case HitAction::miss:
            ++ctx_.counters["cache_misses"];
            co_return co_await forward(parser, target, url, tx, nullptr);
        }
        co_return false;
    }

    // A stored response to the client: 304 when the client's copy is current, a range when
    // asked for, else the whole object, with Age. From memory in one gathered write; from disk
    // with sendfile.
    awaitable<bool> serve_hit(const http::request<http::buffer_body>& req, Cache::Found& found,
                              std::int64_t age, const char* code, Transaction& tx) {
        const CachedObject& object = *found.object;
        const unsigned version = req.version() == 10 ? 10 : 11;
        const bool keep = req.keep_alive();
        tx.entry.code = code;
        tx.entry.type = media_type(object.header);
        ++ctx_.counters["cache_hits"];
        if (found.from_memory) ++ctx_.counters["mem_hits"];
        error_code ec;
        client_.expires_after(ctx_.config.read_timeout.value);
        if (client_copy_current(req, object.header)) {
            if (tx.entry.code == "TCP_HIT" || tx.entry.code == "TCP_MEM_HIT")
                tx.entry.code = "TCP_IMS_HIT";
            ++ctx_.counters["not_modified"];
            std::string head = render_not_modified(object, version, age, keep);
            tx.entry.bytes += co_await asio::async_write(client_, asio::buffer(head), with_ec(ec));
            tx.entry.status = 304;
            finish(tx);
            co_return keep && !ec;
        }
        HitHead h{version, object.header.result_int(), age, object.body_length, {}, keep};
        std::uint64_t first = 0, length = object.body_length;
        auto range = decide_range(req, object.header, object.body_length);
        if (range.outcome == RangeOutcome::partial) {
            h.status = 206;
            first = range.first;
            length = range.last - range.first + 1;
            h.content_length = length;
            h.content_range = range.content_range;
        } else if (range.outcome == RangeOutcome::unsatisfiable) {
            h.status = 416;
            length = 0;
            h.content_length = 0;
            h.content_range = range.content_range;
        }
        if (req.method() == http::verb::head) length = 0;
        tx.entry.status = h.status;
        std::string head = render_hit_head(object, h);
        if (object.in_memory) {
            std::array<asio::const_buffer, 2> buffers{
                asio::buffer(head), asio::buffer(object.body.data() + first, length)};
            tx.entry.bytes += co_await asio::async_write(client_, buffers, with_ec(ec));
        } else {
            tx.entry.bytes += co_await asio::async_write(client_, asio::buffer(head), with_ec(ec));
            if (!ec && length > 0)
                ec = co_await send_file(client_.socket(), found.disk->fd(),
                                        static_cast<off_t>(found.disk->body_offset() + first),
                                        length, ctx_.config.read_timeout.value, tx.entry.bytes);
        }
        ctx_.counters["bytes_from_cache"] += length;
        finish(tx);
        co_return keep && !ec;
    }

    // The request to its origin or parent; `revalidating`: a stored response whose
    // validators the request carries now, which a 304 freshens and serves.
    awaitable<bool> forward(RequestParser& parser, const RequestTarget& target,
                            const std::string& url, Transaction& tx, Cache::Found* revalidating) {
        const Config& c = ctx_.config;
        auto& req = parser.get();
        const unsigned client_version = req.version() == 10 ? 10 : 11;
        const bool client_keep = req.keep_alive();
        const bool head = req.method() == http::verb::head;
        const bool expect_continue = beast::iequals(req[http::field::expect], "100-continue");
        const bool has_body = !parser.is_done();
        // Only such a request may go on a pooled connection: if the origin closed it meanwhile,
        // the request is sent again (RFC 9110 9.2.2 allows that for idempotent methods).
        const bool retryable = !has_body && idempotent(req.method());
        const std::string client_proxy_auth(req[http::field::proxy_authorization]);

        tx.entry.code = "TCP_MISS";
        Route route{target.host, target.port, nullptr};
        if (const CachePeer* parent = choose_parent(tx))
            route = Route{parent->host, parent->http_port, parent};

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
        req.keep_alive(true);
        req.version(11);
        auto aim = [&](const Route& r) {
            req.target(r.peer ? url : target.path); // a parent gets the absolute URL
            req.erase(http::field::proxy_authorization);
            if (r.peer && r.peer->login) {
                if (*r.peer->login == "PASSTHRU") {
                    if (!client_proxy_auth.empty())
                        req.set(http::field::proxy_authorization, client_proxy_auth);
                } else {
                    req.set(http::field::proxy_authorization, "Basic " + base64(*r.peer->login));
                }
            }
        };

        error_code ec;
        if (expect_continue && has_body && client_version == 11) {
            static constexpr std::string_view cont = "HTTP/1.1 100 Continue\r\n\r\n";
            client_.expires_after(c.read_timeout.value);
            tx.entry.bytes += co_await asio::async_write(client_, asio::buffer(cont), with_ec(ec));
            if (ec) co_return false;
        }

        std::optional<beast::tcp_stream> origin;
        beast::flat_buffer origin_buffer;
        origin_buffer.reserve(read_buffer_size);
        std::optional<ResponseParser> rp;
        std::int64_t request_time = 0;
        // A pooled connection the origin closed meanwhile fails at once; a retryable request
        // is then sent again on a fresh one.
        for (int attempt = 0;; ++attempt) {
            origin.reset();
            origin_buffer.clear();
            bool reused = false;
            if (retryable && attempt == 0) {
                if (auto pooled = ctx_.pool.take(route.pool_key())) {
                    origin.emplace(std::move(pooled->stream));
                    reused = true;
                    note_route(route, pooled->address, tx);
                    ++ctx_.counters["origin_reused"];
                }
            }
            if (!origin && route.peer) {
                adopt(origin, co_await connect_to(route, tx, true));
                if (!origin) { // the parent is down: go direct, as squid does without never_direct
                    route = Route{target.host, target.port, nullptr};
                    adopt(origin, co_await connect_to(route, tx));
                }
            } else if (!origin) {
                adopt(origin, co_await connect_to(route, tx));
            }
            if (!origin) co_return false;
            aim(route);
            request_time = unix_now();

            std::uint64_t sent_to_origin = 0;
            http::request_serializer<http::buffer_body> sr{req};
            auto r = co_await relay_body(parser, client_, buffer_, sr, *origin, piece_,
                                         c.read_timeout.value, sent_to_origin, {});
            if (r.failure == RelayFailure::read) {
                if (r.ec == http::error::body_limit)
                    co_return co_await send_error(
                        tx, http::status::payload_too_large, "ERR_TOO_BIG",
                        "The request body is larger than request_body_max_size.");
                co_return false; // the client went away or sent a broken body
            }
            if (r.failure == RelayFailure::write && reused) continue;
            // An origin that stops reading may still answer (413 from it, say): read on.

            bool retry = false;
            for (;;) {
                rp.emplace();
                rp->header_limit(origin_header_limit);
                rp->body_limit(boost::none); // bodies stream through; no size limit here
                if (head) rp->skip(true);
                origin->expires_after(c.read_timeout.value);
                co_await http::async_read_header(*origin, origin_buffer, *rp, with_ec(ec));
                if (ec && reused && origin_buffer.size() == 0 &&
                    (ec == http::error::end_of_stream || ec == asio::error::connection_reset ||
                     ec == asio::error::eof)) {
                    retry = true;
                    break;
                }
                if (ec == beast::error::timeout)
                    co_return co_await send_error(tx, http::status::gateway_timeout,
                                                  "ERR_READ_TIMEOUT",
                                                  "The origin did not answer in time.");
                if (ec)
                    co_return co_await send_error(tx, http::status::bad_gateway, "ERR_READ_ERROR",
                                                  "The origin's answer was not valid HTTP (" +
                                                      ec.message() + ").");
                unsigned status = rp->get().result_int();
                // Interim answers (100, 102, 103) are dropped: we already spoke for Expect.
                if (status < 100 || status >= 200 || status == 101) break;
            }
            if (!retry) break;
        }
        const std::int64_t response_time = unix_now();
        auto& res = rp->get();
        if (res.result_int() == 101)
            co_return co_await send_error(tx, http::status::bad_gateway, "ERR_INVALID_RESP",
                                          "The origin switched protocols unasked.");
        const bool origin_keep = res.keep_alive();

        // Freshened by a 304: the stored object answers, with its new headers.
        // A 304 without any validator answers the conditional request we made from this very
        // object (servers such as Python's http.server send those); RFC 9111 4.3.4 would
        // select it only for a stored response without validators either.
        const bool bare_304 = res.find(http::field::etag) == res.end() &&
                              res.find(http::field::last_modified) == res.end();
        if (revalidating && res.result() == http::status::not_modified &&
            (bare_304 || not_modified_applies(revalidating->object->header, res))) {
            ResponseHeader fresh = revalidating->object->header;
            freshen_with_304(fresh, res);
            EntryTimes times{request_time, response_time};
            auto updated = ctx_.cache->refresh(*revalidating, fresh, times);
            if (origin_keep && rp->is_done())
                ctx_.pool.give(route.pool_key(), std::move(*origin), tx.entry.peer,
                               c.server_idle_pconn_timeout.value);
            ++ctx_.counters["revalidations"];
            auto& client_req = parser.get();
            client_req.erase(http::field::if_none_match);
            client_req.erase(http::field::if_modified_since);
            for (const auto& f : tx.client_conditionals)
                client_req.insert(f.name(), f.value());
            Cache::Found served{updated, std::move(revalidating->disk), false};
            auto age = current_age(updated->header, request_time, response_time, unix_now());
            co_return co_await serve_hit(parser.get(), served, age, "TCP_REFRESH_UNMODIFIED", tx);
        }
        if (revalidating) tx.entry.code = "TCP_REFRESH_MODIFIED";

        const bool until_eof = !head && !rp->is_done() && !rp->chunked() && !rp->content_length();
        const bool streamed = !head && (rp->chunked() || until_eof);
        strip_hop_by_hop(res);
        if (c.via.value) append_via(res, res.version(), ctx_.visible_hostname);

        const auto body_limit = c.reply_body_limit(tx.facts);
        if (body_limit && rp->content_length() && *rp->content_length() > *body_limit && !head) {
            tx.entry.code = "TCP_DENIED_REPLY";
            co_return co_await send_error(tx, http::status::forbidden, "ERR_TOO_BIG",
                                          "The reply is larger than reply_body_max_size.");
        }

        // Into the cache as it streams through, when RFC 9111 and the config allow.
        std::unique_ptr<Cache::Fill> fill;
        if (ctx_.cache) {
            if (req.method() == http::verb::get && ctx_.config.check_cache(tx.facts).allowed() &&
                !(route.peer && route.peer->proxy_only) && storable(req, res, cache_options(url))) {
                if (auto vary = vary_key(req, res)) {
                    ResponseHeader stored = res.base();
                    stored.version(11);
                    fill = ctx_.cache->begin_fill(url, *vary, stored, {request_time, response_time},
                                                  to_std(rp->content_length()), false);
                }
            } else if (revalidating || !is_safe_method(req)) {
                // A replaced object, or one an unsafe method may have changed (RFC 9111 4.4).
                if (revalidating || res.result_int() < 400) {
                    ctx_.cache->invalidate(url, req);
                    for (const auto& uri : invalidation_uris(req, tx.entry.url, res))
                        if (auto other = cache_url(uri); other && *other != url)
                            ctx_.cache->invalidate(*other, req);
                }
            }
        }

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
            if (origin_keep && rp->is_done())
                ctx_.pool.give(route.pool_key(), std::move(*origin), tx.entry.peer,
                               c.server_idle_pconn_timeout.value);
            finish(tx);
            co_return keep && !ec;
        }
        std::uint64_t received = 0;
        bool too_big = false;
        auto tap = [&](std::string_view data) {
            received += data.size();
            if (body_limit && received > *body_limit) {
                too_big = true;
                return false;
            }
            if (fill) fill->append(data);
            return true;
        };
        auto r = co_await relay_body(*rp, *origin, origin_buffer, sr, client_, piece_,
                                     c.read_timeout.value, tx.entry.bytes, tap);
        if (r.failure != RelayFailure::none) {
            // Part of the answer is out already: all we can do is close.
            tx.entry.code = too_big ? "TCP_DENIED_REPLY" : "TCP_MISS_ABORTED";
            ++ctx_.counters["aborted"];
            finish(tx);
            co_return false;
        }
        if (fill) fill->commit();
        if (origin_keep && !until_eof)
            ctx_.pool.give(route.pool_key(), std::move(*origin), tx.entry.peer,
                           c.server_idle_pconn_timeout.value);
        finish(tx);
        co_return keep;
    }

    awaitable<bool> tunnel(const RequestTarget& target, Transaction& tx) {
        using namespace asio::experimental::awaitable_operators;
        // A named Route: GCC 12 destroys a temporary in a co_await argument twice.
        const Route route{target.host, target.port, nullptr};
        auto origin = co_await connect_to(route, tx);
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
    std::optional<std::string> client_name_; // for srcdomain ACLs: reverse DNS, once
    ManagerSelf self_;
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
