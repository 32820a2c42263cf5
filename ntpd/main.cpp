// superd-ntpd: an NTPv4 server (and client of its upstreams). args -> config -> socket ->
// server + client -> run -> exit code.
//
//   superd-ntpd [-c FILE] [-t] [-n] [-d] [--listen ADDR:PORT] [--idle-timeout SECONDS]
//               [--log-file FILE]
//
// Under superd (a UDP socket on fd 0) it serves that socket until idle, starting from the state
// the last run left in the state file, so that the very first reply already carries the current
// stratum and refid.
#include "ntpd/client.hpp"
#include "ntpd/discipline.hpp"
#include "ntpd/policy.hpp"
#include "ntpd/server.hpp"
#include "ntpd/state_file.hpp"

#include "common/log.hpp"
#include "common/module_loop.hpp"
#include "common/module_start.hpp"

#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string_view>

#include <sys/stat.h>
#include <unistd.h>

using namespace superd;
using namespace superd::ntp;

namespace {

struct Options {
    bool foreground = false;
    bool log_stderr = false;
    bool check_only = false;
    std::string config_path; // empty: no config (serve unsynchronized, everyone)
    std::string listen = "0.0.0.0:123";
    std::string log_file;
    std::optional<int> idle_timeout;
};

const char* usage =
    "usage: superd-ntpd [-c FILE] [-t] [-n] [-d] [--listen ADDR:PORT] [--idle-timeout SECONDS]"
    " [--log-file FILE]\n";

std::expected<Options, std::string> parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::expected<std::string, std::string> {
            if (i + 1 >= argc) return std::unexpected(std::string(a) + " needs a value");
            return std::string(argv[++i]);
        };
        if (a == "-n") {
            o.foreground = true;
        } else if (a == "-d") {
            o.foreground = o.log_stderr = true;
        } else if (a == "-t") {
            o.check_only = true;
        } else if (a == "-c" || a == "--listen" || a == "--log-file" || a == "--idle-timeout") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            if (a == "-c") o.config_path = *v;
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
    if (o.check_only && o.config_path.empty()) return std::unexpected("-t needs -c FILE");
    return o;
}

// What the ntp.conf reader accepts but this daemon does not do: errors that name it, rather
// than a config that means something else here than under ntpd.
void check_supported(const Config& c, common::Diagnostics& diags) {
    for (const ServerLine& s : c.servers) {
        if (s.kind == ServerKind::peer)
            diags.error(s.where, "'peer' (symmetric mode) is not supported: use 'server'");
        if (s.truechimer) diags.error(s.where, "the 'true' option is not supported");
    }
    for (const InterfaceRule& r : c.interfaces)
        diags.error(r.where, "'interface' is not supported: superd-ntpd serves the socket superd "
                             "hands over, or the one --listen names");
    for (const Restrict& r : c.restricts)
        if (r.flags.has(RestrictFlag::mssntp) || r.flags.has(RestrictFlag::flake) ||
            r.flags.has(RestrictFlag::serverresponse_fuzz))
            diags.error(r.where, "restrict flags 'mssntp', 'flake' and 'serverresponse fuzz' are "
                                 "not supported");
    if (c.leapfile)
        diags.error(c.leapfile->where,
                    "'leapfile' is not supported: superd-ntpd passes on its upstream's leap "
                    "warning");
}

struct Loaded {
    Config config;
    std::shared_ptr<const KeyTable> keys = std::make_shared<KeyTable>();
};

