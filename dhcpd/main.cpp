// superd-dhcpd: a DHCPv4/BOOTP server. args -> config -> lease file -> server -> run -> exit code.
#include "dhcpd/config.hpp"
#include "dhcpd/lease_listing.hpp"
#include "dhcpd/options.hpp"
#include "dhcpd/server.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/module_start.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

using namespace superd;
using namespace superd::dhcp;

namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               common::SystemClock::instance().wall().time_since_epoch())
        .count();
}

int check_config(const Options& o) {
    common::Diagnostics diags;
    Config config = load_config(o.config_path, diags);
    for (const auto& d : diags.all())
        std::cerr << d.str() << "\n";
    if (diags.has_errors()) {
        std::cerr << o.config_path << ": " << diags.error_count() << " error(s)\n";
        return 1;
    }
    std::cout << o.config_path << ": " << config.subnets.size() << " subnet(s), "
              << config.hosts.size() << " host(s)\nconfiguration OK\n";
    return 0;
}

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// -T and --leases read the file without changing it (a running server owns it).
int read_leases(const Options& o) {
    auto text = read_whole(o.lease_path);
    if (!text) {
        std::cerr << "superd-dhcpd: " << o.lease_path << ": " << std::strerror(errno) << "\n";
        return 1;
    }
    ReplayResult r = parse_lease_file(*text);
    if (o.mode == Options::Mode::list_leases) {
        std::cout << (o.json ? leases_json(r.leases, unix_now())
                             : leases_table(r.leases, unix_now()));
        return 0;
    }
    for (const auto& s : r.skip_details)
        std::cerr << o.lease_path << ":" << s.line << ": " << s.reason << "\n";
    if (r.torn_tail)
        std::cerr << o.lease_path << ": the last entry is incomplete (cut at byte "
                  << r.complete_bytes << "); the server drops it at start-up\n";
    std::cout << o.lease_path << ": " << r.entries << " entries, " << r.leases.size()
              << " lease(s), " << r.skipped << " skipped\n";
    return r.skipped ? 1 : 0;
}

int facility_of(const std::string& name) {
    if (auto f = common::syslog_facility_from_name(name)) return *f;
    // dhcpd.conf(5) names three more than xinetd does.
    if (name == "kern") return LOG_KERN;
    if (name == "syslog") return LOG_SYSLOG;
    if (name == "cron") return LOG_CRON;
    return LOG_DAEMON;
}

bool write_pidfile(const std::string& path) {
    std::ofstream f(path, std::ios::trunc);
    f << ::getpid() << "\n";
    return static_cast<bool>(f.flush());
}

void null_stdio(bool also_stdin) {
    int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) return;
    if (also_stdin) ::dup2(fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (fd > 2) ::close(fd);
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse_options(argc, argv);
    if (!parsed) {
        std::cerr << "superd-dhcpd: " << parsed.error() << "\n" << usage();
        return 2;
    }
    Options o = *parsed;
    switch (o.mode) {
    case Options::Mode::check_config:
        return check_config(o);
    case Options::Mode::check_leases:
    case Options::Mode::list_leases:
        return read_leases(o);
    case Options::Mode::serve:
        break;
    }

    auto start = common::module_start("superd-dhcpd", o.log_file, o.log_stderr);
    bool handed_over = start.handed_over;
    common::LogOptions& lo = start.log;
    auto setup = [&] {
        try {
            common::setup_logging(lo);
            return true;
        } catch (const std::exception& e) {
            std::cerr << "superd-dhcpd: " << e.what() << "\n";
            return false;
        }
    };
    if (!setup()) return 1;
    auto log = common::logger("dhcpd");

    common::Diagnostics diags;
    Config config = load_config(o.config_path, diags);
    for (const auto& d : diags.all()) {
        // On a terminal as `-t` prints them; to the log as well when started without one.
        if (!handed_over) std::cerr << d.str() << "\n";
        if (handed_over || lo.sink != common::LogOptions::Sink::stderr_sink)
            log->error("{}", d.str());
    }
    if (diags.has_errors()) {
        std::string why =
            o.config_path + ": " + std::to_string(diags.error_count()) + " error(s); not started";
        if (!handed_over) std::cerr << "superd-dhcpd: " << why << "\n";
        log->critical("{}", why);
        return 1;
    }
    if (config.log_facility) {
        lo.syslog_facility = facility_of(config.log_facility->value);
        if (!setup()) return 1;
    }
    if (!o.quiet) log->info("superd-dhcpd 0.1.0 (ISC dhcpd.conf and dhcpd.leases compatible)");

    auto socket = handed_over ? DhcpSocket::adopt(0) : DhcpSocket::bind(o.port.value_or(67));
    if (!socket) {
        log->critical("{}", socket.error());
        return 1;
    }
    auto leases = LeaseFile::open(o.lease_path);
    if (!leases) {
        log->critical("{}", leases.error());
        return 1;
    }
    const ReplayResult& r = leases->replayed();
    for (const auto& s : r.skip_details)
        log->warn("{}:{}: {}: entry skipped", o.lease_path, s.line, s.reason);
    if (r.torn_tail)
        log->warn("{}: incomplete last entry (a crash while writing it) cut off", o.lease_path);
    log->info("{}: {} lease(s) from {} entries", o.lease_path, r.leases.size(), r.entries);

    ServerOptions so;
    so.interfaces = o.interfaces;
    so.idle_timeout =
        o.idle_timeout.value_or(handed_over ? std::chrono::seconds(60) : std::chrono::seconds(0));
    boost::asio::io_context io;
    Server server(io, config, std::move(*leases), std::move(*socket), so);
    if (auto ok = server.start(); !ok) {
        log->critical("{}", ok.error());
        return 1;
    }
    log->info("Listening on {}{}",
              handed_over ? std::string("the UDP socket handed over by superd")
                          : "UDP port " + std::to_string(o.port.value_or(67)),
              o.interfaces.empty() ? std::string(", all interfaces")
                                   : ", " + fmt::format("{}", fmt::join(o.interfaces, " ")));

    if (!o.foreground && !handed_over) {
        io.notify_fork(boost::asio::io_context::fork_prepare);
        pid_t pid = ::fork();
        if (pid < 0) {
            log->critical("fork: {}", std::strerror(errno));
            return 1;
        }
        if (pid > 0) _exit(0);
        io.notify_fork(boost::asio::io_context::fork_child);
        ::setsid();
        null_stdio(true);
    }
    if (!o.no_pid && !handed_over && !write_pidfile(o.pid_path))
        log->warn("{}: cannot write the pid file: {}", o.pid_path, std::strerror(errno));
    int status = server.run();
    if (!o.no_pid && !handed_over) ::unlink(o.pid_path.c_str());
    return status;
}
