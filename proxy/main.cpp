// superd-proxy: a caching HTTP/1.1 forward proxy.
// args -> config -> sockets -> server -> run -> exit code.
//
//   superd-proxy [-N] [-d] -f FILE [--listen ADDR:PORT] [--idle-timeout S] [--log-file F]
//   superd-proxy -k parse -f FILE | -t -f FILE     check the config (file:line errors)
//   superd-proxy -z -f FILE                        create the cache_dir layout
//
// Under superd: a listening socket on fd 0 (stream, wait = yes) is served until idle; a
// connected one (wait = no) is served until its client leaves.
#include "proxy/cache.hpp"
#include "proxy/server.hpp"
#include "proxy/store.hpp"

#include "common/address.hpp"
#include "common/inetd_handoff.hpp"
#include "common/log.hpp"
#include "common/module_start.hpp"

#include <csignal>
#include <iostream>
#include <string_view>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace superd;
using namespace superd::proxy;
namespace asio = boost::asio;

namespace {

struct Options {
    bool foreground = false;
    bool log_stderr = false;
    bool check_only = false;
    bool create_cache = false;
    std::string config_path;
    std::string listen; // empty: the config's http_port lines (default 3128)
    std::string log_file;
    std::optional<int> idle_timeout;
};

const char* usage = "usage: superd-proxy [-N] [-d] -f FILE [--listen ADDR:PORT] [--idle-timeout S]"
                    " [--log-file F]\n"
                    "       superd-proxy -k parse -f FILE | -t -f FILE | -z -f FILE\n";

std::expected<Options, std::string> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::expected<std::string, std::string> {
            if (i + 1 >= argc) return std::unexpected(std::string(a) + " needs a value");
            return std::string(argv[++i]);
        };
        if (a == "-N") {
            o.foreground = true;
        } else if (a == "-d") {
            o.foreground = o.log_stderr = true;
        } else if (a == "-t") {
            o.check_only = true;
        } else if (a == "-z") {
            o.create_cache = true;
        } else if (a == "-k") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            if (*v != "parse") return std::unexpected("-k: only 'parse' is supported");
            o.check_only = true;
        } else if (a == "-f" || a == "--listen" || a == "--log-file" || a == "--idle-timeout") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            if (a == "-f") o.config_path = *v;
            if (a == "--listen") o.listen = *v;
            if (a == "--log-file") o.log_file = *v;
            if (a == "--idle-timeout") {
                auto s = common::parse_idle_timeout(*v);
                if (!s) return std::unexpected(s.error());
                o.idle_timeout = *s;
            }
        } else {
            return std::unexpected("unknown argument " + std::string(a));
        }
    }
    if (o.config_path.empty()) return std::unexpected("-f FILE is required");
    return o;
}

// --listen's "ADDR:PORT" / "[V6]:PORT" as Asio takes it.
std::optional<asio::ip::tcp::endpoint> listen_endpoint(const std::string& text) {
    auto where = common::Endpoint::parse(text);
    if (!where) return std::nullopt;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(where->address.str(), ec);
    if (ec) return std::nullopt;
    return asio::ip::tcp::endpoint(address, where->port);
}

std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
    return name;
}

