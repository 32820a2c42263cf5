#include "superd/service.hpp"

#include "superd/access.hpp"
#include "superd/builtin_session.hpp"
#include "superd/redirect.hpp"
#include "superd/server.hpp"

#include "common/log.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::daemon {
namespace {

constexpr int listen_backlog = 128;
constexpr int accepts_per_wakeup = 64;                        // then yield to the other services
constexpr auto fork_retry_interval = std::chrono::seconds(5); // xinetd's RETRY_INTERVAL
// xinetd connects to a redirect target without a deadline; superd gives up after this.
constexpr auto redirect_connect_timeout = std::chrono::seconds(30);

bool readable_now(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

void set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && !(fl & O_NONBLOCK)) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

RequestPeer peer_of(const sockaddr_storage& ss, socklen_t len) {
    RequestPeer p;
    if (auto ep = common::Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&ss), len)) {
        p.address = ep->address;
        p.port = ep->port;
    }
    return p;
}

} // namespace

bool CpsMeter::record(std::int64_t now, unsigned rate) {
    if (rate == 0) return false; // cps = 0 N turns the check off
    if (count_ == 0) {
        count_ = 1;
        window_start_ = now;
        return false;
    }
    std::int64_t elapsed = now - window_start_;
    if (elapsed < static_cast<std::int64_t>(rate)) {
        ++count_;
        return count_ / static_cast<unsigned>(std::max<std::int64_t>(1, elapsed)) > rate;
    }
    count_ = 1;
    window_start_ = now;
    return false;
}

Service::Service(Server& server, ServiceConfig config, LaunchPlan plan)
    : server_(server)
    , config_(std::move(config))
    , plan_(std::move(plan)) {
    if (config_.flags & flag_sensor)
        builtin_ = Builtin::sensor; // any name: flags = SENSOR makes it one
    else if (config_.is_internal())
        builtin_ = find_builtin(config_.name, config_.socket_type);
}

Service::~Service() {
    close();
}

bool Service::open() {
    auto log = common::logger("superd");
    if (config_.is_tcpmux_client()) return true; // reached through the tcpmux service only
    bool v6 = config_.uses_ipv6();
    int type = config_.socket_type == SocketType::stream ? SOCK_STREAM : SOCK_DGRAM;
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 && v6 && !config_.bind_address) {
        v6 = false; // no IPv6 on this machine: fall back to IPv4, as xinetd does
        fd = ::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    }
    if (fd < 0) {
        log->error("{}: socket: {}", config_.id, std::strerror(errno));
        return false;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (v6) {
        int v6only = config_.v6only.value_or(false) ? 1 : 0;
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    if (type == SOCK_STREAM && (config_.flags & flag_nodelay))
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (config_.flags & flag_keepalive) setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    // A dgram server that needs the arrival interface (superd-dhcpd) enables IP_PKTINFO itself,
    // too late for the datagram that woke superd up: enable it from the start. Harmless to
    // servers that read with recv or recvfrom.
    if (type == SOCK_DGRAM) setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);

    common::Endpoint ep;
    if (config_.bind_address) {
        ep.address = *config_.bind_address;
        if (v6 && ep.address.is_v4()) { // IPv6 flag with an IPv4 bind address: the mapped form
            std::array<std::uint8_t, 16> b{};
            b[10] = b[11] = 0xff;
            std::uint32_t a = htonl(ep.address.v4_host_order());
            std::memcpy(&b[12], &a, 4);
            ep.address = common::IpAddress::v6(b);
        }
    } else {
        ep.address = v6 ? common::IpAddress::v6({}) : common::IpAddress::v4(0);
    }
    ep.port = config_.port;
    sockaddr_storage ss{};
    socklen_t len = ep.to_sockaddr(ss);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) {
        log->error("{}: bind {}: {}", config_.id, ep.str(), std::strerror(errno));
        ::close(fd);
        return false;
    }
    if (type == SOCK_STREAM && ::listen(fd, listen_backlog) < 0) {
        log->error("{}: listen: {}", config_.id, std::strerror(errno));
        ::close(fd);
        return false;
    }
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen) == 0)
        if (auto b = common::Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&bound), blen))
            bound_port_ = b->port;
    fd_ = fd;
    watch_ = std::make_unique<boost::asio::posix::stream_descriptor>(server_.io(), fd_);
    log->debug("{}: listening on {} ({} {})", config_.id, ep.str(), to_string(config_.socket_type),
               config_.wait ? "wait" : "nowait");
    return true;
}

