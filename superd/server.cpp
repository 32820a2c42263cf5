#include "superd/server.hpp"

#include "superd/libwrap.hpp"

#include "common/log.hpp"

#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <cstring>
#include <strings.h>

#include <sys/wait.h>
#include <unistd.h>

namespace superd::daemon {

Server::Server(ServerOptions options)
    : options_(std::move(options))
    , signals_(io_)
    , logs_(options_.mirror_records)
    , resolver_(io_)
    , as_root_(geteuid() == 0) {
    ::signal(SIGPIPE, SIG_IGN);
    for (int sig : {SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, SIGQUIT, SIGINT, SIGCHLD})
        signals_.add(sig);
}

Server::~Server() = default;

void Server::log_diagnostics(const Diagnostics& diags) {
    auto log = common::logger("config");
    for (const auto& d : diags.all()) {
        if (d.severity == common::Severity::error)
            log->error("{}", d.str());
        else
            log->warn("{}", d.str());
    }
}

std::shared_ptr<Service> Server::make_service(const ServiceConfig& cfg) {
    auto plan = LaunchPlan::make(cfg, as_root_);
    if (!plan) {
        common::logger("superd")->error("{}: {}; service not started", cfg.id, plan.error());
        return nullptr;
    }
    return std::make_shared<Service>(*this, cfg, std::move(*plan));
}

bool Server::load() {
    Diagnostics diags;
    Config config = load_config(options_.config_path, diags);
    log_diagnostics(diags);
    if (config.fatal) {
        common::logger("superd")->critical("{}: configuration has fatal errors; exiting",
                                           options_.config_path);
        return false;
    }
    use_wrap_tables(config.defaults);
    warn_unreadable_tables(config);
    for (const auto& cfg : config.services) {
        auto svc = make_service(cfg);
        if (!svc || !svc->open()) continue;
        services_[cfg.id] = svc;
    }
    if (services_.empty() && !options_.stay_alive) {
        common::logger("superd")->critical("no services; exiting");
        return false;
    }
    return true;
}

void Server::use_wrap_tables(const DefaultsConfig& defaults) {
    // The command line wins, then the config's defaults, then libwrap's own /etc files.
    auto pick = [](const std::string& option, const std::string& config, const char* standard) {
        return !option.empty() ? option : !config.empty() ? config : std::string(standard);
    };
    set_libwrap_tables(pick(options_.hosts_allow, defaults.hosts_allow, "/etc/hosts.allow"),
                       pick(options_.hosts_deny, defaults.hosts_deny, "/etc/hosts.deny"));
    common::logger("superd")->debug("tcp-wrappers tables: {} {}", libwrap_allow_table(),
                                    libwrap_deny_table());
}

void Server::warn_unreadable_tables(const Config& config) {
    if (!as_root_) return; // no user switch: superd's own rights apply
    for (const auto& svc : config.services) {
        if (!libwrap_checks(svc) || svc.user.empty() || svc.wait) continue;
        auto plan = LaunchPlan::make(svc, true);
        if (!plan || !plan->credentials()) continue;
        const auto& c = *plan->credentials();
        for (const auto& table : {libwrap_allow_table(), libwrap_deny_table()})
            if (!table_readable_by(table, c.uid, c.gid, c.groups))
                common::logger("superd")->warn(
                    "{}: its user {} cannot read {}: tcp-wrappers will refuse every client "
                    "(make it readable, or set flags = NOLIBWRAP)",
                    svc.id, svc.user, table);
    }
}

int Server::run() {
    started_ = std::chrono::steady_clock::now();
    if (!options_.control_path.empty()) {
        control_ = std::make_unique<ControlServer>(
            io_, options_.control_path, [this](const std::string& r) { return control_answer(r); });
        if (!control_->start()) control_.reset(); // superctl will not reach it; serve anyway
    }
    for (auto& [id, svc] : services_)
        svc->start();
    common::logger("superd")->info("superd Version {} started with {} service(s)", "0.1.0",
                                   services_.size());
    wait_signals();
    io_.run();
    return exit_code_;
}

void Server::wait_signals() {
    signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        switch (sig) {
        case SIGCHLD:
            reap();
            break;
        case SIGHUP:
        case SIGUSR2:
            reload();
            break;
        case SIGUSR1:
            write_dump();
            break;
        case SIGTERM:
        case SIGINT:
            shutdown(true);
            return;
        case SIGQUIT:
            shutdown(false);
            return;
        }
        if (!stopping_) wait_signals();
    });
}

int Server::running_from(const Service& svc, const common::IpAddress& peer) const {
    int n = 0;
    for (const auto& [pid, c] : children_)
        if (c.service_id == svc.id() && c.peer.address && c.peer.address->unmapped() == peer) ++n;
    return n;
}

void Server::register_child(pid_t pid, std::shared_ptr<Service> svc, bool holds_socket,
                            RequestPeer peer) {
    Child c;
    c.service = svc;
    c.service_id = svc->id();
    c.holds_socket = holds_socket;
    c.peer = std::move(peer);
    c.started = std::chrono::steady_clock::now();
    c.external = !svc->config().is_internal() && !svc->config().redirect_host;
    children_[pid] = std::move(c);
}

void Server::reap() {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        auto it = children_.find(pid);
        if (it == children_.end()) continue;
        Child c = std::move(it->second);
        children_.erase(it);
        c.service->child_exited(pid, status, c.holds_socket, c.peer, c.started);
    }
    if (stopping_ && children_.empty()) io_.stop();
}

