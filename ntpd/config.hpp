#pragma once
// The ntp.conf subset superd-ntpd understands (ntp.conf(5) of ntpd 4.2.8 and ntpsec), parsed into
// plain structs. Every statement keeps its file:line; every problem goes to a Diagnostics (all of
// them, never only the first). A directive or option ntpd knows but superd-ntpd does not
// implement is an error that names it, never silently ignored. No sockets, no name resolution,
// no logging: the daemon decides what to print.
//
// The result is meant to be built once and then shared read-only (e.g. shared_ptr<const Config>):
// reload parses a new one and swaps it in only when it has no errors.
#include "common/address.hpp"
#include "common/diagnostics.hpp"
#include "ntpd/rate_limit.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::ntp {

using common::SourceLocation;

// A value and the statement that set it.
template <class T> struct Setting {
    T value{};
    SourceLocation where;
};

// `-4` / `-6` on server and restrict lines.
enum class Family { any, ipv4, ipv6 };

enum class ServerKind { server, pool, peer };
std::string_view to_string(ServerKind kind);

// `fudge 127.127.1.u stratum N refid TEXT` for the local clock.
struct Fudge {
    std::optional<int> stratum;       // 0..15; the driver's default is 5
    std::optional<std::string> refid; // 1..4 characters; the default is "LOCL"
    SourceLocation where;             // the last fudge line for this clock
};

// One `server`, `pool` or `peer` line.
struct ServerLine {
    ServerKind kind = ServerKind::server;
    std::string address; // as written: a numeric address or a host name
    std::optional<common::IpAddress>
        ip;                           // when `address` is numeric (names are never resolved here)
    Family family = Family::any;      // `-4` / `-6`: which of a name's addresses to use
    bool iburst = false;              // a burst of packets while unreachable
    bool burst = false;               // a burst of packets at each poll while reachable
    bool prefer = false;              // preferred in the mitigation
    bool noselect = false;            // polled and shown, never selected
    bool truechimer = false;          // `true`: always survives the selection
    int minpoll = 6;                  // log2 s, 3..17; the one not written follows the other
    int maxpoll = 10;                 //   when only one of them is (minpoll <= maxpoll)
    std::optional<std::uint32_t> key; // `key N`, 1..65535: symmetric key for the packets
    int version = 4;                  // `version N`, 1..4
    std::optional<Fudge> fudge;       // the local clock only
    SourceLocation where;

    // 127.127.1.u: ntpd's undisciplined local clock (driver 1, LOCAL), the one reference clock
    // supported. The server then serves at local_clock_stratum() + 1, as ntpd does.
    bool is_local_clock() const;
    int local_clock_stratum() const { return fudge && fudge->stratum ? *fudge->stratum : 5; }
};

// The restrict flags (ntp.conf(5) "Access Control Commands"), one bit each.
enum class RestrictFlag : std::uint32_t {
    ignore = 1u << 0,               // drop every packet
    noserve = 1u << 1,              // no time service (mode 6 queries are still answered)
    nomodify = 1u << 2,             // no mode 6/7 queries that change the server
    noquery = 1u << 3,              // no mode 6/7 queries at all
    nopeer = 1u << 4,               // no new unauthenticated symmetric associations
    noepeer = 1u << 5,              // no new ephemeral symmetric associations (ntpd 4.2.8p9)
    notrap = 1u << 6,               // no mode 6 trap service
    lowpriotrap = 1u << 7,          // traps from here are low priority
    limited = 1u << 8,              // rate-limited by `discard`
    kod = 1u << 9,                  // send a kiss-o'-death instead of dropping
    nomrulist = 1u << 10,           // no mrulist queries
    notrust = 1u << 11,             // unauthenticated packets are refused
    version = 1u << 12,             // refuse other NTP versions than ours
    ntpport = 1u << 13,             // match modifier: only packets from source port 123
    mssntp = 1u << 14,              // MS-SNTP signing (kept; superd-ntpd has no signd)
    flake = 1u << 15,               // drop 10% of packets (a test aid)
    serverresponse_fuzz = 1u << 16, // `serverresponse fuzz`: fuzz the low bits of the time
};

struct RestrictFlags {
    std::uint32_t bits = 0;

    constexpr bool has(RestrictFlag f) const { return (bits & static_cast<std::uint32_t>(f)) != 0; }
    constexpr bool empty() const { return bits == 0; }
    constexpr RestrictFlags& operator|=(RestrictFlags other) {
        bits |= other.bits;
        return *this;
    }
    constexpr RestrictFlags& operator|=(RestrictFlag f) {
        bits |= static_cast<std::uint32_t>(f);
        return *this;
    }
    friend constexpr RestrictFlags operator|(RestrictFlags a, RestrictFlags b) { return a |= b; }
    friend constexpr RestrictFlags operator|(RestrictFlags a, RestrictFlag b) { return a |= b; }
    friend constexpr bool operator==(RestrictFlags, RestrictFlags) = default;
};
constexpr RestrictFlags operator|(RestrictFlag a, RestrictFlag b) {
    return RestrictFlags{} | a | b;
}
// ntp.conf's spelling: "kod limited nomodify", in bit order; "" for none.
std::string to_string(RestrictFlags flags);
std::optional<RestrictFlag> restrict_flag(std::string_view name); // not serverresponse_fuzz