void Service::start() {
    if (fd_ < 0 || suspended_) return;
    if (readable_now(fd_))
        boost::asio::post(server_.io(), [w = weak_from_this()] {
            if (auto s = w.lock()) s->on_ready();
        });
    else
        arm();
}

void Service::close() {
    for (auto& s : sessions_)
        s->close();
    sessions_.clear();
    auto relays = std::move(relays_); // their done handlers find nothing left to log
    relays_.clear();
    for (auto& [id, r] : relays)
        r.session->close();
    if (watch_) {
        boost::system::error_code ec;
        watch_->cancel(ec);
        watch_->release(); // the descriptor is closed below, once
        watch_.reset();
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool Service::same_identity(const ServiceConfig& o) const {
    const ServiceConfig& c = config_;
    return c.id == o.id && c.name == o.name && c.type == o.type && c.wait == o.wait &&
           c.socket_type == o.socket_type && c.protocol == o.protocol && c.port == o.port &&
           c.bind_address == o.bind_address && c.uses_ipv6() == o.uses_ipv6() &&
           c.v6only == o.v6only &&
           (c.flags & (flag_nodelay | flag_keepalive)) ==
               (o.flags & (flag_nodelay | flag_keepalive));
}

void Service::update(ServiceConfig config, LaunchPlan plan) {
    config_ = std::move(config);
    plan_ = std::move(plan);
}

void Service::arm() {
    if (!watch_ || suspended_) return;
    watch_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [w = weak_from_this()](const boost::system::error_code& ec) {
                           if (ec) return;
                           if (auto s = w.lock()) s->on_ready();
                       });
}

void Service::on_ready() {
    if (fd_ < 0 || suspended_) return;
    if (config_.socket_type == SocketType::dgram) {
        if (builtin_ != Builtin::none)
            serve_builtin_datagrams();
        else
            handle_datagram_wait();
    } else if (config_.wait && builtin_ == Builtin::none) {
        handle_stream_wait();
    } else {
        accept_connections();
    }
}

std::optional<std::string> Service::limit_refusal(const RequestPeer& peer) const {
    const bool internal = builtin_ != Builtin::none && builtin_ != Builtin::tcpmux;
    // An INTERNAL datagram is answered at once: nothing runs that a limit could count.
    if (internal && config_.socket_type == SocketType::dgram) return std::nullopt;
    LimitCounts counts;
    // A connection still being checked (name lookup, ident) holds a place, as xinetd's forked
    // child does; so does a stream session served inside superd (echo, discard, chargen …,
    // tcpmux reading its name line), as xinetd's forked echo/discard/chargen child does.
    counts.running = running_ + admitting_ + static_cast<int>(sessions_.size());
    counts.from_source = -1;
    if (peer.address) {
        auto from = peer.address->unmapped();
        counts.from_source =
            server_.running_from(*this, from) + relays_from(from) + sessions_from(from);
    }
    counts.total = server_.total_running();
    // -limit counts processes: INTERNAL sessions are none (docs/superd.md).
    return daemon::limit_refusal(config_.instances, config_.per_source,
                                 internal ? 0 : server_.process_limit(), counts);
}

void Service::accept_connections() {
    for (int n = 0; n < accepts_per_wakeup; ++n) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        int flags = SOCK_CLOEXEC | (builtin_ != Builtin::none ? SOCK_NONBLOCK : 0);
        int conn = ::accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, flags);
        if (conn < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                arm();
                return;
            }
            if (errno == EINTR || errno == ECONNABORTED) continue;
            common::logger("superd")->error("{}: accept: {}", config_.id, std::strerror(errno));
            arm();
            return;
        }
        RequestPeer peer = peer_of(ss, len);
        if (cps_exceeded()) {
            log_fail("connections per second", peer);
            ::close(conn);
            return; // the socket is closed now
        }
        send_banner(conn, config_.lists.banner); // before any check, as xinetd
        if (auto why = parent_refusal(peer)) {
            refuse_connection(conn, peer, *why);
            continue;
        }
        ++admitting_;
        check_address(peer, [w = weak_from_this(), conn, peer](std::optional<std::string> refusal) {
            auto s = w.lock();
            if (!s || !s->is_open()) { // removed or stopped meanwhile
                ::close(conn);
                return;
            }
            --s->admitting_;
            if (refusal) return s->refuse_connection(conn, peer, *refusal);
            if (s->logs_userid(s->config_.lists.log_on_success) || (s->config_.flags & flag_idonly))
                s->identify(conn, peer, true);
            else
                s->serve_connection(conn, peer);
        });
    }
    // More may be waiting: come back after the other services had their turn.
    boost::asio::post(server_.io(), [w = weak_from_this()] {
        if (auto s = w.lock()) s->on_ready();
    });
}

