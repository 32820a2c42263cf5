#pragma once
// superd-dhcpd's command line: ISC dhcpd's flags (-f -d -q -t -T -cf -lf -pf -p, interfaces)
// plus our own long options.
#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

namespace superd::dhcp {

struct Options {
    enum class Mode { serve, check_config, check_leases, list_leases };
    Mode mode = Mode::serve;
    bool foreground = false; // -f
    bool log_stderr = false; // -d (implies -f)
    bool quiet = false;      // -q
    bool json = false;       // --json with --leases
    bool no_pid = false;     // --no-pid
    std::string config_path = "/etc/superd/dhcpd.conf";
    std::string lease_path = "/var/lib/superd/dhcpd.leases";
    std::string pid_path = "/run/superd-dhcpd.pid";
    std::string log_file; // --log-file
    std::optional<std::uint16_t> port;
    std::optional<std::chrono::seconds> idle_timeout;
    std::vector<std::string> interfaces;
};

std::expected<Options, std::string> parse_options(int argc, const char* const* argv);
std::string usage();

} // namespace superd::dhcp
