// squid.conf: files, includes, the directive table, http_port, access_log and the simple values.
#include "common/config_lines.hpp"
#include "proxy/config_parser.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <glob.h>

namespace superd::proxy::detail {

namespace {

// squid 5/6 directives that superd-proxy does not implement: named in an error, never ignored.
constexpr std::string_view unsupported_directives[] = {
    "acl_uses_indirect_client", "adapted_http_access", "adaptation_access", "allow_underscore",
    "always_direct", "announce_period", "append_domain", "auth_param", "auth_schemes",
    "balance_on_multiple_ip", "buffered_logs", "cache_effective_group", "cache_effective_user",
    "cache_mgr", "cache_miss_revalidate", "cache_peer_domain", "cache_replacement_policy",
    "cache_store_log", "cache_swap_high", "cache_swap_low", "cachemgr_passwd", "check_hostnames",
    "chunked_request_body_max_size", "client_db", "client_delay_access", "client_delay_parameters",
    "client_delay_pools", "client_dst_passthru", "client_persistent_connections",
    "client_request_buffer_max_size", "clientside_mark", "clientside_tos", "collapsed_forwarding",
    "collapsed_forwarding_access", "connect_retries", "coredump_dir", "cpu_affinity_map",
    "debug_options", "delay_access", "delay_body_max_size", "delay_class",
    "delay_initial_bucket_level", "delay_parameters", "delay_pools", "deny_info",
    "detect_broken_pconn", "digest_generation", "dns_defnames", "dns_nameservers", "dns_packet_max",
    "dns_retransmit_interval", "dns_timeout", "dns_v4_first", "ecap_enable", "ecap_service",
    "email_err_data", "err_html_text", "error_default_language", "error_directory",
    "error_log_languages", "external_acl_type", "follow_x_forwarded_for", "forward_max_tries",
    "forward_timeout", "fqdncache_size", "ftp_passive", "ftp_port", "ftp_user",
    "half_closed_clients", "header_replace", "hopeless_kid_revival_delay", "host_verify_strict",
    "hostname_aliases", "hosts_file", "htcp_access", "htcp_port", "http_reply_access",
    "http_upgrade_request_protocols", "httpd_accel_no_pmtu_disc", "httpd_suppress_version_string",
    "https_port", "icap_enable", "icap_service", "icon_directory", "icp_access", "icp_port",
    "ident_lookup_access", "ignore_unknown_nameservers", "ipcache_high", "ipcache_low",
    "ipcache_size", "log_icp_queries", "log_mime_hdrs", "logfile_daemon", "logfile_rotate",
    "logformat", "mail_from", "mail_program", "max_stale", "maximum_single_addr_tries",
    "memory_cache_mode", "memory_cache_shared", "memory_pools", "memory_replacement_policy",
    "minimum_expiry_time", "minimum_object_size", "miss_access", "negative_dns_ttl", "negative_ttl",
    "neighbor_type_domain", "netdb_filename", "never_direct", "nonhierarchical_direct", "note",
    "pconn_lifetime", "persistent_request_timeout", "pid_filename", "pinger_enable",
    "pipeline_prefetch", "positive_dns_ttl", "prefer_direct", "qos_flows", "quick_abort_max",
    "quick_abort_min", "quick_abort_pct", "range_offset_limit", "refresh_all_ims",
    "relaxed_header_parser", "reload_into_ims", "reply_header_access", "reply_header_add",
    "request_header_access", "request_header_add", "request_header_replace", "retry_on_error",
    "server_persistent_connections", "shutdown_lifetime", "snmp_access", "snmp_incoming_address",
    "snmp_port", "ssl_bump", "sslcrtd_children", "sslcrtd_program", "sslproxy_cert_error",
    "store_avg_object_size", "store_id_access", "store_id_program", "strip_query_terms",
    "tcp_outgoing_address", "tcp_outgoing_mark", "tcp_outgoing_tos", "tls_outgoing_options",
    "umask", "unique_hostname", "uri_whitespace", "url_rewrite_access", "url_rewrite_children",
    "url_rewrite_program", "wccp2_router", "workers",
    // Conditionals and macros of squid's preprocessor.
    "if", "else", "endif"};

// http_port options of squid that we do not implement (the part before any '=').
constexpr std::string_view unsupported_port_options[] = {"accel",
                                                         "act-as-origin",
                                                         "allow-direct",
                                                         "cert",
                                                         "clientca",
                                                         "connection-auth",
                                                         "defaultsite",
                                                         "dhparams",
                                                         "dynamic_cert_mem_cache_size",
                                                         "generate-host-certificates",
                                                         "ignore-cc",
                                                         "intercept",
                                                         "key",
                                                         "no-connection-auth",
                                                         "options",
                                                         "protocol",
                                                         "require-proxy-header",
                                                         "ssl-bump",
                                                         "sslflags",
                                                         "tcpkeepalive",
                                                         "tls-cafile",
                                                         "tls-cert",
                                                         "tls-dh",
                                                         "tls-key",
                                                         "tls-min-version",
                                                         "tproxy",
                                                         "transparent",
                                                         "vhost",
                                                         "vport",
                                                         "worker-queues",
                                                         "cipher"};

// squid's built-in logformat names.
constexpr std::string_view log_formats[] = {"squid",    "common",    "combined",
                                            "referrer", "useragent", "icap_squid"};

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Joins lines ending in '\' with the next one (squid's continuation); the statement keeps the
// location of its first line.
std::vector<common::ConfigLine> join_continuations(std::vector<common::ConfigLine> lines) {
    std::vector<common::ConfigLine> out;
    bool continuing = false;
    for (auto& line : lines) {
        std::string_view text = line.text;
        bool continues = text.ends_with('\\');
        if (continues) text.remove_suffix(1);
        if (continuing)
            out.back().text.append(text);
        else
            out.push_back({std::move(line.where), std::string(text)});
        continuing = continues;
    }
    return out;
}

bool has_wildcard(std::string_view path) {
    return path.find_first_of("*?[") != std::string_view::npos;
}

} // namespace