void Service::serve_connection(int conn, const RequestPeer& peer) {
    bool wrapped = wrap_check_needed();
    if (builtin_ != Builtin::none || config_.redirect_host) { // served inside superd
        if (wrapped) return check_then_serve_in_process(conn, peer);
        return serve_in_process(conn, peer);
    }
    // With libwrap the child sends banner_success itself, once hosts.allow/deny let it pass.
    if (!wrapped) send_banner(conn, config_.lists.banner_success);
    spawn_server(conn, peer, false);
    ::close(conn);
}

void Service::serve_in_process(int conn, const RequestPeer& peer) {
    send_banner(conn, config_.lists.banner_success);
    if (config_.redirect_host) return start_redirect(conn, peer);
    ++counters_.started;
    auto session = std::make_shared<BuiltinSession>(*this, builtin_, conn, peer);
    sessions_.push_back(session);
    session->start();
}

void Service::start_redirect(int conn, const RequestPeer& peer) {
    boost::system::error_code ec;
    auto address = boost::asio::ip::make_address(config_.redirect_address->str(), ec);
    if (ec) { // cannot happen: the parser resolved it
        common::logger("superd")->error("{}: bad redirect address", config_.id);
        ::close(conn);
        return;
    }
    std::uint64_t id = next_relay_id_++;
    ++running_; // a relay counts as an instance, as xinetd's forked relay does
    ++counters_.started;
    log_start(0, peer);
    auto session = std::make_shared<RedirectSession>(
        server_.io(), conn, boost::asio::ip::tcp::endpoint(address, config_.redirect_port),
        (config_.flags & flag_keepalive) != 0, redirect_connect_timeout,
        [w = weak_from_this(), id](const RedirectResult& r) {
            if (auto s = w.lock()) s->redirect_done(id, r);
        });
    relays_[id] = Relay{session, peer, std::chrono::steady_clock::now()};
    session->start();
}

void Service::redirect_done(std::uint64_t id, const RedirectResult& r) {
    auto it = relays_.find(id);
    if (it == relays_.end()) return; // the service was closed meanwhile
    Relay relay = std::move(it->second);
    relays_.erase(it);
    if (running_ > 0) --running_;
    if (!r.connected)
        common::logger("superd")->error("{}: redirect to {}: {}", config_.id,
                                        *config_.redirect_host, r.error);
    if (config_.lists.log_on_success & log_traffic)
        server_.logs().write(config_.log_type,
                             "TRAFFIC: " + config_.id + " in=" + std::to_string(r.in) +
                                 "(bytes) out=" + std::to_string(r.out) + "(bytes)");
    log_exit(0, 0, relay.started);
}

int Service::sessions_from(const common::IpAddress& address) const {
    int n = 0;
    for (const auto& session : sessions_)
        if (session->peer().address && session->peer().address->unmapped() == address) ++n;
    return n;
}

int Service::relays_from(const common::IpAddress& address) const {
    int n = 0;
    for (const auto& [id, r] : relays_)
        if (r.peer.address && r.peer.address->unmapped() == address) ++n;
    return n;
}

void Service::handle_stream_wait() {
    RequestPeer peer; // the server accepts: superd does not know the client
    if (cps_exceeded()) return;
    if (auto why = parent_refusal(peer)) {
        log_fail(*why, peer);
        // Nothing of the client can be consumed without accepting it: try again shortly.
        server_.after(std::chrono::seconds(1), weak_from_this(), [](Service& s) { s.start(); });
        return;
    }
    if (spawn_server(fd_, peer, true) > 0)
        suspended_ = true;
    else
        server_.after(fork_retry_interval, weak_from_this(), [](Service& s) { s.start(); });
}

