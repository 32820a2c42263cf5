#pragma once
// One configured service at run time: its socket, how requests reach a server (the three
// launch modes, or an in-process builtin), and the servers it has running.
#include "superd/builtins.hpp"
#include "superd/config.hpp"
#include "superd/ident.hpp"
#include "superd/launcher.hpp"
#include "superd/redirect.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace superd::daemon {

class Server;
class BuiltinSession;

struct RequestPeer {
    std::optional<common::IpAddress> address;
    std::uint16_t port = 0;
    std::optional<std::string> text() const {
        return address ? std::optional(address->unmapped().str()) : std::nullopt;
    }
};

struct ServiceCounters {
    std::uint64_t started = 0; // servers started (or builtin requests served, relays)
    std::uint64_t refused = 0; // FAIL records
    std::uint64_t fork_failed = 0;
    std::map<std::string, std::uint64_t> refused_by; // FAIL reason -> count
};

// Connections-per-second accounting exactly as xinetd's access.c: a window whose length in
// seconds is the rate number; more than `rate` per elapsed second within it trips the limit.
class CpsMeter {
  public:
    // `now` in whole seconds of a monotonic clock. True when the limit is exceeded.
    bool record(std::int64_t now, unsigned rate);

  private:
    unsigned count_ = 0;
    std::int64_t window_start_ = 0;
};

class Service : public std::enable_shared_from_this<Service> {
  public:
    Service(Server& server, ServiceConfig config, LaunchPlan plan);
    ~Service();

    // Creates and binds the socket. Errors are logged; false leaves the service inactive.
    bool open();
    void start();
    // Stops listening and closes in-process sessions; running servers are left alone.
    void close();
    // Same identity (xinetd: id, type, wait, protocol, port, bind): the socket can be kept.
    bool same_identity(const ServiceConfig& other) const;
    void update(ServiceConfig config, LaunchPlan plan);

    // A forked server of this service exited.
    void child_exited(pid_t pid, int status, bool held_socket, const RequestPeer& peer,
                      std::chrono::steady_clock::time_point started);

    const ServiceConfig& config() const { return config_; }
    const std::string& id() const { return config_.id; }
    int running() const { return running_; }
    bool is_open() const { return fd_ >= 0 || config_.is_tcpmux_client(); }
    bool cps_disabled() const { return cps_disabled_; }
    // For superctl: "listening", "suspended", "disabled by cps until <local time>", "closed",
    // or "reached through tcpmux".
    std::string state() const;
    // Connections served inside superd right now (builtin sessions, relays).
    std::size_t in_process() const { return sessions_.size() + relays_.size(); }
    std::uint16_t bound_port() const { return bound_port_; }
    const ServiceCounters& counters() const { return counters_; }

    // For tcpmux: start this (TCPMUX client) service's server on an accepted connection.
    void launch_on_connection(int conn_fd, const RequestPeer& peer);

    // Record helpers used by builtin sessions.
    void log_start(pid_t pid, const RequestPeer& peer);
    void log_exit(pid_t pid, int status, std::chrono::steady_clock::time_point started);
    void log_fail(const std::string& reason, const RequestPeer& peer);
    void forget_session(BuiltinSession* s);
    Server& server() { return server_; }

