#pragma once
// superd's command line: xinetd's options, plus -t (check) and -stderr.
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace superd::daemon {

struct Options {
    std::string config_path = "/etc/superd.conf";
    bool debug = false;      // -d: foreground, debug messages on stderr
    bool dont_fork = false;  // -dontfork: foreground (implies -stayalive)
    bool stay_alive = false; // -stayalive: keep running with no services
    bool check_only = false; // -t: check the config, print what would be served, exit
    bool log_stderr = false; // -stderr: superd's messages and service records on stderr
    bool version = false;
    std::string pidfile;
    std::string filelog;
    std::optional<int> syslog_facility;
    int process_limit = 0;
    std::string hosts_allow, hosts_deny; // --hosts-allow / --hosts-deny: win over the config
    std::string control_path;            // --control: superctl's socket (default_control_path())
    std::vector<std::string> warnings;   // accepted-but-ignored options
};

std::expected<Options, std::string> parse_options(int argc, char** argv);
const char* usage();

} // namespace superd::daemon
