#include "superd/options.hpp"

#include "common/log.hpp"

#include <charconv>
#include <string_view>

namespace superd::daemon {

const char* usage() {
    return "usage: superd [-f config] [-t] [-d] [-dontfork] [-stayalive] [-stderr]\n"
           "              [-pidfile file] [-filelog file | -syslog facility] [-limit N]\n"
           "              [--hosts-allow file] [--hosts-deny file] [--control socket]\n"
           "              [-version]\n";
}

std::expected<Options, std::string> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        auto value = [&](std::string_view name) -> std::expected<std::string, std::string> {
            if (i + 1 >= argc) return std::unexpected(std::string(name) + " needs a value");
            return std::string(argv[++i]);
        };
        if (a == "-f") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            o.config_path = *v;
        } else if (a == "-d") {
            o.debug = o.dont_fork = o.stay_alive = o.log_stderr = true;
        } else if (a == "-dontfork") {
            o.dont_fork = o.stay_alive = true;
        } else if (a == "-stayalive") {
            o.stay_alive = true;
        } else if (a == "-t") {
            o.check_only = true;
        } else if (a == "-stderr") {
            o.log_stderr = true;
        } else if (a == "-version" || a == "--version") {
            o.version = true;
        } else if (a == "-pidfile") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            o.pidfile = *v;
        } else if (a == "--hosts-allow" || a == "--hosts-deny") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            (a == "--hosts-allow" ? o.hosts_allow : o.hosts_deny) = *v;
        } else if (a == "--control") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            o.control_path = *v;
        } else if (a == "-filelog") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            o.filelog = *v;
        } else if (a == "-syslog") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            auto fac = common::syslog_facility_from_name(*v);
            if (!fac) return std::unexpected("-syslog: unknown facility '" + *v + "'");
            o.syslog_facility = *fac;
        } else if (a == "-limit") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            int n = 0;
            auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
            if (ec != std::errc{} || p != v->data() + v->size() || n <= 0)
                return std::unexpected("-limit needs a positive number, not '" + *v + "'");
            o.process_limit = n;
        } else if (a == "-logprocs" || a == "-cc") {
            auto v = value(a);
            if (!v) return std::unexpected(v.error());
            o.warnings.push_back(std::string(a) + " is accepted and ignored (superd's ident "
                                                  "queries run in its event loop)");
        } else if (a == "-reuse" || a == "-shutdownprocs") {
            o.warnings.push_back(std::string(a) + " is accepted and ignored, as in xinetd");
        } else if (a == "-inetd_compat") {
            return std::unexpected(
                "-inetd_compat is not supported: convert /etc/inetd.conf entries "
                "to service blocks");
        } else {
            return std::unexpected("unknown option '" + std::string(a) + "'");
        }
    }
    return o;
}

} // namespace superd::daemon