Loaded load(const std::string& path, common::Diagnostics& diags) {
    Loaded l;
    if (path.empty()) return l;
    l.config = load_config(path, diags);
    check_supported(l.config, diags);
    if (l.config.keys_file) {
        const auto& where = l.config.keys_file->where;
        const std::string& file = l.config.keys_file->value;
        std::ifstream in(file, std::ios::binary);
        struct stat st {};
        if (!in || ::stat(file.c_str(), &st) != 0) {
            diags.error(where, "cannot read the keys file '" + file + "'");
        } else if (st.st_size > static_cast<off_t>(max_keys_file_bytes)) {
            diags.error(where, "'" + file + "' is too large for a keys file");
        } else {
            std::ostringstream text;
            text << in.rdbuf();
            l.keys = std::make_shared<KeyTable>(parse_keys(text.str(), file, diags));
            if ((st.st_mode & 0077) != 0)
                diags.warning(where, "'" + file + "' can be read by others (chmod 600 it)");
        }
    }
    for (const KeyRange& r : l.config.trusted_keys)
        for (std::uint32_t k = r.first; k <= r.last && r.last - r.first < 16; ++k)
            if (l.keys->find(k) == nullptr)
                diags.warning(r.where, "trusted key " + std::to_string(k) +
                                           " is not in the keys "
                                           "file");
    for (const ServerLine& s : l.config.servers)
        if (s.key && l.keys->find(*s.key) == nullptr)
            diags.error(s.where, "key " + std::to_string(*s.key) + " is not in the keys file");
    return l;
}

std::int64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The discipline runs only when the config says `enable ntp` in so many words: superd-ntpd
// serves time first, and a lab host's clock is usually someone else's to set (ntpd's default
// is the other way round).
bool discipline_wanted(const Config& c) {
    for (auto it = c.system_flags.rbegin(); it != c.system_flags.rend(); ++it)
        if (it->flag == SystemFlag::ntp) return it->enabled;
    return false;
}

// As ntpq shows it: four letters for a reference clock (the local clock's LOCL) and for the
// stratum 0/1/16 codes, else the upstream's address (or its IPv6 hash) as a dotted quad.
std::string refid_text(const SystemState& s, bool from_clock) {
    std::uint32_t id = s.reference_id;
    if (from_clock || s.stratum <= 1 || s.stratum >= 16) {
        std::string text;
        for (int shift = 24; shift >= 0; shift -= 8)
            if (char c = static_cast<char>(id >> shift); c != 0) text += c;
        return text;
    }
    return std::to_string(id >> 24) + "." + std::to_string((id >> 16) & 255) + "." +
           std::to_string((id >> 8) & 255) + "." + std::to_string(id & 255);
}

// Serves the client's view, or the restored state while the client is still finding its
// sources (the first `restore_hold` after start-up) and the restored one is the better stratum.
class Publisher {
  public:
    static constexpr std::int64_t restore_hold_ns = 64'000'000'000;
    static constexpr std::int64_t drift_interval_ns = 3600'000'000'000;
    static constexpr std::int64_t drift_minimum_ns = 900'000'000'000;

    Publisher(Server& server, std::string state_path, std::string drift_path, double maxdist,
              std::optional<SavedState> restored, std::int8_t precision,
              std::shared_ptr<spdlog::logger> log)
        : server_(server)
        , state_path_(std::move(state_path))
        , drift_path_(std::move(drift_path))
        , maxdist_(maxdist)
        , restored_(std::move(restored))
        , precision_(precision)
        , started_ns_(monotonic_ns())
        , log_(std::move(log)) {}

    void set_discipline(Discipline* d) { discipline_ = d; }

    void publish(const ClientView& view) {
        ClientView served = view;
        bool from_upstream = false;
        if (view.details.system_peer_id != 0) {
            const PeerStatus& p = view.peers.at(view.details.system_peer_id - 1);
            from_upstream = !p.local_clock;
            if (discipline_ && from_upstream && p.last_update_ns != last_sample_ns_) {
                last_sample_ns_ = p.last_update_ns;
                discipline_->slew(view.details.offset);
            }
        }
        if (restored_ && !from_upstream && monotonic_ns() - started_ns_ < restore_hold_ns) {
            auto state = restore(*restored_, wall_now_ns(), maxdist_);
            if (state && state->stratum < view.state.stratum) {
                served.state = *state;
                served.state.precision = precision_;
            }
        } else {
            restored_.reset();
        }
        server_.set_view(served);
        if (view.details.frequency_ppm != 0) {
            frequency_ppm_ = view.details.frequency_ppm;
            // As ntpd: once an hour (and at exit), each file whole; never an estimate from a
            // few minutes of samples, which noise dominates.
            std::int64_t now = monotonic_ns();
            if (now - std::max(drift_written_ns_, started_ns_) >= drift_interval_ns) {
                drift_written_ns_ = now;
                flush();
            }
        }
        save(served.state, view);
    }