std::vector<Token> tokenize(std::string_view line, bool& unterminated) {
    std::vector<Token> tokens;
    unterminated = false;
    std::size_t i = 0;
    while (i < line.size()) {
        if (is_blank(line[i])) {
            ++i;
        } else if (line[i] == '#') {
            break; // a word starting with '#' starts a comment ("port 80  # http")
        } else if (line[i] == '"') {
            std::size_t close = line.find('"', i + 1);
            if (close == std::string_view::npos) {
                unterminated = true;
                close = line.size();
            }
            tokens.push_back({std::string(line.substr(i + 1, close - i - 1)), true});
            i = close + 1;
        } else {
            std::size_t start = i;
            while (i < line.size() && !is_blank(line[i]))
                ++i;
            tokens.push_back({std::string(line.substr(start, i - start)), false});
        }
    }
    return tokens;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string relative_to(const SourceLocation& where, const std::string& path) {
    if (path.empty() || path.front() == '/') return path;
    std::size_t slash = where.file.rfind('/');
    return slash == std::string::npos ? path : where.file.substr(0, slash + 1) + path;
}

std::optional<long long> parse_integer(std::string_view text, long long hi) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || text.front() == '-' || ec != std::errc{} ||
        end != text.data() + text.size() || value > hi)
        return std::nullopt;
    return value;
}

void Parser::parse_file(const std::string& path, const SourceLocation* from) {
    auto lines = includes_.enter(path, from, diags_);
    if (!lines) return;
    for (auto& line : join_continuations(std::move(*lines))) {
        std::string_view text = common::trim(line.text);
        if (text.empty() || text.front() == '#') continue;
        bool unterminated = false;
        auto tokens = tokenize(text, unterminated);
        if (unterminated) diags_.error(line.where, "unterminated string");
        if (tokens.empty()) continue;
        Statement st(std::move(line.where), std::move(tokens));
        parse_statement(st);
    }
    includes_.leave();
}