void Service::handle_datagram_wait() {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    char byte;
    // Peek: the datagram stays queued for the server to read.
    ssize_t n =
        ::recvfrom(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&ss), &len);
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            common::logger("superd")->error("{}: recvfrom: {}", config_.id, std::strerror(errno));
        arm();
        return;
    }
    RequestPeer peer = peer_of(ss, len);
    if (cps_exceeded()) return;
    if (auto why = parent_refusal(peer)) return refuse_datagram(peer, *why);
    suspended_ = true; // no other datagram is looked at until this one is decided
    check_address(peer, [w = weak_from_this(), peer](std::optional<std::string> refusal) {
        auto s = w.lock();
        if (!s || s->fd_ < 0) return;
        s->suspended_ = false;
        if (refusal) return s->refuse_datagram(peer, *refusal);
        if (s->spawn_server(s->fd_, peer, true) > 0)
            s->suspended_ = true;
        else
            s->server_.after(fork_retry_interval, s->weak_from_this(),
                             [](Service& sv) { sv.start(); });
    });
}

void Service::refuse_datagram(const RequestPeer& peer, const std::string& reason) {
    log_fail(reason, peer);
    char byte;
    ::recv(fd_, &byte, 1, MSG_DONTWAIT); // refused: that one datagram is consumed
    start();
}

void Service::serve_builtin_datagrams() {
    // At most a bounded batch per wake-up; every datagram gets its answer (xinetd drains the
    // queue and answers one per wake-up).
    for (int n = 0; n < accepts_per_wakeup; ++n) {
        std::array<char, 2048> buf; // xinetd's DATAGRAM_SIZE
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        ssize_t got = ::recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&ss), &len);
        if (got < 0) {
            if (errno == EINTR) continue;
            arm();
            return;
        }
        RequestPeer peer = peer_of(ss, len);
        if (cps_exceeded()) return;
        if (auto why = parent_refusal(peer)) {
            log_fail(*why, peer);
            continue;
        }
        std::string payload(buf.data(), static_cast<std::size_t>(got));
        check_address(peer, [w = weak_from_this(), peer, ss, len,
                             payload = std::move(payload)](std::optional<std::string> refusal) {
            auto s = w.lock();
            if (!s || s->fd_ < 0) return;
            if (refusal) return s->log_fail(*refusal, peer);
            if (s->wrap_check_needed()) return s->check_then_answer(peer, ss, len, payload);
            s->answer_datagram(peer, ss, len, payload);
        });
    }
    boost::asio::post(server_.io(), [w = weak_from_this()] {
        if (auto s = w.lock()) s->on_ready();
    });
}

void Service::answer_datagram(const RequestPeer& peer, const sockaddr_storage& to, socklen_t len,
                              const std::string& payload) {
    ++counters_.started;
    log_start(0, peer);
    std::string reply;
    switch (builtin_) {
    case Builtin::echo:
        reply = payload;
        break;
    case Builtin::daytime:
        reply = daytime_text(std::time(nullptr));
        break;
    case Builtin::time: {
        auto t = time_bytes(std::time(nullptr));
        reply.assign(t.begin(), t.end());
        break;
    }
    case Builtin::chargen:
        reply = chargen_.datagram();
        break;
    case Builtin::sensor:
        if (peer.address) server_.sensor_deny(*peer.address, config_.deny_time);
        return;
    default:
        return; // discard
    }
    ::sendto(fd_, reply.data(), reply.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to),
             len);
}

void Service::spawn_failed(const SpawnResult& r, const RequestPeer& peer) {
    ++counters_.fork_failed;
    common::logger("superd")->error("{}: fork failed: {}", config_.id, std::strerror(r.error));
    log_fail("fork", peer);
}

pid_t Service::spawn_server(int fd, const RequestPeer& peer, bool holds_socket) {
    // libwrap is checked in the child, for the services that have a client (not stream wait).
    bool wrapped = wrap_check_needed() && peer.address.has_value();
    ChildCheck check = wrapped ? libwrap_check(false) : ChildCheck{};
    SpawnResult r = plan_.spawn(fd, peer.text(), wrapped ? &check : nullptr);
    pid_t pid = r.pid;
    if (pid < 0) {
        spawn_failed(r, peer);
        return pid;
    }
    // The child exits at once (126/127) and its EXIT is logged as usual; say why here.
    if (r.failed_step != nullptr)
        common::logger("superd")->error("{}: cannot start {}: {}: {}", config_.id, plan_.path(),
                                        r.failed_step, std::strerror(r.error));
    if (r.report_fd >= 0)
        watch_report(r.report_fd, [w = weak_from_this(), peer](const std::string& report) {
            if (auto s = w.lock()) s->child_report(report, peer);
        });
    ++running_;
    ++counters_.started;
    server_.register_child(pid, shared_from_this(), holds_socket, peer);
    log_start(pid, peer);
    return pid;
}