std::shared_ptr<Service> Server::find_tcpmux_service(const std::string& name) const {
    for (const auto& [id, svc] : services_)
        if (svc->config().is_tcpmux_client() &&
            strcasecmp(svc->config().name.c_str(), name.c_str()) == 0)
            return svc;
    return nullptr;
}

void Server::after(std::chrono::steady_clock::duration delay, std::weak_ptr<Service> svc,
                   std::function<void(Service&)> fn) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, delay);
    timer->async_wait([timer, svc, fn = std::move(fn)](const boost::system::error_code& ec) {
        if (ec) return;
        if (auto s = svc.lock()) fn(*s);
    });
}

void Server::kill_servers_of(const std::string& id, int sig) {
    for (const auto& [pid, c] : children_)
        if (c.service_id == id) ::kill(pid, sig);
}

std::string Server::reload() {
    auto log = common::logger("superd");
    log->info("Starting reconfiguration");
    Diagnostics diags;
    Config config = load_config(options_.config_path, diags);
    log_diagnostics(diags);
    if (config.fatal || diags.has_errors()) {
        log->error("{}: the new configuration has errors; keeping the running one",
                   options_.config_path);
        std::string why =
            "refused: " + options_.config_path + " has errors; the running configuration is kept";
        for (const auto& d : diags.all())
            if (d.severity == common::Severity::error) why += "\n" + d.str();
        return why;
    }
    use_wrap_tables(config.defaults);
    warn_unreadable_tables(config);
    std::map<std::string, std::shared_ptr<Service>> next;
    for (const auto& cfg : config.services) {
        auto old = services_.find(cfg.id);
        if (old != services_.end() && old->second->same_identity(cfg) && old->second->is_open()) {
            auto plan = LaunchPlan::make(cfg, as_root_);
            if (!plan) {
                log->error("{}: {}; keeping its previous settings", cfg.id, plan.error());
            } else {
                old->second->update(cfg, std::move(*plan));
            }
            next[cfg.id] = old->second;
            services_.erase(old);
            continue;
        }
        if (old != services_.end()) { // same id, new identity: close first to free the port
            kill_servers_of(cfg.id, SIGKILL);
            old->second->close();
            services_.erase(old);
        }
        auto svc = make_service(cfg);
        if (!svc || !svc->open()) continue;
        svc->start();
        next[cfg.id] = svc;
    }
    // What is left was removed from the config: stop it and end its servers (as xinetd).
    for (auto& [id, svc] : services_) {
        log->info("service {} removed", id);
        kill_servers_of(id, SIGKILL);
        svc->close();
    }
    services_ = std::move(next);
    logs_.reopen();
    log->info("Reconfigured: {} service(s)", services_.size());
    std::string done = "reloaded: " + std::to_string(services_.size()) + " service(s)";
    if (services_.empty() && !options_.stay_alive) shutdown(false);
    return done;
}

void Server::shutdown(bool kill_servers) {
    stopping_ = true;
    common::logger("superd")->info("Exiting...");
    for (auto& [id, svc] : services_)
        svc->close();
    if (kill_servers) {
        // SIGTERM: servers of internal and redirect services end with superd (as xinetd);
        // external servers run on.
        for (const auto& [pid, c] : children_)
            if (!c.external) ::kill(pid, SIGTERM);
    }
    services_.clear();
    control_.reset(); // the socket file goes with it
    io_.stop();
}

std::string Server::dump_path() const {
    std::string base =
        options_.control_path.empty() ? default_control_path() : options_.control_path;
    if (base.ends_with(".sock")) base.resize(base.size() - 5);
    return base + ".dump";
}

void Server::reverse_lookup(const common::IpAddress& address,
                            std::function<void(std::optional<std::string>)> done) {
    common::Endpoint ep{address, 0};
    sockaddr_storage ss{};
    socklen_t len = ep.to_sockaddr(ss);
    boost::asio::ip::tcp::endpoint asio_ep;
    std::memcpy(asio_ep.data(), &ss, len);
    asio_ep.resize(len);
    resolver_.async_resolve(
        asio_ep, [done = std::move(done)](const boost::system::error_code& ec,
                                          boost::asio::ip::tcp::resolver::results_type results) {
            if (ec || results.empty()) return done(std::nullopt);
            std::string name = results.begin()->host_name();
            // getnameinfo falls back to the numeric form when there is no name.
            if (name.empty() || common::IpAddress::parse(name)) return done(std::nullopt);
            done(name);
        });
}

void Server::sensor_deny(const common::IpAddress& address, int minutes) {
    if (minutes == 0) return; // deny_time = NEVER (the default)
    auto until = minutes < 0 ? std::chrono::steady_clock::time_point::max()
                             : std::chrono::steady_clock::now() + std::chrono::minutes(minutes);
    sensor_denied_[address.unmapped()] = until;
    common::logger("superd")->info("sensor: {} denied for {}", address.unmapped().str(),
                                   minutes < 0 ? std::string("good")
                                               : std::to_string(minutes) + " minute(s)");
}

bool Server::sensor_denies(const common::IpAddress& address) {
    auto it = sensor_denied_.find(address.unmapped());
    if (it == sensor_denied_.end()) return false;
    if (it->second > std::chrono::steady_clock::now()) return true;
    sensor_denied_.erase(it);
    return false;
}

} // namespace superd::daemon