void Parser::parse_statement(Statement& st) {
    const std::string& word = st.directive();
    if (st.quoted_directive()) {
        error(st, "unknown directive " + quote(word));
    } else if (word == "http_port") {
        parse_http_port(st);
    } else if (word == "acl") {
        parse_acl(st);
    } else if (word == "http_access") {
        parse_rule(st, config_.http_access);
    } else if (word == "cache") {
        parse_rule(st, config_.cache);
    } else if (word == "cache_mem") {
        parse_size(st, config_.cache_mem);
    } else if (word == "maximum_object_size") {
        parse_size(st, config_.maximum_object_size);
    } else if (word == "maximum_object_size_in_memory") {
        parse_size(st, config_.maximum_object_size_in_memory);
    } else if (word == "request_header_max_size") {
        parse_size(st, config_.request_header_max_size);
    } else if (word == "request_body_max_size") {
        parse_size(st, config_.request_body_max_size);
    } else if (word == "reply_body_max_size") {
        parse_reply_body_max_size(st);
    } else if (word == "cache_dir") {
        parse_cache_dir(st);
    } else if (word == "refresh_pattern") {
        parse_refresh_pattern(st);
    } else if (word == "access_log") {
        parse_access_log(st);
    } else if (word == "cache_log") {
        parse_string(st, config_.cache_log);
    } else if (word == "visible_hostname") {
        parse_string(st, config_.visible_hostname);
    } else if (word == "forwarded_for") {
        parse_forwarded_for(st);
    } else if (word == "via") {
        parse_on_off(st, config_.via);
    } else if (word == "proxy_auto_config") {
        parse_on_off(st, config_.proxy_auto_config);
    } else if (word == "cache_peer") {
        parse_cache_peer(st);
    } else if (word == "cache_peer_access") {
        parse_cache_peer_access(st);
    } else if (word == "include") {
        parse_include(st);
    } else if (word == "client_lifetime") {
        parse_time(st, config_.client_lifetime);
    } else if (word == "read_timeout") {
        parse_time(st, config_.read_timeout);
    } else if (word == "connect_timeout") {
        parse_time(st, config_.connect_timeout);
    } else if (word == "request_timeout") {
        parse_time(st, config_.request_timeout);
    } else if (word == "client_idle_pconn_timeout") {
        parse_time(st, config_.client_idle_pconn_timeout);
    } else if (word == "server_idle_pconn_timeout") {
        parse_time(st, config_.server_idle_pconn_timeout);
    } else if (word == "max_filedescriptors") {
        parse_max_filedescriptors(st);
    } else if (word == "client_ip_max_connections") {
        parse_client_ip_max_connections(st);
    } else if (std::ranges::find(unsupported_directives, word) !=
               std::end(unsupported_directives)) {
        error(st, "directive " + quote(word) + " is not supported");
    } else {
        error(st, "unknown directive " + quote(word));
    }
}

void Parser::parse_include(Statement& st) {
    if (st.done()) {
        error(st, "'include' needs a file name");
        return;
    }
    while (const Token* name = st.next()) {
        std::string path = relative_to(st.where(), name->text);
        if (!has_wildcard(path)) {
            parse_file(path, &st.where());
            continue;
        }
        // squid: `include /etc/squid/conf.d/*.conf`; the files in glob's (sorted) order.
        glob_t found{};
        int rc = ::glob(path.c_str(), 0, nullptr, &found);
        if (rc == GLOB_NOMATCH) error(st, "include: no file matches '" + path + "'");
        if (rc == 0)
            for (std::size_t i = 0; i < found.gl_pathc; ++i)
                parse_file(found.gl_pathv[i], &st.where());
        ::globfree(&found);
    }
}

