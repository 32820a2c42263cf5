// The checks a request passes before superd serves it, beyond the limits: only_from /
// no_access (with a reverse lookup when the lists hold names), the banners, tcp-wrappers in a
// forked child, and ident (USERID, IDONLY).
#include "superd/access.hpp"
#include "superd/libwrap.hpp"
#include "superd/server.hpp"
#include "superd/service.hpp"

#include "common/log.hpp"

#include <boost/asio/read.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

#include <sys/socket.h>
#include <unistd.h>

namespace superd::daemon {

std::optional<std::string> Service::parent_refusal(const RequestPeer& peer) const {
    // xinetd's order (access.c): cps (checked by the caller), load, times, then the limits.
    if (config_.max_load > 0) {
        double load[1] = {0};
        if (::getloadavg(load, 1) == 1 && load_exceeded(config_.max_load, load[0]))
            return fail_load;
    }
    if (!config_.lists.access_times.empty()) {
        std::time_t now = std::time(nullptr);
        std::tm tm{};
        localtime_r(&now, &tm);
        if (!within_access_times(config_.lists.access_times, tm.tm_hour * 60 + tm.tm_min))
            return fail_time;
    }
    return limit_refusal(peer);
}

void Service::check_address(const RequestPeer& peer,
                            std::function<void(std::optional<std::string>)> then) {
    if (!peer.address) return then(std::nullopt); // wait = yes stream: the server accepts
    common::IpAddress address = peer.address->unmapped();
    if (server_.sensor_denies(address)) return then(fail_address);
    auto decide = [w = weak_from_this(), address,
                   then = std::move(then)](std::optional<std::string> name) {
        auto s = w.lock();
        if (!s) return then(fail_address);
        switch (daemon::check_address(s->config_.lists, address, name)) {
        case AddressVerdict::allowed:
            return then(std::nullopt);
        case AddressVerdict::in_both:
            common::logger("superd")->error("{}: {} is in both only_from and no_access: refused",
                                            s->config_.id, address.str());
            return then(fail_address);
        default:
            return then(fail_address);
        }
    };
    if (needs_client_name(config_.lists))
        server_.reverse_lookup(address, std::move(decide));
    else
        decide(std::nullopt);
}

void Service::refuse_connection(int conn, const RequestPeer& peer, const std::string& reason) {
    log_fail(reason, peer);
    send_banner(conn, config_.lists.banner_fail);
    if (logs_userid(config_.lists.log_on_failure))
        identify(conn, peer, false);
    else
        ::close(conn);
}

void Service::send_banner(int conn, const std::string& path) {
    std::string data = banner_text(path);
    // Banners are small; the socket's send buffer takes them whole without blocking.
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::send(conn, data.data() + off, data.size() - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) continue;
            common::logger("superd")->warn("{}: banner {} cut short after {} bytes", config_.id,
                                           path, off);
            return;
        }
        off += static_cast<std::size_t>(n);
    }
}

bool Service::wrap_check_needed() const {
    if (!libwrap_checks(config_)) return false;
    // Tables without a rule grant everyone and run nothing: no child needed to ask them, unless
    // the service's user could not read them (libwrap would refuse everyone then).
    if (!libwrap_tables_have_rules() && wrap_tables_readable()) return false;
    return true;
}

bool Service::wrap_tables_readable() const {
    const auto& creds = plan_.credentials();
    if (!creds) return true;
    return table_readable_by(libwrap_allow_table(), creds->uid, creds->gid, creds->groups) &&
           table_readable_by(libwrap_deny_table(), creds->uid, creds->gid, creds->groups);
}

