#pragma once
// The daemon: one Asio event loop owning every service, the running servers, and the signals
// (SIGHUP reload, SIGTERM/SIGQUIT shutdown, SIGCHLD reaping).
#include "superd/config.hpp"
#include "superd/control.hpp"
#include "superd/service.hpp"
#include "superd/service_log.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace superd::daemon {

struct ServerOptions {
    std::string config_path;
    bool stay_alive = false;
    int process_limit = 0;               // -limit: 0 = none
    bool mirror_records = false;         // -stderr: service records also on superd's own log
    std::string hosts_allow, hosts_deny; // --hosts-allow / --hosts-deny
    std::string control_path;            // superctl's socket; empty: none
};

class Server {
  public:
    explicit Server(ServerOptions options);
    ~Server();

    // Reads the config and opens every service. False (with the reasons logged) when the
    // config has a fatal error or no service could be opened (unless stay_alive).
    bool load();
    // Runs until SIGTERM/SIGQUIT (or no services left). Returns the exit code.
    int run();

    boost::asio::io_context& io() { return io_; }
    ServiceLogSinks& logs() { return logs_; }
    int process_limit() const { return options_.process_limit; }
    int total_running() const { return static_cast<int>(children_.size()); }
    int running_from(const Service& svc, const common::IpAddress& peer) const;
    void register_child(pid_t pid, std::shared_ptr<Service> svc, bool holds_socket,
                        RequestPeer peer);
    std::shared_ptr<Service> find_tcpmux_service(const std::string& name) const;
    // Calls fn(service) after `delay` if the service still exists.
    void after(std::chrono::steady_clock::duration delay, std::weak_ptr<Service> svc,
               std::function<void(Service&)> fn);

    // The client's name for only_from/no_access name patterns: a reverse lookup that does not
    // block the event loop (Asio runs getnameinfo on its resolver thread). nullopt when the
    // address has no name. `done` runs from the event loop.
    void reverse_lookup(const common::IpAddress& address,
                        std::function<void(std::optional<std::string>)> done);

    // SENSOR services put their clients on a global deny list for deny_time minutes
    // (-1: for good), checked for every service as an address refusal (xinetd's sensor.c).
    void sensor_deny(const common::IpAddress& address, int minutes);
    bool sensor_denies(const common::IpAddress& address);

    // SIGHUP: re-read the config; keep the old one when the new one has errors. Returns what
    // happened, for superctl ("reloaded: N service(s)" or "refused: ..." with the errors).
    std::string reload();

    // superctl's requests: "status", "status json", "reload", "dump".
    std::string control_answer(const std::string& request);
    std::string status_text() const;
    boost::json::object status_json() const;
    // xinetd's SIGUSR1 dump: every service's settings and state.
    std::string dump_text() const;
    void write_dump(); // to dump_path(), write-temp + rename
    std::string dump_path() const;

  private:
    struct Child {
        // Strong: a service removed by a reload lives on until its servers are reaped, so
        // their EXIT records are still written (as xinetd's reference-counted services).
        std::shared_ptr<Service> service;
        std::string service_id;
        bool holds_socket = false;
        RequestPeer peer;
        std::chrono::steady_clock::time_point started;
        bool external = true;
    };
    void wait_signals();
    void reap();
    void shutdown(bool kill_servers);
    void kill_servers_of(const std::string& service_id, int sig);
    std::shared_ptr<Service> make_service(const ServiceConfig& cfg);
    void log_diagnostics(const Diagnostics& diags);
    // Points libwrap at the hosts.allow/hosts.deny to use (before any child starts).
    void use_wrap_tables(const DefaultsConfig& defaults);
    // A warning for each service whose user cannot read a table (libwrap would refuse all).
    void warn_unreadable_tables(const Config& config);

    ServerOptions options_;
    boost::asio::io_context io_;
    boost::asio::signal_set signals_;
    ServiceLogSinks logs_;
    std::map<std::string, std::shared_ptr<Service>> services_;
    std::map<pid_t, Child> children_;
    boost::asio::ip::tcp::resolver resolver_;
    std::map<common::IpAddress, std::chrono::steady_clock::time_point> sensor_denied_;
    bool as_root_;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::unique_ptr<ControlServer> control_;
    int exit_code_ = 0;
};

} // namespace superd::daemon