// Each client, origin connection and object being written holds a descriptor: the soft limit
// is raised to max_filedescriptors (or, without it, to the hard limit), as squid does.
void raise_descriptor_limit(const Config& config, spdlog::logger& log) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    rlim_t want = limit.rlim_max;
    if (config.max_filedescriptors && config.max_filedescriptors->value > 0)
        want = static_cast<rlim_t>(config.max_filedescriptors->value);
    rlimit raised{want, std::max(want, limit.rlim_max)};
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) return;
    raised = {std::min(want, limit.rlim_max), limit.rlim_max}; // may not raise the hard one
    if (::setrlimit(RLIMIT_NOFILE, &raised) != 0 || raised.rlim_cur < want)
        log.warn("max_filedescriptors {}: the limit is {}", want, raised.rlim_cur);
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (!parsed) {
        std::cerr << "superd-proxy: " << parsed.error() << "\n" << usage;
        return 2;
    }
    const Options& o = *parsed;

    common::Diagnostics diags;
    Config config = load_config(o.config_path, diags);
    if (o.check_only || o.create_cache) {
        for (const auto& d : diags.all())
            std::cerr << d.str() << "\n";
        if (diags.has_errors()) {
            std::cerr << o.config_path << ": " << diags.error_count() << " error(s)\n";
            return 1;
        }
        if (o.check_only) {
            std::cout << "configuration OK\n";
            return 0;
        }
        if (!config.cache_dir) {
            std::cerr << "superd-proxy: -z: the config has no cache_dir\n";
            return 1;
        }
        const CacheDir& dir = *config.cache_dir;
        if (auto made = create_layout(dir.path, dir.l1, dir.l2); !made) {
            std::cerr << "superd-proxy: " << made.error() << "\n";
            return 1;
        }
        std::cout << "cache_dir " << dir.path << " ready\n";
        return 0;
    }

    const common::HandOff handoff = common::detect_handoff(0);
    const bool handed_over = handoff == common::HandOff::listening_stream ||
                             handoff == common::HandOff::connected_stream;
    std::string log_file = o.log_file;
    if (log_file.empty() && config.cache_log) log_file = config.cache_log->value;
    auto start = common::module_start("superd-proxy", log_file, o.log_stderr && !handed_over);
    try {
        common::setup_logging(start.log);
    } catch (const std::exception& e) {
        std::cerr << "superd-proxy: " << e.what() << "\n";
        return 1;
    }
    auto log = common::logger("proxy");
    for (const auto& d : diags.all()) {
        if (!handed_over) std::cerr << d.str() << "\n";
        if (handed_over || start.log.sink != common::LogOptions::Sink::stderr_sink)
            log->error("{}", d.str());
    }
    if (diags.has_errors()) {
        std::string why =
            o.config_path + ": " + std::to_string(diags.error_count()) + " error(s); not started";
        if (!handed_over) std::cerr << "superd-proxy: " << why << "\n";
        log->critical("{}", why);
        return 1;
    }
    ::signal(SIGPIPE, SIG_IGN); // a client gone mid-write is an error code, not a death
    raise_descriptor_limit(config, *log);

    ServerOptions so;
    so.visible_hostname = config.visible_hostname ? config.visible_hostname->value : host_name();
    so.idle_timeout = std::chrono::seconds(
        o.idle_timeout.value_or(handoff == common::HandOff::listening_stream ? 60 : 0));
    // One thread runs the loop (the cache's disk thread never touches it): no reactor locking.
    asio::io_context io{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
    Server server(io, config, so);

    std::string serving;
    std::expected<void, std::string> ready;
    if (handoff == common::HandOff::listening_stream) {
        ready = server.adopt_listener(0);
        serving = "the listening socket handed over by superd";
    } else if (handoff == common::HandOff::connected_stream) {
        ready = server.adopt_connection(0);
        serving = "the connection handed over by superd";
    } else if (!o.listen.empty()) {
        auto where = listen_endpoint(o.listen);
        if (!where) {
            std::cerr << "superd-proxy: --listen " << o.listen << ": not ADDR:PORT\n";
            return 2;
        }
        ready = server.listen(*where);
        serving = o.listen;
    } else if (config.http_ports.empty()) {
        ready = server.listen_all(3128);
        serving = "port 3128";
    } else {
        for (const HttpPort& p : config.http_ports) {
            // No address: every address, IPv4 and IPv6 (squid's default).
            ready = p.address ? server.listen({asio::ip::make_address(p.address->str()), p.port})
                              : server.listen_all(p.port);
            if (!ready) break;
            serving += (serving.empty() ? "" : ", ") + p.name;
        }
    }
    if (!ready) {
        if (!handed_over) std::cerr << "superd-proxy: " << ready.error() << "\n";
        log->critical("{}", ready.error());
        return 1;
    }
    log->info("superd-proxy 0.1 serving {}", serving);
    if (!o.foreground && !handed_over) {
        io.notify_fork(asio::io_context::fork_prepare);
        pid_t pid = ::fork();
        if (pid < 0) return 1;
        if (pid > 0) _exit(0);
        io.notify_fork(asio::io_context::fork_child);
        ::setsid();
    }
    // After the fork: the cache's disk thread and the store's locks belong to this process.
    auto store = attach_cache_dir(config, common::SystemClock::instance());
    if (!store) {
        // Serving without the disk cache beats not serving: squid refuses to start, but a
        // proxy started on demand by superd has nobody to tell but its log.
        log->error("{}; caching in memory only", store.error());
        store = std::unique_ptr<Store>();
    }
    server.use_cache(
        std::make_unique<Cache>(config, std::move(*store), common::SystemClock::instance(), log));
    return server.run();
}