    // The frequency estimate into the driftfile, whole; at exit only after a quarter of an hour
    // of watching.
    void flush() {
        if (!drift_path_.empty() && frequency_ppm_ &&
            monotonic_ns() - started_ns_ >= drift_minimum_ns) {
            // Disciplined, what was measured is what is left over from the kernel's frequency.
            double ppm = *frequency_ppm_ + (discipline_ ? discipline_->frequency_ppm() : 0.0);
            if (auto w = write_drift_file(drift_path_, std::clamp(ppm, -500.0, 500.0)); !w)
                log_->error("driftfile: {}", w.error());
        }
    }

  private:
    void save(const SystemState& s, const ClientView& view) {
        if (state_path_.empty()) return;
        bool changed = s.stratum != last_.stratum || s.reference_id != last_.reference_id ||
                       s.leap != last_.leap || s.reference_time != last_.reference_time;
        if (changed) {
            log_change(s, view);
            SavedState saved{wall_now_ns(), s, {}};
            if (view.details.system_peer_id != 0)
                saved.system_peer = view.peers.at(view.details.system_peer_id - 1).name;
            if (auto w = write_state_file(state_path_, saved); !w)
                log_->error("state file: {}", w.error());
        }
        last_ = s;
    }

    void log_change(const SystemState& s, const ClientView& view) {
        if (s.stratum == last_.stratum && s.reference_id == last_.reference_id &&
            s.leap == last_.leap)
            return;
        if (s.stratum >= 16)
            log_->warn("unsynchronized (stratum 16)");
        else
            log_->info(
                "serving stratum {}, refid {}", s.stratum,
                refid_text(s, view.details.system_peer_id != 0 &&
                                  view.peers.at(view.details.system_peer_id - 1).local_clock));
    }