std::string Service::banner_text(const std::string& path) const {
    if (path.empty()) return {};
    // Read anew each time, as xinetd: the operator may edit it while superd runs.
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        common::logger("superd")->error("{}: cannot open banner {}: {}", config_.id, path,
                                        std::strerror(errno));
        return {};
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ChildCheck Service::libwrap_check(bool then_exit) const {
    ChildCheck c;
    c.daemon_name = libwrap_daemon_name(config_);
    c.then_exit = then_exit;
    if (config_.socket_type == SocketType::stream) {
        if (!then_exit) c.banner_success = banner_text(config_.lists.banner_success);
        c.banner_fail = banner_text(config_.lists.banner_fail);
    }
    return c;
}

void Service::check_then_serve_in_process(int conn, const RequestPeer& peer) {
    // libwrap may run `spawn` commands, `twist` the process into a shell, and look names up:
    // none of that may happen in superd itself, so one child makes the check for this request.
    ChildCheck check = libwrap_check(true);
    SpawnResult r = plan_.spawn(conn, peer.text(), &check);
    if (r.pid < 0) {
        spawn_failed(r, peer);
        ::close(conn);
        return;
    }
    ++admitting_;
    watch_report(r.report_fd, [w = weak_from_this(), conn, peer](const std::string& report) {
        auto s = w.lock();
        if (!s || !s->is_open()) {
            ::close(conn);
            return;
        }
        --s->admitting_;
        if (report == "A") return s->serve_in_process(conn, peer);
        s->child_report(report, peer);
        ::close(conn); // refused (the child sent banner_fail), or a twist rule serves the client
    });
}

void Service::watch_report(int report_fd, std::function<void(const std::string&)> done) {
    auto pipe = std::make_shared<boost::asio::posix::stream_descriptor>(server_.io(), report_fd);
    auto buf = std::make_shared<std::array<char, 64>>();
    // Until the child closes its end: exec, exit, or a full record.
    boost::asio::async_read(
        *pipe, boost::asio::buffer(*buf),
        [pipe, buf, done = std::move(done)](const boost::system::error_code&, std::size_t n) {
            done(std::string(buf->data(), n));
        });
}

void Service::child_report(const std::string& report, const RequestPeer& peer) {
    if (report == "L") {
        log_fail(fail_libwrap, peer);
    } else if (report.starts_with("E")) {
        auto colon = report.find(':');
        std::string step =
            report.substr(1, colon == std::string::npos ? std::string::npos : colon - 1);
        int err = colon == std::string::npos ? 0 : std::atoi(report.c_str() + colon + 1);
        common::logger("superd")->error("{}: cannot start {}: {}: {}", config_.id,
                                        plan_.path().empty() ? config_.id : plan_.path(), step,
                                        std::strerror(err));
    }
}

bool Service::logs_userid(unsigned mask) const {
    // xinetd (LOGS_USERID): only for services that accept connections, and only when logging.
    return (mask & log_userid) && config_.log_type.kind != LogType::Kind::none;
}

void Service::identify(int conn, const RequestPeer& peer, bool then_serve) {
    ++admitting_;
    query_ident(server_.io(), conn, ident_timeout,
                [w = weak_from_this(), conn, peer, then_serve](IdentResult r) {
                    auto s = w.lock();
                    if (!s || !s->is_open()) { // removed or stopped meanwhile
                        ::close(conn);
                        return;
                    }
                    --s->admitting_;
                    s->identified(conn, peer, then_serve, r);
                });
}

void Service::identified(int conn, const RequestPeer& peer, bool then_serve, const IdentResult& r) {
    bool logs =
        logs_userid(then_serve ? config_.lists.log_on_success : config_.lists.log_on_failure);
    if (r.status == IdentStatus::ok && logs)
        server_.logs().write(config_.log_type, "USERID: " + config_.id + " " + r.text);
    if (!then_serve) {
        ::close(conn);
        return;
    }
    if (r.status != IdentStatus::ok && (config_.flags & flag_idonly)) {
        ++counters_.refused;
        ++counters_.refused_by["noid"];
        server_.logs().write(config_.log_type, "NOID: " + config_.id + " " +
                                                   peer.text().value_or("<no address>") + " " +
                                                   std::string(ident_explain(r.status)));
        ::close(conn);
        return;
    }
    serve_connection(conn, peer);
}

void Service::check_then_answer(const RequestPeer& peer, const sockaddr_storage& from,
                                socklen_t len, const std::string& payload) {
    // As for stream builtins: libwrap runs in a child, asked about the datagram's addresses.
    ChildCheck check = libwrap_check(true);
    check.client = from;
    sockaddr_storage local{};
    socklen_t local_len = sizeof local;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &local_len);
    check.server = local;
    SpawnResult r = plan_.spawn(fd_, peer.text(), &check);
    if (r.pid < 0) {
        spawn_failed(r, peer);
        return;
    }
    watch_report(r.report_fd,
                 [w = weak_from_this(), peer, from, len, payload](const std::string& report) {
                     auto s = w.lock();
                     if (!s || s->fd_ < 0) return;
                     if (report == "A") return s->answer_datagram(peer, from, len, payload);
                     s->child_report(report, peer);
                 });
}

} // namespace superd::daemon
