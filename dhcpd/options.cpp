#include "dhcpd/options.hpp"

#include <charconv>
#include <string_view>

namespace superd::dhcp {

namespace {

template <class T> std::optional<T> number(std::string_view s, T max) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v > max) return std::nullopt;
    return v;
}

} // namespace

std::string usage() {
    return "usage: superd-dhcpd [-4] [-f] [-d] [-q] [-cf CONFIG] [-lf LEASEFILE] [-pf PIDFILE]\n"
           "                    [--no-pid] [-p PORT] [--idle-timeout SECONDS]\n"
           "                    [--log-file FILE] [interface ...]\n"
           "       superd-dhcpd -t [-cf CONFIG]       check the configuration\n"
           "       superd-dhcpd -T [-lf LEASEFILE]    check the lease file\n"
           "       superd-dhcpd --leases [--json] [-lf LEASEFILE]\n";
}

std::expected<Options, std::string> parse_options(int argc, const char* const* argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&]() -> std::expected<std::string, std::string> {
            if (i + 1 >= argc) return std::unexpected(std::string(a) + " needs a value");
            return std::string(argv[++i]);
        };
        auto set = [&](std::string& field) -> std::expected<void, std::string> {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            field = *v;
            return {};
        };
        std::expected<void, std::string> ok;
        if (a == "-4") {
        } else if (a == "-6") {
            return std::unexpected("-6: DHCPv6 is not supported");
        } else if (a == "-f") {
            o.foreground = true;
        } else if (a == "-d") {
            o.log_stderr = o.foreground = true;
        } else if (a == "-q") {
            o.quiet = true;
        } else if (a == "-t") {
            o.mode = Options::Mode::check_config;
        } else if (a == "-T") {
            o.mode = Options::Mode::check_leases;
        } else if (a == "--leases") {
            o.mode = Options::Mode::list_leases;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--no-pid") {
            o.no_pid = true;
        } else if (a == "-cf") {
            ok = set(o.config_path);
        } else if (a == "-lf") {
            ok = set(o.lease_path);
        } else if (a == "-pf") {
            ok = set(o.pid_path);
        } else if (a == "--log-file") {
            ok = set(o.log_file);
        } else if (a == "-p") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            auto port = number<std::uint16_t>(*v, 65534);
            if (!port || *port == 0) return std::unexpected("-p: not a port: " + *v);
            o.port = *port;
        } else if (a == "--idle-timeout") {
            auto v = value();
            if (!v) return std::unexpected(v.error());
            auto s = number<std::uint32_t>(*v, 86400);
            if (!s) return std::unexpected("--idle-timeout: not a number of seconds: " + *v);
            o.idle_timeout = std::chrono::seconds(*s);
        } else if (a.starts_with("-")) {
            return std::unexpected("unknown option " + std::string(a));
        } else {
            o.interfaces.emplace_back(a);
        }
        if (!ok) return std::unexpected(ok.error());
    }
    if (o.json && o.mode != Options::Mode::list_leases)
        return std::unexpected("--json goes with --leases");
    return o;
}

} // namespace superd::dhcp