  private:
    void arm();
    void on_ready();
    void accept_connections();
    void handle_datagram_wait();
    void handle_stream_wait();
    void serve_builtin_datagrams();
    void answer_datagram(const RequestPeer& peer, const sockaddr_storage& to, socklen_t len,
                         const std::string& payload);
    // A dgram builtin under libwrap: a child checks the datagram's addresses, then superd
    // answers (or not).
    void check_then_answer(const RequestPeer& peer, const sockaddr_storage& from, socklen_t len,
                           const std::string& payload);
    // FAIL record; the datagram is consumed; the socket is watched again.
    void refuse_datagram(const RequestPeer& peer, const std::string& reason);
    // The request-time limits xinetd checks in the parent (instances, per_source, -limit).
    std::optional<std::string> limit_refusal(const RequestPeer& peer) const;
    pid_t spawn_server(int fd, const RequestPeer& peer, bool holds_socket);
    // No child could be made: counted, logged, and a FAIL record.
    void spawn_failed(const SpawnResult& r, const RequestPeer& peer);
    // load, access_times, then limit_refusal: the checks that need no name lookup.
    std::optional<std::string> parent_refusal(const RequestPeer& peer) const;
    // only_from / no_access (and the sensor list): calls `then` with nullopt (allowed) or the
    // FAIL reason, at once, or after a reverse lookup when the lists hold names.
    void check_address(const RequestPeer& peer,
                       std::function<void(std::optional<std::string>)> then);
    // FAIL record, banner_fail, then close (or the ident query for log_on_failure USERID).
    void refuse_connection(int conn, const RequestPeer& peer, const std::string& reason);
    // Sends the file at `path` (empty: nothing) on the connection.
    void send_banner(int conn, const std::string& path);
    // A builtin session or a redirect relay on an admitted connection (after banner_success).
    void serve_in_process(int conn, const RequestPeer& peer);
    // redirect: relays the connection to the target inside superd; a relay is an instance.
    void start_redirect(int conn, const RequestPeer& peer);
    void redirect_done(std::uint64_t id, const RedirectResult& r);
    int relays_from(const common::IpAddress& address) const;
    int sessions_from(const common::IpAddress& address) const; // INTERNAL stream sessions
    // libwrap must be asked (in a child): not NOLIBWRAP, and the tables hold rules (or the
    // service's user cannot read them).
    bool wrap_check_needed() const;
    bool wrap_tables_readable() const;
    // The file's contents, read anew each time (empty path or unreadable: nothing).
    std::string banner_text(const std::string& path) const;
    // What the forked child checks with libwrap; then_exit for in-process services.
    ChildCheck libwrap_check(bool then_exit) const;
    // A builtin or redirect under libwrap: a child checks, then superd serves (or not).
    void check_then_serve_in_process(int conn, const RequestPeer& peer);
    // Reads a child's report pipe to its end, then calls `done` with what it said.
    void watch_report(int report_fd, std::function<void(const std::string&)> done);
    // FAIL libwrap, or why the server could not start.
    void child_report(const std::string& report, const RequestPeer& peer);
    // An accepted connection that passed every check: banner_success, builtin session or server.
    void serve_connection(int conn, const RequestPeer& peer);
    // USERID in this log mask, and the service logs at all.
    bool logs_userid(unsigned mask) const;
    // Ident query about `conn` (kept open meanwhile); then serve it (success path) or close it
    // (failure path, which only logs the USERID record).
    void identify(int conn, const RequestPeer& peer, bool then_serve);
    void identified(int conn, const RequestPeer& peer, bool then_serve, const IdentResult& r);
    void resume();
    // xinetd's cps: true when this request trips the limit (the socket is then closed for the
    // configured seconds and re-opened, without resetting the running count).
    bool cps_exceeded();
    void reactivate();

    Server& server_;
    ServiceConfig config_;
    LaunchPlan plan_;
    Builtin builtin_ = Builtin::none;
    int fd_ = -1;
    std::uint16_t bound_port_ = 0;
    std::unique_ptr<boost::asio::posix::stream_descriptor> watch_;
    bool suspended_ = false; // a wait = yes server holds the socket
    int running_ = 0;
    int admitting_ = 0; // connections waiting for a name lookup or an ident reply
    std::list<std::shared_ptr<BuiltinSession>> sessions_;
    struct Relay {
        std::shared_ptr<RedirectSession> session;
        RequestPeer peer;
        std::chrono::steady_clock::time_point started;
    };
    std::map<std::uint64_t, Relay> relays_;
    std::uint64_t next_relay_id_ = 1;
    Chargen chargen_; // the dgram ring is shared between requests, as in xinetd
    ServiceCounters counters_;
    CpsMeter cps_;
    bool cps_disabled_ = false;
    std::chrono::system_clock::time_point cps_until_;
};

} // namespace superd::daemon
