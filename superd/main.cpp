// superd: an xinetd-compatible super-daemon. args -> config -> server -> run -> exit code.
#include "superd/check.hpp"
#include "superd/control.hpp"
#include "superd/options.hpp"
#include "superd/server.hpp"

#include "common/log.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>

#include <unistd.h>

using namespace superd;

namespace {

int check_config(const std::string& path) {
    common::Diagnostics diags;
    daemon::Config config = daemon::load_config(path, diags);
    for (const auto& d : diags.all())
        std::cerr << d.str() << "\n";
    for (const auto& s : config.services)
        std::cout << daemon::describe_service(s) << "\n";
    for (const auto& id : config.disabled_ids)
        std::cout << id << ": disabled\n";
    if (config.fatal || diags.has_errors()) {
        std::cerr << path << ": " << diags.error_count() << " error(s)\n";
        return 1;
    }
    std::cout << "configuration OK\n";
    return 0;
}

bool write_pidfile(const std::string& path) {
    std::ofstream f(path, std::ios::trunc);
    f << getpid() << "\n";
    return static_cast<bool>(f.flush());
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = daemon::parse_options(argc, argv);
    if (!parsed) {
        std::cerr << "superd: " << parsed.error() << "\n" << daemon::usage();
        return 2;
    }
    const daemon::Options& o = *parsed;
    if (o.version) {
        std::cout << "superd 0.1.0 (xinetd 2.3.15 configuration compatible)\n";
        return 0;
    }
    if (o.check_only) return check_config(o.config_path);

    common::LogOptions lo;
    if (o.log_stderr)
        lo.sink = common::LogOptions::Sink::stderr_sink;
    else if (!o.filelog.empty())
        lo.sink = common::LogOptions::Sink::file;
    else
        lo.sink = common::LogOptions::Sink::syslog;
    lo.file_path = o.filelog;
    if (o.syslog_facility) lo.syslog_facility = *o.syslog_facility;
    if (o.debug) lo.level = spdlog::level::debug;
    try {
        common::setup_logging(lo);
    } catch (const std::exception& e) {
        std::cerr << "superd: " << e.what() << "\n";
        return 1;
    }
    for (const auto& w : o.warnings)
        common::logger("superd")->warn("{}", w);

    daemon::ServerOptions so;
    so.config_path = o.config_path;
    so.stay_alive = o.stay_alive;
    so.process_limit = o.process_limit;
    so.mirror_records = o.log_stderr;
    so.hosts_allow = o.hosts_allow;
    so.hosts_deny = o.hosts_deny;
    so.control_path = o.control_path.empty() ? daemon::default_control_path() : o.control_path;
    daemon::Server server(so);
    if (!server.load()) return 1;

    if (!o.dont_fork) {
        // Sockets are bound before the parent returns, so a caller can connect at once.
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("superd: fork");
            return 1;
        }
        if (pid > 0) return 0;
        setsid();
        server.io().notify_fork(boost::asio::io_context::fork_child);
    }
    if (!o.pidfile.empty() && !write_pidfile(o.pidfile))
        common::logger("superd")->error("cannot write pid file {}", o.pidfile);
    int rc = server.run();
    if (!o.pidfile.empty()) ::unlink(o.pidfile.c_str());
    return rc;
}