void Parser::parse_http_port(Statement& st) {
    const Token* spec = st.next();
    if (spec == nullptr) {
        error(st, "'http_port' needs a port");
        return;
    }
    HttpPort port;
    port.where = st.where();
    port.name = spec->text;
    std::string_view text = spec->text;
    std::string_view number = text;
    if (auto colon = text.rfind(':'); colon != std::string_view::npos) {
        std::string_view host = text.substr(0, colon);
        number = text.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        else if (host.find(':') != std::string_view::npos)
            host = {}; // an IPv6 address needs brackets before its port
        port.address = common::IpAddress::parse(host);
        if (!port.address) {
            error(st, "invalid http_port address " + quote(text.substr(0, colon)) +
                          " (a numeric address, [IPv6] in brackets; names are not resolved)");
            return;
        }
    }
    auto value = parse_integer(number, 65535);
    if (!value || *value == 0) {
        error(st, "invalid http_port port " + quote(number) + " (1..65535)");
        return;
    }
    port.port = static_cast<std::uint16_t>(*value);
    bool ok = true;
    while (const Token* option = st.next()) {
        std::string_view key = std::string_view(option->text).substr(0, option->text.find('='));
        if (key == "name" && option->text.size() > 5) {
            port.name = option->text.substr(5);
        } else if (std::ranges::find(unsupported_port_options, key) !=
                   std::end(unsupported_port_options)) {
            error(st, "http_port option " + quote(key) + " is not supported");
            ok = false;
        } else {
            error(st, "unknown http_port option " + quote(option->text));
            ok = false;
        }
    }
    for (const auto& other : config_.http_ports) {
        if (other.port == port.port && other.address == port.address) {
            error(st, "http_port " + quote(text) + " is already at " +
                          where_text(other.where, st.where()));
            return;
        }
    }
    if (ok) config_.http_ports.push_back(std::move(port));
}

void Parser::parse_access_log(Statement& st) {
    const Token* place = st.next();
    if (place == nullptr) {
        error(st, "'access_log' needs a file name or 'none'");
        return;
    }
    AccessLog log;
    log.where = st.where();
    std::string_view text = place->text;
    if (text == "none") {
        // squid: `access_log none [ACL ...]` logs nothing for the requests that match.
    } else if (text.starts_with("stdio:") && text.size() > 6) {
        log.path = text.substr(6);
    } else if (auto colon = text.find(':');
               colon != std::string_view::npos && text.front() != '/') {
        error(st, "access_log module " + quote(text.substr(0, colon)) +
                      " is not supported (only stdio:PATH)");
        return;
    } else {
        log.path = text;
    }
    if (const Token* format = st.peek(); format != nullptr && !format->quoted) {
        std::string_view name = format->text;
        bool named = name.starts_with("logformat=");
        if (named) name.remove_prefix(10);
        if (named || std::ranges::find(log_formats, name) != std::end(log_formats)) {
            st.next();
            if (name != "squid") {
                error(st, "access_log format " + quote(name) +
                              " is not supported (only 'squid', squid's native format)");
                return;
            }
        }
    }
    if (const Token* option = st.peek();
        option != nullptr && option->text.find('=') != std::string::npos) {
        error(st, "access_log option " + quote(option->text) + " is not supported");
        return;
    }
    if (!read_acl_refs(st, log.acls)) return;
    config_.access_logs.push_back(std::move(log));
}

void Parser::parse_string(Statement& st, std::optional<Setting<std::string>>& slot) {
    const Token* value = st.next();
    if (value == nullptr || value->text.empty()) {
        error(st, quote(st.directive()) + " needs a value");
        return;
    }
    std::string text = value->text;
    if (!end(st)) return;
    slot = Setting<std::string>{std::move(text), st.where()}; // the last one wins, as in squid
}