void Service::launch_on_connection(int conn, const RequestPeer& peer) {
    if (auto why = limit_refusal(peer)) {
        log_fail(*why, peer);
        return;
    }
    if (config_.type & type_tcpmuxplus) {
        std::string_view ack = tcpmux_ack;
        if (::send(conn, ack.data(), ack.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(ack.size()))
            return;
    }
    spawn_server(conn, peer, false);
}

void Service::child_exited(pid_t pid, int status, bool held_socket, const RequestPeer&,
                           std::chrono::steady_clock::time_point started) {
    if (running_ > 0) --running_;
    log_exit(pid, status, started);
    if (held_socket) resume();
}

void Service::resume() {
    suspended_ = false;
    if (fd_ < 0) return;
    set_nonblocking(fd_); // the server may have made the shared socket blocking
    // Whatever arrived while the server ran is served now: nothing queued is discarded.
    start();
}

bool Service::cps_exceeded() {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count();
    if (!cps_.record(now, config_.cps_rate)) return false;
    common::logger("superd")->warn(
        "Deactivating service {} due to excessive incoming connections.  "
        "Restarting in {} seconds.",
        config_.id, config_.cps_disable_seconds);
    cps_disabled_ = true;
    cps_until_ =
        std::chrono::system_clock::now() + std::chrono::seconds(config_.cps_disable_seconds);
    // Clients see "connection refused" while the socket is closed; servers keep running.
    if (watch_) {
        boost::system::error_code ec;
        watch_->cancel(ec);
        watch_->release();
        watch_.reset();
    }
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    suspended_ = false;
    server_.after(std::chrono::seconds(config_.cps_disable_seconds), weak_from_this(),
                  [](Service& s) { s.reactivate(); });
    return true;
}

std::string Service::state() const {
    if (config_.is_tcpmux_client()) return "reached through tcpmux";
    if (cps_disabled_) {
        std::time_t t = std::chrono::system_clock::to_time_t(cps_until_);
        std::tm tm{};
        localtime_r(&t, &tm);
        char buf[32];
        std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
        return std::string("disabled by cps until ") + buf;
    }
    if (fd_ < 0) return "closed";
    if (suspended_) return "suspended";
    return "listening";
}

void Service::reactivate() {
    if (!cps_disabled_) return;
    cps_disabled_ = false;
    cps_ = CpsMeter();
    if (!open()) {
        // The port may be taken meanwhile: try again after the same pause.
        cps_disabled_ = true;
        server_.after(std::chrono::seconds(config_.cps_disable_seconds), weak_from_this(),
                      [](Service& s) { s.reactivate(); });
        return;
    }
    common::logger("superd")->info("Activating service {}", config_.id);
    start();
}

void Service::log_start(pid_t pid, const RequestPeer& peer) {
    if (config_.lists.log_on_success == 0) return;
    server_.logs().write(config_.log_type,
                         start_record(config_.id, config_.lists.log_on_success, pid, peer.text()));
}

void Service::log_exit(pid_t pid, int status, std::chrono::steady_clock::time_point started) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                                 started);
    if (auto r = exit_record(config_.id, config_.lists.log_on_success, status, pid, secs))
        server_.logs().write(config_.log_type, *r);
}

void Service::log_fail(const std::string& reason, const RequestPeer& peer) {
    ++counters_.refused;
    ++counters_.refused_by[reason];
    if (config_.lists.log_on_failure == 0) return;
    server_.logs().write(config_.log_type, fail_record(config_.id, config_.lists.log_on_failure,
                                                       reason, peer.text()));
}

void Service::forget_session(BuiltinSession* s) {
    sessions_.remove_if([s](const std::shared_ptr<BuiltinSession>& p) { return p.get() == s; });
}

} // namespace superd::daemon
