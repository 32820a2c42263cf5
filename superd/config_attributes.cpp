#include "superd/config_attributes.hpp"

#include "common/log.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include <arpa/inet.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace superd::daemon {
namespace {

// The attribute table of xinetd 2.3.15 (parse.c): name, value count, allowed in defaults.
constexpr AttributeInfo attribute_table[] = {
    {"id", 1, false},
    {"type", -1, false},
    {"socket_type", 1, false},
    {"protocol", 1, false},
    {"wait", 1, false},
    {"user", 1, false},
    {"group", 1, false},
    {"server", 1, false},
    {"server_args", -1, false},
    {"instances", 1, true},
    {"per_source", 1, true},
    {"cps", 2, true},
    {"max_load", 1, true},
    {"log_type", -1, true},
    {"log_on_success", -2, true},
    {"log_on_failure", -2, true},
    {"only_from", -2, true},
    {"no_access", -2, true},
    {"access_times", -1, false},
    {"flags", -1, false},
    {"port", 1, false},
    {"env", -2, false},
    {"passenv", -2, true},
    {"rpc_version", 1, false},
    {"rpc_number", 1, false},
    {"nice", 1, false},
    {"redirect", 2, false},
    {"bind", 1, true},
    {"interface", 1, true},
    {"banner", 1, true},
    {"banner_success", 1, true},
    {"banner_fail", 1, true},
    {"groups", 1, true},
    {"disable", 1, false},
    {"rlimit_as", 1, false},
    {"rlimit_cpu", 1, false},
    {"rlimit_data", 1, false},
    {"rlimit_rss", 1, false},
    {"rlimit_stack", 1, false},
    {"rlimit_files", 1, false},
    {"v6only", 1, true},
    {"deny_time", 1, false},
    {"umask", 1, true},
    {"libwrap", 1, false},
    {"enabled", -1, true},
    {"disabled", -1, true},
    // superd's own (defaults only): the tcp-wrappers tables.
    {"hosts_allow", 1, true},
    {"hosts_deny", 1, true},
};

bool all_digits(const std::string& s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

template <typename T> std::optional<T> to_number(const std::string& s, int base = 10) {
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
    if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::optional<bool> yes_no(const std::string& s) {
    if (s == "yes") return true;
    if (s == "no") return false;
    return std::nullopt;
}

bool fail(Diagnostics& d, const AttributeLine& l, const std::string& msg) {
    d.error(l.where, msg);
    return false;
}

// A value that is UNLIMITED or an integer >= 0.
std::optional<int> limit_value(const std::string& s) {
    if (s == "UNLIMITED") return unlimited;
    auto v = to_number<int>(s);
    if (!v || *v < 0) return std::nullopt;
    return v;
}

struct NamedBit {
    const char* name;
    unsigned bit;
};
constexpr NamedBit type_names[] = {{"RPC", type_rpc},           {"INTERNAL", type_internal},
                                   {"UNLISTED", type_unlisted}, {"SPECIAL", type_special},
                                   {"TCPMUX", type_tcpmux},     {"TCPMUXPLUS", type_tcpmuxplus}};
constexpr NamedBit flag_names[] = {{"REUSE", flag_reuse},
                                   {"INTERCEPT", flag_intercept},
                                   {"NORETRY", flag_noretry},
                                   {"IDONLY", flag_idonly},
                                   {"NAMEINARGS", flag_nameinargs},
                                   {"NODELAY", flag_nodelay},
                                   {"KEEPALIVE", flag_keepalive},
                                   {"NOLIBWRAP", flag_nolibwrap},
                                   {"SENSOR", flag_sensor},
                                   {"IPv4", flag_ipv4},
                                   {"IPv6", flag_ipv6},
                                   {"LABELED", flag_labeled}};
constexpr NamedBit success_names[] = {{"PID", log_pid},           {"HOST", log_host},
                                      {"USERID", log_userid},     {"EXIT", log_exit},
                                      {"DURATION", log_duration}, {"TRAFFIC", log_traffic}};
constexpr NamedBit failure_names[] = {
    {"HOST", log_host}, {"USERID", log_userid}, {"ATTEMPT", log_attempt}};

template <std::size_t N>
bool bits_from_names(const NamedBit (&table)[N], const AttributeLine& l, unsigned& out,
                     Diagnostics& d, const char* what) {
    unsigned bits = 0;
    for (const auto& v : l.values) {
        auto it = std::find_if(std::begin(table), std::end(table),
                               [&](const NamedBit& nb) { return v == nb.name; });
        if (it == std::end(table)) return fail(d, l, "bad " + std::string(what) + " '" + v + "'");
        bits |= it->bit;
    }
    out = bits;
    return true;
}

// =, += and -= on a bit set (log_on_success/log_on_failure).
void modify_bits(unsigned& target, unsigned bits, Op op) {
    if (op == Op::assign)
        target = bits;
    else if (op == Op::add)
        target |= bits;
    else
        target &= ~bits;
}

template <typename T>
void modify_list(std::vector<T>& target, const std::vector<T>& values, Op op) {
    if (op == Op::assign) target.clear();
    if (op == Op::remove) {
        for (const auto& v : values)
            std::erase(target, v);
        return;
    }
    for (const auto& v : values)
        if (std::find(target.begin(), target.end(), v) == target.end()) target.push_back(v);
}

bool parse_log_type(const AttributeLine& l, LogType& out, Diagnostics& d) {
    if (l.values.empty()) return fail(d, l, "log_type needs SYSLOG or FILE");
    LogType lt;
    if (l.values[0] == "SYSLOG") {
        if (l.values.size() < 2 || l.values.size() > 3)
            return fail(d, l, "log_type SYSLOG needs a facility and an optional level");
        auto fac = common::syslog_facility_from_name(l.values[1]);
        if (!fac) return fail(d, l, "bad syslog facility '" + l.values[1] + "'");
        lt.kind = LogType::Kind::syslog;
        lt.facility = *fac;
        if (l.values.size() == 3) {
            auto lev = common::syslog_level_from_name(l.values[2]);
            if (!lev) return fail(d, l, "bad syslog level '" + l.values[2] + "'");
            lt.level = *lev;
        }
    } else if (l.values[0] == "FILE") {
        if (l.values.size() < 2 || l.values.size() > 4)
            return fail(d, l, "log_type FILE needs a path and optional soft and hard limits");
        lt.kind = LogType::Kind::file;
        lt.path = l.values[1];
        if (l.values.size() >= 3) {
            auto soft = parse_size(l.values[2], true);
            if (!soft || *soft == RLIM_INFINITY)
                return fail(d, l, "bad soft limit '" + l.values[2] + "'");
            lt.soft_limit = *soft;
            // xinetd: hard = soft + 1%, clamped to [5K, 20K] above soft.
            std::uint64_t slack =
                std::clamp<std::uint64_t>(lt.soft_limit / 100, 5 * 1024, 20 * 1024);
            lt.hard_limit = lt.soft_limit + slack;
            if (l.values.size() == 4) {
                auto hard = parse_size(l.values[3], true);
                if (!hard || *hard == RLIM_INFINITY || *hard < lt.soft_limit)
                    return fail(d, l, "bad hard limit '" + l.values[3] + "'");
                lt.hard_limit = *hard;
            }
        }
    } else {
        return fail(d, l, "bad log_type '" + l.values[0] + "' (SYSLOG or FILE)");
    }
    out = lt;
    return true;
}

bool parse_addresses(const AttributeLine& l, std::vector<AddressPattern>& out, Diagnostics& d) {
    out.clear();
    for (const auto& v : l.values) {
        auto list = parse_address_value(v);
        if (!list) return fail(d, l, "bad address '" + v + "' in " + l.name);
        out.insert(out.end(), list->begin(), list->end());
    }
    return true;
}

bool apply_lists(ListAttributes& lists, std::map<std::string, SourceLocation>& given,
                 const AttributeLine& l, Diagnostics& d, bool& handled) {
    handled = true;
    const std::string& n = l.name;
    if (n == "log_on_success" || n == "log_on_failure") {
        unsigned bits = 0;
        bool ok = n == "log_on_success" ? bits_from_names(success_names, l, bits, d, n.c_str())
                                        : bits_from_names(failure_names, l, bits, d, n.c_str());
        if (!ok) return false;
        modify_bits(n == "log_on_success" ? lists.log_on_success : lists.log_on_failure, bits,
                    l.op);
    } else if (n == "only_from" || n == "no_access") {
        std::vector<AddressPattern> v;
        if (!parse_addresses(l, v, d)) return false;
        modify_list(n == "only_from" ? lists.only_from : lists.no_access, v, l.op);
        if (n == "only_from") lists.only_from_given = true;
    } else if (n == "passenv") {
        std::vector<std::string> names;
        for (const auto& v : l.values) {
            if (getenv(v.c_str()) == nullptr) {
                d.warning(l.where, "passenv: '" + v + "' is not in superd's environment; skipped");
                continue;
            }
            names.push_back(v);
        }
        modify_list(lists.passenv, names, l.op);
        lists.passenv_given = true;
    } else if (n == "access_times") {
        std::vector<TimeInterval> times;
        for (const auto& v : l.values) {
            auto t = parse_time_interval(v);
            if (!t) return fail(d, l, "bad access_times interval '" + v + "' (H:MM-H:MM)");
            times.push_back(*t);
        }
        lists.access_times = times;
    } else if (n == "banner" || n == "banner_success" || n == "banner_fail") {
        std::string& target = n == "banner"           ? lists.banner
                              : n == "banner_success" ? lists.banner_success
                                                      : lists.banner_fail;
        target = l.values[0];
    } else {
        handled = false;
        return true;
    }
    given.try_emplace(n, l.where);
    return true;
}

std::optional<common::IpAddress> resolve_host(const std::string& host) {
    if (auto a = common::IpAddress::parse(host)) return a;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0 || res == nullptr)
        return std::nullopt;
    auto a = common::IpAddress::from_sockaddr(res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return a;
}

bool parse_rlimit(const AttributeLine& l, Rlimit& out, bool suffix, Diagnostics& d) {
    auto v = parse_size(l.values[0], suffix);
    if (!v) return fail(d, l, "bad " + l.name + " value '" + l.values[0] + "'");
    out = Rlimit{true, *v};
    return true;
}

bool apply_bind(std::optional<std::string>& bind, std::optional<common::IpAddress>& addr,
                const AttributeLine& l, Diagnostics& d) {
    auto a = resolve_host(l.values[0]);
    if (!a) return fail(d, l, "bad bind address '" + l.values[0] + "'");
    bind = l.values[0];
    addr = *a;
    return true;
}

bool apply_umask(std::optional<mode_t>& umask, const AttributeLine& l, Diagnostics& d) {
    auto v = to_number<unsigned>(l.values[0], 8);
    if (!v || *v > 0777) return fail(d, l, "bad umask '" + l.values[0] + "' (octal 0-777)");
    umask = static_cast<mode_t>(*v);
    return true;
}

} // namespace

const AttributeInfo* find_attribute(const std::string& name) {
    for (const auto& a : attribute_table)
        if (name == a.name) return &a;
    return nullptr;
}

std::optional<rlim_t> parse_size(const std::string& text, bool allow_suffix) {
    if (text == "UNLIMITED") return RLIM_INFINITY;
    std::string digits = text;
    rlim_t mult = 1;
    if (allow_suffix && !digits.empty()) {
        char c = digits.back();
        if (c == 'k' || c == 'K') mult = 1024;
        if (c == 'm' || c == 'M') mult = 1024 * 1024;
        if (mult != 1) digits.pop_back();
    }
    auto v = to_number<unsigned long long>(digits);
    if (!v || *v > RLIM_INFINITY / mult - 1) return std::nullopt;
    return static_cast<rlim_t>(*v * mult);
}

std::optional<TimeInterval> parse_time_interval(const std::string& text) {
    int h1, m1, h2, m2;
    char tail;
    if (std::sscanf(text.c_str(), "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4)
        return std::nullopt;
    auto ok = [](int h, int m) { return h >= 0 && h <= 23 && m >= 0 && m <= 59; };
    if (!ok(h1, m1) || !ok(h2, m2)) return std::nullopt;
    TimeInterval t{h1 * 60 + m1, h2 * 60 + m2};
    if (t.start_minute == t.end_minute) return std::nullopt;
    // Unlike xinetd, an interval whose end is before its start crosses midnight.
    return t;
}

std::optional<AddressPattern> parse_address_pattern(const std::string& text) {
    AddressPattern p;
    p.text = text;
    if (text.empty()) return std::nullopt;
    if (auto c = common::Cidr::parse(text); c && text.find('/') != std::string::npos) {
        p.cidr = *c;
        return p;
    }
    if (auto a = common::IpAddress::parse(text)) {
        if (a->is_v6()) {
            p.cidr = common::Cidr(*a, 128);
            return p;
        }
        // Trailing .0 octets are wildcards: 10.0.0.0 is 10/8, 0.0.0.0 is everything.
        std::uint32_t v = a->v4_host_order();
        int len = 32;
        while (len > 0 && ((v >> (32 - len)) & 0xff) == 0)
            len -= 8;
        p.cidr = common::Cidr(*a, len);
        return p;
    }
    // Partial dotted forms are not xinetd's; everything else is a host or domain name.
    bool name_chars = std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    });
    if (!name_chars) return std::nullopt;
    if (text[0] == '.') {
        if (text.size() < 2) return std::nullopt;
        p.kind = AddressPattern::Kind::domain;
    } else {
        p.kind = AddressPattern::Kind::host;
    }
    p.name = text;
    std::transform(p.name.begin(), p.name.end(), p.name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return p;
}

std::optional<std::vector<AddressPattern>> parse_address_value(const std::string& text) {
    auto open = text.find('{');
    if (open == std::string::npos) {
        if (text.find(',') != std::string::npos) return std::nullopt;
        auto p = parse_address_pattern(text);
        if (!p) return std::nullopt;
        return std::vector<AddressPattern>{*p};
    }
    // Factorized IPv4: "128.138.{1,2,3}" (also "128.{1,2}.0.0" style is not xinetd's).
    auto close = text.find('}', open);
    if (close == std::string::npos || close != text.size() - 1 || open == 0 ||
        text[open - 1] != '.')
        return std::nullopt;
    std::string prefix = text.substr(0, open);
    std::vector<AddressPattern> out;
    std::string inner = text.substr(open + 1, close - open - 1);
    std::size_t start = 0;
    while (start <= inner.size()) {
        auto comma = inner.find(',', start);
        std::string part =
            inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto n = to_number<int>(part);
        if (!n || *n < 0 || *n > 255) return std::nullopt;
        std::string full = prefix + part;
        int dots = static_cast<int>(std::count(full.begin(), full.end(), '.'));
        if (dots > 3) return std::nullopt;
        for (int i = dots; i < 3; ++i)
            full += ".0";
        auto a = common::IpAddress::parse(full);
        if (!a || !a->is_v4()) return std::nullopt;
        AddressPattern p;
        p.text = prefix + part;
        p.cidr = common::Cidr(*a, 8 * (dots + 1));
        out.push_back(p);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

bool apply_service_attribute(ServiceConfig& s, const AttributeLine& l, Diagnostics& d) {
    const std::string& n = l.name;
    bool handled = false;
    if (!apply_lists(s.lists, s.given, l, d, handled)) return false;
    if (handled) return true;
    const std::string& v = l.values.empty() ? std::string() : l.values[0];

    if (n == "id") {
        s.id = v;
    } else if (n == "type") {
        if (!bits_from_names(type_names, l, s.type, d, "type")) return false;
    } else if (n == "socket_type") {
        if (v == "stream")
            s.socket_type = SocketType::stream;
        else if (v == "dgram")
            s.socket_type = SocketType::dgram;
        else if (v == "raw")
            s.socket_type = SocketType::raw;
        else if (v == "seqpacket")
            s.socket_type = SocketType::seqpacket;
        else
            return fail(d, l, "bad socket_type '" + v + "'");
    } else if (n == "protocol") {
        protoent* p = getprotobyname(v.c_str());
        if (p == nullptr) return fail(d, l, "protocol '" + v + "' is not in /etc/protocols");
        s.protocol = p->p_proto;
        s.protocol_name = p->p_name;
    } else if (n == "wait") {
        auto b = yes_no(v);
        if (!b) return fail(d, l, "wait must be yes or no, not '" + v + "'");
        s.wait = *b;
    } else if (n == "user") {
        s.user = v;
        if (passwd* pw = getpwnam(v.c_str())) {
            s.uid = pw->pw_uid;
            if (!s.gid) s.gid = pw->pw_gid;
        } else if (all_digits(v)) {
            auto id = to_number<uid_t>(v);
            if (!id) return fail(d, l, "bad user '" + v + "'");
            s.uid = *id;
            if (!s.gid) s.gid = *id;
        } else {
            return fail(d, l, "unknown user '" + v + "'");
        }
    } else if (n == "group") {
        if (group* gr = getgrnam(v.c_str()))
            s.gid = gr->gr_gid;
        else if (auto id = all_digits(v) ? to_number<gid_t>(v) : std::nullopt)
            s.gid = *id;
        else
            return fail(d, l, "unknown group '" + v + "'");
        s.group_given = true;
    } else if (n == "server") {
        struct stat st {};
        if (stat(v.c_str(), &st) != 0)
            return fail(d, l, "server " + v + ": " + std::strerror(errno));
        if (!S_ISREG(st.st_mode) || access(v.c_str(), X_OK) != 0)
            return fail(d, l, "server " + v + " is not an executable file");
        s.server = v;
    } else if (n == "server_args") {
        if (l.values.empty()) return fail(d, l, "server_args needs at least one value");
        s.server_args = l.values;
    } else if (n == "instances" || n == "per_source") {
        auto lim = limit_value(v);
        if (!lim) return fail(d, l, "bad " + n + " '" + v + "' (a number or UNLIMITED)");
        (n == "instances" ? s.instances : s.per_source) = *lim;
    } else if (n == "cps") {
        auto rate = to_number<unsigned>(l.values[0]);
        auto secs = to_number<unsigned>(l.values[1]);
        if (!rate || !secs) return fail(d, l, "cps needs two numbers: connections/s and seconds");
        s.cps_rate = *rate;
        s.cps_disable_seconds = *secs;
    } else if (n == "max_load") {
        char* end = nullptr;
        double x = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0' || !(x > 0))
            return fail(d, l, "bad max_load '" + v + "'");
        s.max_load = x;
    } else if (n == "log_type") {
        if (!parse_log_type(l, s.log_type, d)) return false;
    } else if (n == "flags") {
        if (!bits_from_names(flag_names, l, s.flags, d, "flag")) return false;
    } else if (n == "port") {
        auto p = to_number<unsigned>(v);
        if (!p || *p > 65535) return fail(d, l, "bad port '" + v + "'");
        s.port = static_cast<std::uint16_t>(*p);
    } else if (n == "env") {
        if (l.op == Op::remove) return fail(d, l, "env does not take -=");
        std::vector<std::string> vars;
        for (const auto& e : l.values) {
            if (e.find('=') == std::string::npos || e.front() == '=')
                return fail(d, l, "env value '" + e + "' is not NAME=value");
            vars.push_back(e);
        }
        modify_list(s.env, vars, l.op);
    } else if (n == "rpc_version") {
        s.rpc_version = v;
    } else if (n == "rpc_number") {
        auto r = to_number<int>(v);
        if (!r) return fail(d, l, "bad rpc_number '" + v + "'");
        s.rpc_number = *r;
    } else if (n == "nice") {
        auto x = to_number<int>(v);
        if (!x || *x < -20 || *x > 19) return fail(d, l, "bad nice '" + v + "' (-20 to 19)");
        s.nice = *x;
    } else if (n == "redirect") {
        auto a = resolve_host(l.values[0]);
        if (!a) return fail(d, l, "redirect: cannot resolve '" + l.values[0] + "'");
        std::uint16_t port = 0;
        if (auto p = to_number<unsigned>(l.values[1]); p && *p > 0 && *p <= 65535) {
            port = static_cast<std::uint16_t>(*p);
        } else if (servent* se = getservbyname(l.values[1].c_str(), "tcp")) {
            port = ntohs(static_cast<std::uint16_t>(se->s_port));
        } else {
            return fail(d, l, "redirect: bad port '" + l.values[1] + "'");
        }
        s.redirect_host = l.values[0];
        s.redirect_address = *a;
        s.redirect_port = port;
    } else if (n == "bind" || n == "interface") {
        if (!apply_bind(s.bind, s.bind_address, l, d)) return false;
    } else if (n == "groups" || n == "disable" || n == "v6only") {
        auto b = yes_no(v);
        if (!b) return fail(d, l, n + " must be yes or no, not '" + v + "'");
        if (n == "groups")
            s.groups = *b;
        else if (n == "disable")
            s.disable = *b;
        else
            s.v6only = *b;
    } else if (n == "rlimit_as") {
        return parse_rlimit(l, s.rlimit_as, true, d);
    } else if (n == "rlimit_data") {
        return parse_rlimit(l, s.rlimit_data, true, d);
    } else if (n == "rlimit_rss") {
        return parse_rlimit(l, s.rlimit_rss, true, d);
    } else if (n == "rlimit_stack") {
        return parse_rlimit(l, s.rlimit_stack, true, d);
    } else if (n == "rlimit_cpu") {
        return parse_rlimit(l, s.rlimit_cpu, false, d);
    } else if (n == "rlimit_files") {
        return parse_rlimit(l, s.rlimit_files, true, d);
    } else if (n == "deny_time") {
        if (v == "FOREVER")
            s.deny_time = -1;
        else if (v == "NEVER")
            s.deny_time = 0;
        else if (auto m = to_number<int>(v); m && *m >= 0)
            s.deny_time = *m;
        else
            return fail(d, l, "bad deny_time '" + v + "' (minutes, FOREVER or NEVER)");
    } else if (n == "umask") {
        if (!apply_umask(s.umask, l, d)) return false;
    } else if (n == "libwrap") {
        s.libwrap = v;
    } else {
        return fail(d, l, "attribute '" + n + "' belongs in the defaults section");
    }
    s.given.try_emplace(n, l.where);
    return true;
}

bool apply_defaults_attribute(DefaultsConfig& df, const AttributeLine& line, Diagnostics& d) {
    // In defaults, = adds to what earlier defaults lines set (xinetd parse.c:615).
    AttributeLine l = line;
    if (l.op == Op::assign && find_attribute(l.name)->value_count == -2) l.op = Op::add;
    bool handled = false;
    if (!apply_lists(df.lists, df.given, l, d, handled)) return false;
    if (handled) return true;
    const std::string& n = l.name;
    const std::string& v = l.values.empty() ? std::string() : l.values[0];
    if (n == "log_type") {
        if (df.log_type.kind != LogType::Kind::none)
            return fail(d, l, "cannot set more than one log_type");
        if (!parse_log_type(l, df.log_type, d)) return false;
    } else if (n == "instances" || n == "per_source") {
        auto lim = limit_value(v);
        if (!lim) return fail(d, l, "bad " + n + " '" + v + "' (a number or UNLIMITED)");
        (n == "instances" ? df.instances : df.per_source) = *lim;
    } else if (n == "cps") {
        auto rate = to_number<unsigned>(l.values[0]);
        auto secs = to_number<unsigned>(l.values[1]);
        if (!rate || !secs) return fail(d, l, "cps needs two numbers: connections/s and seconds");
        df.cps = std::pair{*rate, *secs};
    } else if (n == "max_load") {
        char* end = nullptr;
        double x = std::strtod(v.c_str(), &end);
        if (end == v.c_str() || *end != '\0' || !(x > 0))
            return fail(d, l, "bad max_load '" + v + "'");
        df.max_load = x;
    } else if (n == "bind" || n == "interface") {
        if (!apply_bind(df.bind, df.bind_address, l, d)) return false;
    } else if (n == "groups" || n == "v6only") {
        auto b = yes_no(v);
        if (!b) return fail(d, l, n + " must be yes or no, not '" + v + "'");
        (n == "groups" ? df.groups : df.v6only) = *b;
    } else if (n == "umask") {
        if (!apply_umask(df.umask, l, d)) return false;
    } else if (n == "hosts_allow" || n == "hosts_deny") {
        (n == "hosts_allow" ? df.hosts_allow : df.hosts_deny) = v; // made absolute by the parser
    } else if (n == "enabled" || n == "disabled") {
        auto& set = n == "enabled" ? df.enabled : df.disabled;
        set.insert(l.values.begin(), l.values.end());
        if (n == "enabled") df.enabled_given = true;
    }
    df.given.try_emplace(n, l.where);
    return true;
}

} // namespace superd::daemon