void Parser::parse_on_off(Statement& st, Setting<bool>& slot) {
    const Token* value = st.next();
    if (value == nullptr || (value->text != "on" && value->text != "off")) {
        error(st, quote(st.directive()) + " needs 'on' or 'off'");
        return;
    }
    bool on = value->text == "on";
    if (!end(st)) return;
    slot = {on, st.where()};
}

void Parser::parse_forwarded_for(Statement& st) {
    const Token* value = st.next();
    std::string_view text = value == nullptr ? std::string_view{} : value->text;
    std::optional<ForwardedFor> ff;
    for (auto v : {ForwardedFor::on, ForwardedFor::off, ForwardedFor::transparent,
                   ForwardedFor::delete_header, ForwardedFor::truncate})
        if (to_string(v) == text) ff = v;
    if (!ff) {
        error(st, "'forwarded_for' needs on, off, transparent, delete or truncate");
        return;
    }
    if (!end(st)) return;
    config_.forwarded_for = {*ff, st.where()};
}

void Parser::parse_max_filedescriptors(Statement& st) {
    const Token* value = st.next();
    auto n = value == nullptr ? std::nullopt : parse_integer(value->text, 1 << 24);
    if (!n) {
        error(st, "'max_filedescriptors' needs a number (0..16777216)");
        return;
    }
    if (!end(st)) return;
    config_.max_filedescriptors = Setting<int>{static_cast<int>(*n), st.where()};
}

void Parser::parse_client_ip_max_connections(Statement& st) {
    const Token* value = st.next();
    std::optional<std::uint64_t> n;
    if (value != nullptr && value->text == "-1")
        n = 0; // squid's "no limit"
    else if (value != nullptr)
        n = parse_integer(value->text, 1 << 24);
    if (!n || (value->text != "-1" && *n == 0)) {
        error(st, "'client_ip_max_connections' needs a number (1..16777216), or -1 for no limit");
        return;
    }
    if (!end(st)) return;
    config_.client_ip_max_connections = Setting<int>{static_cast<int>(*n), st.where()};
}

bool Parser::end(Statement& st) {
    const Token* extra = st.next();
    if (extra == nullptr) return true;
    error(st, "unexpected " + quote(extra->text) + " in " + quote(st.directive()));
    return false;
}

} // namespace superd::proxy::detail

namespace superd::proxy {

std::string_view to_string(ForwardedFor value) {
    switch (value) {
    case ForwardedFor::on:
        return "on";
    case ForwardedFor::off:
        return "off";
    case ForwardedFor::transparent:
        return "transparent";
    case ForwardedFor::delete_header:
        return "delete";
    case ForwardedFor::truncate:
        return "truncate";
    }
    return "on";
}

RefreshPattern refresh_defaults() {
    // squid's REFRESH_DEFAULT_MIN/PCT/MAX: 0 minutes, 20%, 3 days.
    std::string error;
    RefreshPattern p;
    p.regex = *Regex::compile(".", false, error);
    return p;
}

const RefreshPattern* Config::refresh_pattern_for(const std::string& url) const {
    auto it = std::ranges::find_if(refresh_patterns,
                                   [&](const RefreshPattern& p) { return p.regex.search(url); });
    return it == refresh_patterns.end() ? nullptr : &*it;
}

std::optional<std::uint64_t> Config::reply_body_limit(const RequestFacts& facts) const {
    for (const auto& limit : reply_body_max_size)
        if (all_match(limit.acls, acls, facts)) return limit.bytes;
    return std::nullopt;
}

const CachePeer* Config::find_peer(std::string_view name) const {
    std::string key = detail::lower(name);
    auto it = std::ranges::find_if(
        cache_peers, [&](const CachePeer& p) { return detail::lower(p.name) == key; });
    return it == cache_peers.end() ? nullptr : &*it;
}

Config load_config(const std::string& path, common::Diagnostics& diags) {
    detail::Parser parser(diags);
    parser.parse_file(path, nullptr);
    return std::move(parser).finish();
}

} // namespace superd::proxy
