// squid.conf: sizes and times, cache_dir, refresh_pattern, cache_peer.
#include "proxy/config_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace superd::proxy::detail {

namespace {

constexpr std::string_view unsupported_store_types[] = {"aufs", "diskd", "rock", "coss", "null"};

// refresh_pattern options of squid 5/6 (and older ones still seen in configs).
constexpr std::string_view unsupported_refresh_options[] = {
    "override-expire", "override-lastmod", "reload-into-ims", "ignore-reload",
    "ignore-no-store", "ignore-private",   "ignore-no-cache", "ignore-must-revalidate",
    "ignore-auth",     "refresh-ims",      "store-stale",     "max-stale"};

constexpr std::string_view unsupported_peer_options[] = {"allow-miss",
                                                         "auth-no-keytab",
                                                         "background-ping",
                                                         "basetime",
                                                         "carp",
                                                         "carp-key",
                                                         "closest-only",
                                                         "connect-fail-limit",
                                                         "connection-auth",
                                                         "digest-url",
                                                         "forceddomain",
                                                         "front-end-https",
                                                         "htcp",
                                                         "max-conn",
                                                         "monitorinterval",
                                                         "monitorsize",
                                                         "monitortimeout",
                                                         "monitorurl",
                                                         "multicast-responder",
                                                         "multicast-siblings",
                                                         "no-delay",
                                                         "no-netdb-exchange",
                                                         "no-tproxy",
                                                         "originserver",
                                                         "round-robin",
                                                         "sourcehash",
                                                         "ssl",
                                                         "sslcafile",
                                                         "sslcert",
                                                         "sslflags",
                                                         "sslkey",
                                                         "sslversion",
                                                         "standby",
                                                         "tls",
                                                         "tls-cafile",
                                                         "tls-cert",
                                                         "tls-key",
                                                         "tls-options",
                                                         "ttl",
                                                         "userhash",
                                                         "weighted-round-robin"};

template <std::size_t N> bool listed(const std::string_view (&list)[N], std::string_view word) {
    return std::ranges::find(list, word) != std::end(list);
}

std::optional<std::uint64_t> size_unit(std::string_view unit) {
    std::string u = lower(unit);
    if (u == "bytes" || u == "byte" || u == "b") return 1;
    if (u == "kb") return KiB;
    if (u == "mb") return MiB;
    if (u == "gb") return GiB;
    return std::nullopt;
}

std::optional<std::int64_t> time_unit(std::string_view unit) {
    std::string u = lower(unit);
    if (u.size() > 1 && u.ends_with('s')) u.pop_back();
    if (u == "second" || u == "sec") return 1;
    if (u == "minute" || u == "min") return 60;
    if (u == "hour") return 3600;
    if (u == "day") return 86400;
    if (u == "week") return 7 * 86400;
    return std::nullopt;
}

// A non-negative decimal number, fractions allowed ("1.5 MB", as squid's xatof reads).
std::optional<double> parse_amount(std::string_view text) {
    double value = 0;
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
    if (text.empty() || text.front() == '-' || ec != std::errc{} ||
        end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

} // namespace

std::optional<std::uint64_t> Parser::read_size(Statement& st, bool acls_follow) {
    const Token* value = st.next();
    auto amount = value == nullptr ? std::nullopt : parse_amount(value->text);
    if (!amount) {
        error(st, quote(st.directive()) + " needs a size (a number and bytes, KB, MB or GB)" +
                      (value == nullptr ? "" : ", not " + quote(value->text)));
        return std::nullopt;
    }
    std::uint64_t unit = 1;
    if (const Token* next = st.peek(); next != nullptr && size_unit(next->text)) {
        unit = *size_unit(next->text);
        st.next();
    } else if (next != nullptr && !acls_follow) {
        error(st, "unknown size unit " + quote(next->text) + " in " + quote(st.directive()) +
                      " (bytes, KB, MB, GB)");
        return std::nullopt;
    } else {
        warning(st,
                "no units on " + quote(st.directive() + " " + value->text) + ", assuming bytes");
    }
    double bytes = std::round(*amount * static_cast<double>(unit));
    if (bytes >= 9.2e18) { // what fits an int64, like squid's limits
        error(st, quote(st.directive()) + " size " + quote(value->text) + " is too large");
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(bytes);
}

std::optional<std::chrono::seconds> Parser::read_time(Statement& st) {
    const Token* value = st.next();
    auto amount = value == nullptr ? std::nullopt : parse_amount(value->text);
    if (!amount) {
        error(st, quote(st.directive()) +
                      " needs a time (a number and seconds, minutes, hours, days or weeks)" +
                      (value == nullptr ? "" : ", not " + quote(value->text)));
        return std::nullopt;
    }
    std::int64_t unit = 1;
    if (const Token* next = st.peek(); next != nullptr && time_unit(next->text)) {
        unit = *time_unit(next->text);
        st.next();
    } else if (next != nullptr) {
        error(st, "unknown time unit " + quote(next->text) + " in " + quote(st.directive()) +
                      " (seconds, minutes, hours, days, weeks)");
        return std::nullopt;
    } else {
        warning(st,
                "no units on " + quote(st.directive() + " " + value->text) + ", assuming seconds");
    }
    double seconds = std::round(*amount * static_cast<double>(unit));
    if (seconds > 10.0 * 365 * 86400) {
        error(st, quote(st.directive()) + " time " + quote(value->text) +
                      " is too long (10 years at most)");
        return std::nullopt;
    }
    return std::chrono::seconds(static_cast<std::int64_t>(seconds));
}

void Parser::parse_size(Statement& st, Setting<std::uint64_t>& slot) {
    auto bytes = read_size(st, false);
    if (!bytes || !end(st)) return;
    slot = {*bytes, st.where()};
}

void Parser::parse_time(Statement& st, Setting<std::chrono::seconds>& slot) {
    auto time = read_time(st);
    if (!time || !end(st)) return;
    slot = {*time, st.where()};
}

void Parser::parse_cache_dir(Statement& st) {
    const Token* type = st.next();
    if (type == nullptr) {
        error(st, "'cache_dir' needs: ufs DIRECTORY MBYTES L1 L2");
        return;
    }
    if (type->text != "ufs") {
        error(st, listed(unsupported_store_types, type->text)
                      ? "cache_dir type " + quote(type->text) + " is not supported (only ufs)"
                      : "unknown cache_dir type " + quote(type->text));
        return;
    }
    const Token* path = st.next();
    const Token* mb = st.next();
    const Token* l1 = st.next();
    const Token* l2 = st.next();
    if (l2 == nullptr) {
        error(st, "'cache_dir' needs: ufs DIRECTORY MBYTES L1 L2");
        return;
    }
    CacheDir dir;
    dir.path = path->text;
    dir.where = st.where();
    auto size = parse_integer(mb->text, 1LL << 40);
    auto n1 = parse_integer(l1->text, 256);
    auto n2 = parse_integer(l2->text, 256);
    bool ok = true;
    if (!size || *size == 0) {
        error(st, "cache_dir size " + quote(mb->text) + " is not a number of megabytes (>= 1)");
        ok = false;
    }
    // squid's ufs: the number of first- and second-level folders, 1..256 each.
    if (!n1 || *n1 == 0 || !n2 || *n2 == 0) {
        error(st,
              "cache_dir L1 and L2 must be 1..256, not " + quote(l1->text) + " " + quote(l2->text));
        ok = false;
    }
    while (const Token* option = st.next()) {
        std::string_view text = option->text;
        if (text == "no-store") {
            dir.no_store = true;
        } else if (text.starts_with("min-size=") || text.starts_with("max-size=")) {
            auto bytes = parse_integer(text.substr(9), 1LL << 62);
            if (!bytes) {
                error(st, "invalid cache_dir option " + quote(text) + " (a number of bytes)");
                ok = false;
            } else if (text.starts_with("min-size=")) {
                dir.min_size = static_cast<std::uint64_t>(*bytes);
            } else {
                dir.max_size = static_cast<std::uint64_t>(*bytes);
            }
        } else {
            error(st, "cache_dir option " + quote(text.substr(0, text.find('='))) +
                          " is not supported");
            ok = false;
        }
    }
    if (config_.cache_dir) {
        error(st, "only one cache_dir is supported; the first is at " +
                      where_text(config_.cache_dir->where, st.where()));
        return;
    }
    if (!ok) return;
    dir.size_mb = static_cast<std::uint64_t>(*size);
    dir.l1 = static_cast<int>(*n1);
    dir.l2 = static_cast<int>(*n2);
    config_.cache_dir = std::move(dir);
}

void Parser::parse_refresh_pattern(Statement& st) {
    bool icase = false;
    if (const Token* flag = st.peek(); flag != nullptr && !flag->quoted && flag->text == "-i") {
        icase = true;
        st.next();
    }
    const Token* regex = st.next();
    const Token* min = st.next();
    const Token* percent = st.next();
    const Token* max = st.next();
    if (max == nullptr) {
        error(st, "'refresh_pattern' needs: [-i] REGEX MIN PERCENT MAX");
        return;
    }
    RefreshPattern p;
    p.where = st.where();
    bool ok = true;
    std::string why;
    if (auto re = Regex::compile(regex->text, icase, why)) {
        p.regex = std::move(*re);
    } else {
        error(st, "invalid regular expression " + quote(regex->text) + ": " + why);
        ok = false;
    }
    // Minutes; ten years is far beyond any real config (squid's own cap is a year).
    constexpr long long max_minutes = 60LL * 24 * 365 * 10;
    auto lo = parse_integer(min->text, max_minutes);
    auto hi = parse_integer(max->text, max_minutes);
    std::string_view pct = percent->text;
    if (pct.ends_with('%')) pct.remove_suffix(1);
    auto share = parse_integer(pct, 1'000'000);
    if (!lo || !hi) {
        error(st, "refresh_pattern MIN and MAX are minutes (0.." + std::to_string(max_minutes) +
                      "), not " + quote(min->text) + " " + quote(max->text));
        ok = false;
    }
    if (!share) {
        error(st, "refresh_pattern PERCENT " + quote(percent->text) + " is not a percentage");
        ok = false;
    }
    while (const Token* option = st.next()) {
        std::string_view key = std::string_view(option->text).substr(0, option->text.find('='));
        error(st, listed(unsupported_refresh_options, key)
                      ? "refresh_pattern option " + quote(key) + " is not supported"
                      : "unknown refresh_pattern option " + quote(option->text));
        ok = false;
    }
    if (!ok) return;
    p.min_minutes = *lo;
    p.max_minutes = *hi;
    p.percent = static_cast<double>(*share);
    config_.refresh_patterns.push_back(std::move(p));
}

void Parser::parse_cache_peer(Statement& st) {
    const Token* host = st.next();
    const Token* type = st.next();
    const Token* http_port = st.next();
    const Token* icp_port = st.next();
    if (icp_port == nullptr) {
        error(st, "'cache_peer' needs: HOST parent HTTP_PORT ICP_PORT [options]");
        return;
    }
    if (type->text != "parent") {
        error(st, type->text == "sibling" || type->text == "multicast"
                      ? "cache_peer type " + quote(type->text) + " is not supported (only parent)"
                      : "unknown cache_peer type " + quote(type->text));
        return;
    }
    CachePeer peer;
    peer.host = host->text;
    peer.name = host->text;
    peer.where = st.where();
    auto hp = parse_integer(http_port->text, 65535);
    auto ip = parse_integer(icp_port->text, 65535);
    bool ok = true;
    if (!hp || *hp == 0) {
        error(st, "invalid cache_peer HTTP port " + quote(http_port->text) + " (1..65535)");
        ok = false;
    }
    if (!ip) {
        error(st, "invalid cache_peer ICP port " + quote(icp_port->text) + " (0..65535)");
        ok = false;
    }
    while (const Token* option = st.next())
        ok = parse_cache_peer_option(st, peer, option->text) && ok;
    if (!ok) return;
    peer.http_port = static_cast<std::uint16_t>(*hp);
    peer.icp_port = static_cast<std::uint16_t>(*ip);
    if (peer.icp_port != 0 && !peer.no_query)
        warning(st, "ICP is not supported: cache_peer " + quote(peer.name) +
                        " is used as if 'no-query' were given");
    peer.no_query = true;
    if (const CachePeer* other = config_.find_peer(peer.name)) {
        error(st, "cache_peer name " + quote(peer.name) + " is already used at " +
                      where_text(other->where, st.where()));
        return;
    }
    config_.cache_peers.push_back(std::move(peer));
}

bool Parser::parse_cache_peer_option(Statement& st, CachePeer& peer, const std::string& option) {
    std::string_view text = option;
    std::string_view key = text.substr(0, text.find('='));
    std::string_view value = key.size() < text.size() ? text.substr(key.size() + 1) : "";
    if (text == "no-query") {
        peer.no_query = true;
    } else if (text == "default") {
        peer.default_parent = true;
    } else if (text == "proxy-only") {
        peer.proxy_only = true;
    } else if (text == "no-digest") {
        // Nothing to turn off: we never fetch cache digests.
    } else if (key == "name" && !value.empty()) {
        peer.name = value;
    } else if (key == "login" && !value.empty()) {
        // user:password or PASSTHRU; PASS, NEGOTIATE and *:password need auth we lack.
        if (value != "PASSTHRU" && (value.find(':') == std::string_view::npos ||
                                    value.starts_with("*:") || value == "PASS")) {
            error(st, "cache_peer login=" + std::string(value) +
                          " is not supported (user:password or PASSTHRU)");
            return false;
        }
        peer.login = std::string(value);
    } else if (key == "connect-timeout" && parse_integer(value, 86400)) {
        peer.connect_timeout = std::chrono::seconds(*parse_integer(value, 86400));
    } else if (key == "weight" && parse_integer(value, 65535).value_or(0) > 0) {
        peer.weight = static_cast<int>(*parse_integer(value, 65535));
    } else if (key == "name" || key == "login" || key == "connect-timeout" || key == "weight") {
        error(st, "invalid cache_peer option " + quote(text));
        return false;
    } else if (listed(unsupported_peer_options, key)) {
        error(st, "cache_peer option " + quote(key) + " is not supported");
        return false;
    } else {
        error(st, "unknown cache_peer option " + quote(text));
        return false;
    }
    return true;
}

} // namespace superd::proxy::detail