// One `restrict` line: `default` (per family or both), `source` (a template for the addresses
// of the servers), or an address with its mask.
struct Restrict {
    bool is_default = false;
    bool is_source = false;
    // default: which family's default (any: both); an address: the address's own family;
    // source: any.
    Family family = Family::any;
    // An address entry: the network and its mask as a prefix length (a bare address is a host,
    // /32 or /128). Unused for default and source.
    common::Cidr network;
    RestrictFlags flags;
    std::optional<int> ippeerlimit; // `ippeerlimit N` (ntpd 4.2.8p11), kept
    SourceLocation where;
};

// `tos ...`; unset means ntpd's default, named with each field.
struct Tos {
    std::optional<Setting<int>> orphan;     // 1..16: orphan mode's stratum (16, the default: off)
    std::optional<Setting<int>> orphanwait; // s before orphan mode starts, 0..86400 (300)
    std::optional<Setting<int>> minclock;   // survivors the clustering keeps, 1..50 (3)
    std::optional<Setting<int>> maxclock;   // associations the pools grow to, 1..50 (10)
    std::optional<Setting<int>> minsane;    // truechimers needed to synchronise, 1..50 (1)
    std::optional<Setting<double>> mindist; // s, 0..1 (0.001): minimum correctness interval
    std::optional<Setting<double>> maxdist; // s, 0.001..16 (1.5): selection threshold
};

// `discard average A minimum M monitor N`: the rate limit of `restrict ... limited`.
struct Discard {
    std::optional<Setting<int>> average; // log2 s between requests on average, 0..17 (3)
    std::optional<Setting<int>> minimum; // s between two requests at least, 0..3600 (2)
    std::optional<Setting<int>> monitor; // the MRU list's monitor threshold, 0..1000000 (3000)
};

// `trustedkey 1 2 (10 ... 20)`: key numbers 1..65535; a single key is a range of one.
struct KeyRange {
    std::uint32_t first = 0, last = 0;
    SourceLocation where;
};

// `interface|nic listen|ignore|drop all|ipv4|ipv6|wildcard|NAME|ADDR[/LEN]`.
enum class InterfaceAction { listen, ignore, drop };
enum class InterfaceMatch { all, ipv4, ipv6, wildcard, name, address };
struct InterfaceRule {
    InterfaceAction action = InterfaceAction::listen;
    InterfaceMatch match = InterfaceMatch::all;
    std::string name;     // InterfaceMatch::name: the interface's name
    common::Cidr address; // InterfaceMatch::address: a bare address is a host prefix
    SourceLocation where;
};

// `enable` / `disable` flags.
enum class SystemFlag { auth, calibrate, kernel, monitor, ntp, stats };
std::string_view to_string(SystemFlag flag);
struct SystemFlagSetting {
    SystemFlag flag = SystemFlag::auth;
    bool enabled = true;
    SourceLocation where;
};

// One `logconfig` item: `=syncevents`, `+peerall`, `-clockstatus`, `allall` (no sign means '=').
struct LogConfigItem {
    char op = '=';    // '=' sets the mask, '+' adds to it, '-' removes from it
    std::string name; // CLASS+TYPE (clock|peer|sync|sys + all|info|events|status|statistics),
                      // or all+TYPE / all+CLASS
    SourceLocation where;
};

struct Config {
    std::vector<ServerLine> servers; // server, pool and peer lines, in file order
    std::vector<Restrict> restricts; // in file order (equal entries are merged by RestrictTable)
    Tos tos;
    Discard discard;
    std::optional<Setting<std::string>> driftfile; // paths as written: relative ones are relative
    std::optional<Setting<std::string>> keys_file; //   to the daemon's working folder, as in ntpd
    std::optional<Setting<std::string>> leapfile;
    std::optional<Setting<std::string>> logfile;
    // superd-ntpd's own: where the synchronisation state is kept for a responder started on
    // demand (state_file.hpp); by default next to the driftfile.
    std::optional<Setting<std::string>> statefile;
    std::vector<KeyRange> trusted_keys;                // every trustedkey line's keys
    std::optional<Setting<std::uint32_t>> control_key; // `controlkey N`: mode 6 writes
    std::optional<Setting<std::uint32_t>> request_key; // `requestkey N`: mode 7 (kept)
    std::vector<InterfaceRule> interfaces;             // in file order
    std::vector<SystemFlagSetting> system_flags;       // in file order; the last one wins
    std::vector<LogConfigItem> log_config;             // in file order
    std::optional<Setting<double>> tinker_panic;       // s, 0..86400; 0: no panic check

    bool trusted(std::uint32_t key) const;
    // The last enable/disable of the flag, else ntpd's default (all on but calibrate).
    bool enabled(SystemFlag flag) const;
    const ServerLine* local_clock() const; // the first local clock server line, if any
    DiscardPolicy discard_policy() const;
};

// Parses the file at `path` and what it includes (`includefile`, relative to the including
// file). Errors go to diags as "file:line: message"; the config is usable only when
// !diags.has_errors(). Never throws for bad input.
Config load_config(const std::string& path, common::Diagnostics& diags);

} // namespace superd::ntp
