#pragma once
// The squid.conf subset superd-proxy understands (squid 5/6, squid.conf.documented semantics),
// parsed into plain structs. Every statement keeps its file:line; every problem goes to a
// Diagnostics (all of them, never only the first). A squid directive or option that
// superd-proxy does not implement is an error that names it, never silently ignored. No
// sockets, no name resolution, no logging.
//
// Syntax: one directive per line; a word starting with `#` starts a comment to the end of the
// line, as squid's tokenizer does (a `#` inside a word is data: regexes may hold one); a line
// ending in `\` continues on the next. Relative paths (include, acl value files) are relative to
// the including file.
//
// The result is built once and shared read-only; reload parses a new one and swaps it in only
// when it has no errors.
#include "common/address.hpp"
#include "common/diagnostics.hpp"
#include "proxy/acl.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace superd::proxy {

// A value and the statement that set it; `where.line == 0` means squid's default.
template <class T> struct Setting {
    T value{};
    SourceLocation where;
};

inline constexpr std::uint64_t KiB = 1024;
inline constexpr std::uint64_t MiB = 1024 * KiB;
inline constexpr std::uint64_t GiB = 1024 * MiB;

// `http_port [ADDR:]PORT [name=X]`; several lines listen on several sockets.
struct HttpPort {
    std::optional<common::IpAddress> address; // none: every address (squid's default)
    std::uint16_t port = 0;
    std::string name; // `name=`; defaults to the text of [ADDR:]PORT
    SourceLocation where;
};

// `cache_dir ufs DIR MB L1 L2 [no-store] [min-size=N] [max-size=N]`. One is supported (a
// second line is an error); with none the cache lives in memory only, as in squid 3.1+.
struct CacheDir {
    std::string path;
    std::uint64_t size_mb = 0;
    int l1 = 16;
    int l2 = 256;
    bool no_store = false;                 // read the objects there, store no new ones
    std::uint64_t min_size = 0;            // bytes; objects smaller are not stored on disk
    std::optional<std::uint64_t> max_size; // bytes; none: maximum_object_size
    SourceLocation where;
};

// `refresh_pattern [-i] REGEX MIN PERCENT MAX`, no options. The first whose regex matches the
// URL applies; none matching: squid's built-in 0 20% 4320 (refresh_defaults below).
struct RefreshPattern {
    Regex regex;
    std::int64_t min_minutes = 0;
    double percent = 20; // of the object's age since Last-Modified
    std::int64_t max_minutes = 4320;
    SourceLocation where;
};
RefreshPattern refresh_defaults();

// `access_log stdio:PATH|PATH|none [squid|logformat=squid] [ACL ...]`.
struct AccessLog {
    std::string path;         // empty for `none`
    std::vector<AclRef> acls; // requests logged here: all of them match (empty: every request)
    SourceLocation where;
};

enum class ForwardedFor { on, off, transparent, delete_header, truncate };
std::string_view to_string(ForwardedFor value);

// `cache_peer HOST parent HTTP_PORT ICP_PORT [options]`: a parent proxy. We speak no ICP, so
// every peer is used as if `no-query` were given.
struct CachePeer {
    std::string host; // as written: a numeric address or a name, resolved by the caller
    std::uint16_t http_port = 0;
    std::uint16_t icp_port = 0;
    std::string name;                 // `name=`; defaults to host; unique among peers
    bool no_query = false;            // `no-query`
    bool default_parent = false;      // `default`: the last resort parent
    bool proxy_only = false;          // `proxy-only`: do not cache what comes from this peer
    std::optional<std::string> login; // `login=user:password` (Basic) or `login=PASSTHRU`
    std::optional<std::chrono::seconds> connect_timeout; // `connect-timeout=N`
    int weight = 1;                                      // `weight=N`
    std::vector<AccessRule> access; // `cache_peer_access NAME allow|deny ACL...` lines
    SourceLocation where;
};

// `reply_body_max_size SIZE UNITS [ACL ...]`: the first line whose ACLs match sets the limit.
struct ReplyBodyLimit {
    std::uint64_t bytes = 0;
    std::vector<AclRef> acls;
    SourceLocation where;
};

struct Config {
    std::vector<HttpPort> http_ports; // none: the module's --listen or inetd socket
    AclTable acls;
    std::vector<AccessRule> http_access; // none: deny everything (squid)
    std::vector<AccessRule> cache;       // none: cache everything cacheable
    Setting<std::uint64_t> cache_mem{256 * MiB, {}};
    Setting<std::uint64_t> maximum_object_size{4 * MiB, {}};
    Setting<std::uint64_t> maximum_object_size_in_memory{512 * KiB, {}};
    std::optional<CacheDir> cache_dir;
    std::vector<RefreshPattern> refresh_patterns; // in file order
    std::vector<AccessLog> access_logs;           // none: the module's default log
    std::optional<Setting<std::string>> cache_log;
    std::optional<Setting<std::string>> visible_hostname; // none: the host's name
    Setting<ForwardedFor> forwarded_for{ForwardedFor::on, {}};
    Setting<bool> via{true, {}};
    // superd's own: serve a PAC file naming this proxy at /wpad.dat and /proxy.pac (proxy/pac.hpp).
    Setting<bool> proxy_auto_config{false, {}};
    std::vector<CachePeer> cache_peers;
    Setting<std::uint64_t> request_header_max_size{64 * KiB, {}};
    Setting<std::uint64_t> request_body_max_size{0, {}}; // 0: no limit
    std::vector<ReplyBodyLimit> reply_body_max_size;     // none: no limit
    Setting<std::chrono::seconds> client_lifetime{std::chrono::hours(24), {}};
    Setting<std::chrono::seconds> read_timeout{std::chrono::minutes(15), {}};
    Setting<std::chrono::seconds> connect_timeout{std::chrono::minutes(1), {}};
    Setting<std::chrono::seconds> request_timeout{std::chrono::minutes(5), {}};
    Setting<std::chrono::seconds> client_idle_pconn_timeout{std::chrono::minutes(2), {}};
    Setting<std::chrono::seconds> server_idle_pconn_timeout{std::chrono::minutes(1), {}};
    std::optional<Setting<int>> max_filedescriptors; // none: the process's limit
    // Connections one client address may hold open at once; 0: no limit (squid's -1).
    Setting<int> client_ip_max_connections{0, {}};

    AccessResult check_http_access(const RequestFacts& facts) const {
        return check_access(http_access, acls, facts, Action::deny);
    }
    AccessResult check_cache(const RequestFacts& facts) const {
        return check_access(cache, acls, facts, Action::allow);
    }
    // The first refresh_pattern matching the URL, or nullptr (then use refresh_defaults()).
    const RefreshPattern* refresh_pattern_for(const std::string& url) const;
    // The limit of the first reply_body_max_size line that matches; nullopt: no limit.
    std::optional<std::uint64_t> reply_body_limit(const RequestFacts& facts) const;
    const CachePeer* find_peer(std::string_view name) const;
};

// Parses the file at `path` and what it includes. Errors go to diags as "file:line: message";
// the config is usable only when !diags.has_errors(). Never throws for bad input.
Config load_config(const std::string& path, common::Diagnostics& diags);

} // namespace superd::proxy