    Server& server_;
    std::string state_path_, drift_path_;
    double maxdist_;
    std::optional<SavedState> restored_;
    std::int8_t precision_;
    std::int64_t started_ns_;
    std::shared_ptr<spdlog::logger> log_;
    Discipline* discipline_ = nullptr;
    std::int64_t last_sample_ns_ = 0;
    SystemState last_{.stratum = 0};
    std::optional<double> frequency_ppm_;
    std::int64_t drift_written_ns_ = 0;
};

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (!parsed) {
        std::cerr << "superd-ntpd: " << parsed.error() << "\n" << usage;
        return 2;
    }
    const Options& o = *parsed;

    common::Diagnostics diags;
    Loaded loaded = load(o.config_path, diags);
    if (o.check_only) {
        for (const auto& d : diags.all())
            std::cerr << d.str() << "\n";
        if (diags.has_errors()) {
            std::cerr << o.config_path << ": " << diags.error_count() << " error(s)\n";
            return 1;
        }
        std::cout << o.config_path << ": " << loaded.config.servers.size() << " server(s), "
                  << loaded.config.restricts.size() << " restrict line(s), " << loaded.keys->size()
                  << " key(s)\nconfiguration OK\n";
        return 0;
    }
    const Config& config = loaded.config;

    std::string log_file = o.log_file;
    if (log_file.empty() && config.logfile) log_file = config.logfile->value;
    auto start = common::module_start("superd-ntpd", log_file, o.log_stderr);
    bool handed_over = start.handed_over;
    const common::LogOptions& lo = start.log;
    try {
        common::setup_logging(lo);
    } catch (const std::exception& e) {
        std::cerr << "superd-ntpd: " << e.what() << "\n";
        return 1;
    }
    auto log = common::logger("ntpd");
    for (const auto& d : diags.all()) {
        // On a terminal as `-t` prints them; to the log as well when started without one.
        if (!handed_over) std::cerr << d.str() << "\n";
        if (handed_over || lo.sink != common::LogOptions::Sink::stderr_sink)
            log->error("{}", d.str());
    }
    if (diags.has_errors()) {
        std::string why =
            o.config_path + ": " + std::to_string(diags.error_count()) + " error(s); not started";
        if (!handed_over) std::cerr << "superd-ntpd: " << why << "\n";
        log->critical("{}", why);
        return 1;
    }

    std::expected<NtpSocket, std::string> socket = std::unexpected("");
    if (handed_over) {
        socket = NtpSocket::adopt(0);
    } else {
        auto where = common::Endpoint::parse(o.listen);
        if (!where) {
            std::cerr << "superd-ntpd: --listen " << o.listen << ": not ADDR:PORT\n";
            return 2;
        }
        socket = NtpSocket::bind(where->address, where->port);
    }
    if (!socket) {
        log->critical("{}", socket.error());
        return 1;
    }

    const std::int8_t precision = measure_precision();
    const std::string drift_path = config.driftfile ? config.driftfile->value : "";
    const std::string state_path =
        config.statefile ? config.statefile->value : default_state_path(drift_path);
    std::optional<SavedState> restored;
    if (!state_path.empty()) {
        auto read = read_state_file(state_path);
        if (!read)
            log->warn("{}; starting without it", read.error());
        else
            restored = *read;
    }

    auto policy = std::make_shared<Policy>(Policy::from_config(config, *loaded.keys));
    AccessPolicy access = [policy](const common::IpAddress& peer, std::uint16_t port,
                                   const Packet& request, std::int64_t now_ns) {
        return policy->decide(peer, port, request, now_ns);
    };
    MacSigner signer = [policy](std::uint32_t key, std::span<const std::uint8_t> covered) {
        return policy->sign(key, covered);
    };
    SystemState unsynchronized;
    unsynchronized.precision = precision;
    ServerOptions so;
    so.idle_timeout = std::chrono::seconds(o.idle_timeout.value_or(handed_over ? 60 : 0));
    boost::asio::io_context io;
    Server server(io, std::move(*socket), unsynchronized, std::move(access), std::move(signer), so);
    server.set_control_policy([policy](const common::IpAddress& peer, std::uint16_t port) {
        return policy->control_allowed(peer, port);
    });

    SystemOptions system = system_options_from(config, precision);
    Publisher publisher(server, state_path, drift_path, system.limits.maxdist, restored, precision,
                        log);
    std::unique_ptr<Discipline> discipline;
    if (discipline_wanted(config)) {
        discipline = std::make_unique<Discipline>(
            log, config.tinker_panic ? config.tinker_panic->value : 1000.0);
        if (!drift_path.empty()) {
            auto drift = read_drift_file(drift_path);
            if (!drift)
                log->warn("{}", drift.error());
            else if (*drift)
                discipline->set_frequency(**drift);
        }
        publisher.set_discipline(discipline.get());
    }

    ClientOptions co;
    co.system = system;
    co.keys = loaded.keys;
    std::unique_ptr<Client> client;
    try {
        client =
            std::make_unique<Client>(io, upstreams_from(config), co,
                                     [&publisher](const ClientView& v) { publisher.publish(v); });
    } catch (const std::exception& e) {
        log->critical("{}", e.what());
        return 1;
    }
    server.start();
    client->start();
    // Upstreams named by host name have their addresses now: `restrict source` covers them too.
    for (const PeerStatus& p : client->view().peers)
        if (!p.local_clock && p.address != common::IpAddress{}) policy->add_source(p.address);
    log->info("superd-ntpd 0.1.0 serving {} (precision 2^{} s, {} upstream(s))",
              handed_over ? std::string("the socket handed over by superd") : o.listen, precision,
              config.servers.size());
    if (!o.foreground && !handed_over) {
        io.notify_fork(boost::asio::io_context::fork_prepare);
        pid_t pid = ::fork();
        if (pid < 0) return 1;
        if (pid > 0) _exit(0);
        io.notify_fork(boost::asio::io_context::fork_child);
        ::setsid();
    }
    int rc = server.run();
    publisher.flush();
    log->info("client counters:{}", common::format_counters(client->counters()));
    return rc;
}
