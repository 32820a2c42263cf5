#pragma once
// The xinetd configuration model: what superd.conf (xinetd.conf syntax) says, per service and
// for the defaults, each value remembering where it was written.
#include "common/address.hpp"
#include "common/diagnostics.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/types.h>

namespace superd::daemon {

using common::Diagnostics;
using common::SourceLocation;

enum class SocketType { stream, dgram, raw, seqpacket };
const char* to_string(SocketType t);

// `type` attribute bits.
enum TypeBits : unsigned {
    type_rpc = 1u << 0,
    type_internal = 1u << 1,
    type_unlisted = 1u << 2,
    type_special = 1u << 3,
    type_tcpmux = 1u << 4,
    type_tcpmuxplus = 1u << 5,
};

// `flags` attribute bits.
enum FlagBits : unsigned {
    flag_reuse = 1u << 0,
    flag_intercept = 1u << 1,
    flag_noretry = 1u << 2,
    flag_idonly = 1u << 3,
    flag_nameinargs = 1u << 4,
    flag_nodelay = 1u << 5,
    flag_keepalive = 1u << 6,
    flag_nolibwrap = 1u << 7,
    flag_sensor = 1u << 8,
    flag_ipv4 = 1u << 9,
    flag_ipv6 = 1u << 10,
    flag_labeled = 1u << 11,
};

// log_on_success / log_on_failure bits.
enum LogBits : unsigned {
    log_pid = 1u << 0,
    log_host = 1u << 1,
    log_userid = 1u << 2,
    log_exit = 1u << 3,
    log_duration = 1u << 4,
    log_traffic = 1u << 5,
    log_attempt = 1u << 6,
};

struct LogType {
    enum class Kind { none, syslog, file };
    Kind kind = Kind::none;
    int facility = 3 << 3; // LOG_DAEMON
    int level = 6;         // LOG_INFO
    std::string path;
    std::uint64_t soft_limit = 0; // 0: no size control
    std::uint64_t hard_limit = 0;
    bool operator==(const LogType&) const = default;
};

// One entry of only_from / no_access, as written.
struct AddressPattern {
    enum class Kind { cidr, host, domain };
    Kind kind = Kind::cidr;
    common::Cidr cidr; // Kind::cidr (numeric, trailing-.0 wildcards, a/n, factorized)
    std::string name;  // Kind::host (exact name) or Kind::domain (".example.com")
    std::string text;  // as written, for -= and for messages
    bool operator==(const AddressPattern& o) const { return text == o.text; }
};

struct TimeInterval {
    int start_minute = 0; // minutes since midnight, inclusive
    int end_minute = 0;   // inclusive
};

struct Rlimit {
    bool set = false;
    rlim_t value = RLIM_INFINITY;
};

constexpr int unlimited = -1;

// Attributes that hold a set of values and take = += -=.
struct ListAttributes {
    unsigned log_on_success = 0;
    unsigned log_on_failure = 0;
    std::vector<AddressPattern> only_from;
    bool only_from_given = false; // "only_from =" with no values means nobody
    std::vector<AddressPattern> no_access;
    std::vector<std::string> passenv;
    bool passenv_given = false;
    std::vector<TimeInterval> access_times;
    std::string banner, banner_success, banner_fail;
};

struct ServiceConfig {
    std::string name;
    std::string id;
    SourceLocation where;                        // the `service NAME` line
    std::map<std::string, SourceLocation> given; // attribute -> where it was first set

    SocketType socket_type = SocketType::stream;
    int protocol = 0; // IPPROTO_TCP / IPPROTO_UDP / ...
    std::string protocol_name;
    bool wait = false;
    std::string user;
    std::optional<uid_t> uid;
    std::optional<gid_t> gid;
    bool group_given = false;
    std::string server;
    std::vector<std::string> server_args;
    int instances = unlimited;
    int per_source = unlimited;
    unsigned cps_rate = 50;
    unsigned cps_disable_seconds = 10;
    double max_load = 0; // 0: none
    LogType log_type;
    ListAttributes lists;
    unsigned type = 0;
    unsigned flags = 0;
    std::uint16_t port = 0;
    std::vector<std::string> env; // NAME=value
    std::string rpc_version;
    int rpc_number = 0;
    std::optional<int> nice;
    std::optional<std::string> redirect_host;
    std::optional<common::IpAddress> redirect_address;
    std::uint16_t redirect_port = 0;
    std::optional<std::string> bind;
    std::optional<common::IpAddress> bind_address;
    bool groups = false;
    bool disable = false;
    Rlimit rlimit_as, rlimit_cpu, rlimit_data, rlimit_rss, rlimit_stack, rlimit_files;
    std::optional<bool> v6only;
    int deny_time = 0;
    std::optional<mode_t> umask;
    std::string libwrap;

    bool has(const std::string& attribute) const { return given.contains(attribute); }
    bool is_internal() const { return type & type_internal; }
    bool is_tcpmux_client() const { return type & (type_tcpmux | type_tcpmuxplus); }
    bool uses_ipv6() const; // the address family xinetd would choose
    // argv for the server: honours NAMEINARGS whatever the order it was written in.
    std::vector<std::string> argv() const;
};

struct DefaultsConfig {
    std::map<std::string, SourceLocation> given;
    LogType log_type;
    ListAttributes lists;
    std::optional<int> instances, per_source;
    std::optional<std::pair<unsigned, unsigned>> cps;
    std::optional<double> max_load;
    std::optional<std::string> bind;
    std::optional<common::IpAddress> bind_address;
    std::optional<bool> groups, v6only;
    std::optional<mode_t> umask;
    std::set<std::string> enabled, disabled;
    bool enabled_given = false;
    // superd's own: the tcp-wrappers tables (absolute; empty: libwrap's /etc/hosts.allow|deny).
    std::string hosts_allow, hosts_deny;
    bool has(const std::string& attribute) const { return given.contains(attribute); }
};

struct Config {
    DefaultsConfig defaults;
    std::vector<ServiceConfig> services;   // the services that survived every check
    std::vector<std::string> disabled_ids; // `disable = yes` or not in `enabled`
    bool fatal = false; // an error that stops superd (unreadable file, bad defaults)
};

// Reads the configuration as xinetd does: broken entries are dropped with a file:line reason
// in diags (as errors), the rest is kept; warnings note what xinetd would ignore.
Config load_config(const std::string& path, Diagnostics& diags);

// Attributes accepted for compatibility whose effect is not built yet.
const std::set<std::string>& attributes_not_yet_effective();

} // namespace superd::daemon
