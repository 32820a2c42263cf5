// The dhcpd.conf statement parser: declarations (subnet, host, group, shared-network, pool) make
// scopes, parameters land in the innermost one. A bad statement is reported and skipped, and
// parsing goes on, so one run shows every error.
#include "dhcpd/config.hpp"

#include "common/config_lines.hpp"
#include "dhcpd/config_parser.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace superd::dhcp::detail {

namespace {

// Bounds on untrusted nesting: each level costs stack.
constexpr int max_block_depth = 16;

// Real dhcpd.conf(5) statements this server does not implement: named as unsupported, so that
// the operator knows the config is valid ISC but not for superd-dhcpd.
constexpr std::string_view unsupported_statements[] = {"failover",
                                                       "key",
                                                       "zone",
                                                       "class",
                                                       "subclass",
                                                       "on",
                                                       "subnet6",
                                                       "range6",
                                                       "prefix6",
                                                       "fixed-address6",
                                                       "fixed-prefix6",
                                                       "ddns-updates",
                                                       "ddns-domainname",
                                                       "ddns-rev-domainname",
                                                       "ddns-hostname",
                                                       "ddns-ttl",
                                                       "update-static-leases",
                                                       "lease-file-name",
                                                       "pid-file-name",
                                                       "omapi-port",
                                                       "omapi-key",
                                                       "local-port",
                                                       "local-address",
                                                       "use-host-decl-names",
                                                       "get-lease-hostnames",
                                                       "one-lease-per-client",
                                                       "update-conflict-detection",
                                                       "always-broadcast",
                                                       "always-reply-rfc1048",
                                                       "boot-unknown-clients",
                                                       "dynamic-bootp-lease-length",
                                                       "dynamic-bootp-lease-cutoff",
                                                       "stash-agent-options",
                                                       "server-identifier",
                                                       "server-duid",
                                                       "ignore",
                                                       "match",
                                                       "spawn",
                                                       "lease",
                                                       "vendor-option-space",
                                                       "site-option-space",
                                                       "min-secs",
                                                       "db-time-format",
                                                       "adaptive-lease-time-threshold",
                                                       "abandon-lease-time",
                                                       "uid",
                                                       "client-updates",
                                                       "do-forward-updates",
                                                       "update-optimization",
                                                       "use-lease-addr-for-default-route",
                                                       "dhcp-cache-threshold",
                                                       "authoritative-mode",
                                                       "ping-timeout",
                                                       "server-id-check"};

bool contiguous(std::uint32_t mask) {
    std::uint32_t host = ~mask;
    return (host & (host + 1)) == 0;
}

std::optional<MacAddress> parse_mac(std::string_view text) {
    MacAddress mac{};
    for (std::size_t i = 0; i < mac.size(); ++i) {
        if (i > 0) {
            if (text.empty() || text.front() != ':') return std::nullopt;
            text.remove_prefix(1);
        }
        unsigned value = 256;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
        std::size_t used = static_cast<std::size_t>(end - text.data());
        if (ec != std::errc{} || used == 0 || used > 2) return std::nullopt;
        mac[i] = static_cast<std::uint8_t>(value);
        text.remove_prefix(used);
    }
    if (!text.empty()) return std::nullopt;
    return mac;
}

// Where each statement may appear (ISC is looser in places; these are the useful ones).
bool allowed(std::string_view statement, ScopeKind kind) {
    using enum ScopeKind;
    auto in = [kind](std::initializer_list<ScopeKind> kinds) {
        return std::ranges::find(kinds, kind) != kinds.end();
    };
    if (statement == "subnet") return in({global, group, shared_network});
    if (statement == "shared-network" || statement == "group") return in({global, group});
    if (statement == "host") return in({global, group, subnet});
    if (statement == "pool") return in({subnet, shared_network});
    if (statement == "range") return in({subnet, pool});
    if (statement == "hardware" || statement == "fixed-address") return kind == host;
    if (statement == "log-facility") return kind == global;
    return true;
}

std::string place(ScopeKind kind) {
    if (kind == ScopeKind::global) return "at the top level";
    return "inside a " + std::string(to_string(kind));
}

} // namespace

void Parser::parse_file(const std::string& path, const Frame& frame, const SourceLocation* from) {
    auto lines = includes_.enter(path, from, diags_);
    if (!lines) return;
    TokenCursor in(path, tokenize(*lines, path, diags_));
    parse_statements(in, frame, true);
    includes_.leave();
}

void Parser::parse_statements(TokenCursor& in, const Frame& frame, bool file_level) {
    while (!in.at(TokenKind::end)) {
        if (in.at(TokenKind::close_brace)) {
            if (!file_level) return;
            diags_.error(in.here(), "unbalanced braces: unexpected '}'");
            in.next();
            continue;
        }
        parse_statement(in, frame);
    }
}

void Parser::parse_statement(TokenCursor& in, const Frame& frame) {
    const Token& keyword = in.next();
    if (keyword.kind == TokenKind::semicolon) return; // an empty statement
    if (keyword.kind != TokenKind::word) {
        diags_.error(in.where(keyword), "unexpected '" + keyword.text + "'");
        if (keyword.kind == TokenKind::open_brace) {
            // Skip the rest of the stray block as well.
            while (!in.at(TokenKind::end) && !in.accept(TokenKind::close_brace))
                in.skip_statement();
        }
        return;
    }
    const std::string& word = keyword.text;
    if (frame.params && !allowed_in_if(word)) {
        diags_.error(in.where(keyword), "'" + word + "' is not allowed inside 'if'");
        in.skip_statement();
        return;
    }
    if (word == "elsif" || word == "else") {
        diags_.error(in.where(keyword), "'" + word + "' without 'if'");
        in.skip_statement();
        return;
    }
    if (!allowed(word, frame.kind)) {
        diags_.error(in.where(keyword), "'" + word + "' is not allowed " + place(frame.kind));
        in.skip_statement();
        return;
    }
    if (word == "subnet") {
        parse_subnet(in, keyword, frame);
    } else if (word == "shared-network" || word == "host") {
        parse_named(in, keyword, frame);
    } else if (word == "group") {
        Frame inner{ScopeKind::group, new_scope(ScopeKind::group, frame.scope)};
        parse_block(in, keyword, inner);
    } else if (word == "pool") {
        parse_pool(in, keyword, frame);
    } else if (word == "range") {
        parse_range(in, frame);
    } else if (word == "hardware") {
        parse_hardware(in, frame);
    } else if (word == "fixed-address") {
        parse_fixed_address(in, frame);
    } else if (word == "include") {
        parse_include(in, frame);
    } else if (word == "if") {
        parse_if(in, keyword, frame);
    } else if (word == "option") {
        auto option = parse_option(in, declarations_, diags_, frame.params == nullptr);
        if (!option) return;
        option->order = ++order_;
        auto& options = params(frame).options;
        auto same = std::ranges::find(options, option->code, &OptionValue::code);
        if (same != options.end()) {
            *same = std::move(*option);
        } else {
            options.push_back(std::move(*option));
        }
    } else if (!parse_parameter(in, keyword, frame)) {
        bool known =
            std::ranges::find(unsupported_statements, word) != std::end(unsupported_statements);
        diags_.error(in.where(keyword),
                     (known ? "unsupported statement '" : "unknown statement '") + word + "'");
        in.skip_statement();
    }
}

void Parser::parse_block(TokenCursor& in, const Token& keyword, const Frame& frame) {
    if (!in.at(TokenKind::open_brace)) {
        diags_.error(in.last(), "expected '{' after '" + keyword.text + "'");
        in.skip_statement();
        return;
    }
    if (block_depth_ >= max_block_depth) {
        diags_.error(in.here(),
                     "blocks nested more than " + std::to_string(max_block_depth) + " deep");
        in.skip_statement(); // skips the whole block
        return;
    }
    in.next();
    ++block_depth_;
    parse_statements(in, frame, false);
    --block_depth_;
    if (!in.accept(TokenKind::close_brace))
        diags_.error(in.where(keyword),
                     "unbalanced braces: '{' of '" + keyword.text + "' is never closed");
}

void Parser::parse_subnet(TokenCursor& in, const Token& keyword, const Frame& frame) {
    auto network = read_ip(in);
    if (!network) return in.skip_statement();
    if (!in.at_word("netmask")) {
        diags_.error(in.here(), "expected 'netmask' after 'subnet " + ipv4_string(*network) + "'");
        return in.skip_statement();
    }
    in.next();
    const Token& mask_token = in.next_value();
    auto mask = parse_ipv4(mask_token.text);
    if (mask_token.kind != TokenKind::word || !mask || !contiguous(*mask)) {
        diags_.error(in.where(mask_token), mask
                                               ? "netmask " + mask_token.text + " is not contiguous"
                                               : "invalid netmask '" + mask_token.text + "'");
        return in.skip_statement();
    }
    if ((*network & ~*mask) != 0) {
        diags_.error(in.where(keyword), "subnet " + ipv4_string(*network) +
                                            " has host bits set for netmask " + mask_token.text);
        return in.skip_statement();
    }
    Subnet subnet;
    subnet.network = *network;
    subnet.netmask = *mask;
    subnet.scope = new_scope(ScopeKind::subnet, frame.scope);
    subnet.shared_network = frame.shared_network;
    subnet.where = in.where(keyword);
    config_.subnets.push_back(std::move(subnet));
    Frame inner{ScopeKind::subnet, config_.subnets.back().scope, config_.subnets.size() - 1,
                frame.shared_network};
    parse_block(in, keyword, inner);
}

// `host NAME { ... }` and `shared-network NAME { ... }`.
void Parser::parse_named(TokenCursor& in, const Token& keyword, const Frame& frame) {
    auto name = read_word(in, keyword, false);
    if (!name) return in.skip_statement();
    if (keyword.text == "host") {
        Host host;
        host.name = std::move(*name);
        host.scope = new_scope(ScopeKind::host, frame.scope);
        if (frame.kind == ScopeKind::subnet) host.subnet = frame.subnet;
        host.where = in.where(keyword);
        config_.hosts.push_back(std::move(host));
        Frame inner{ScopeKind::host, config_.hosts.back().scope};
        inner.host = config_.hosts.size() - 1;
        return parse_block(in, keyword, inner);
    }
    SharedNetwork network{std::move(*name), new_scope(ScopeKind::shared_network, frame.scope),
                          in.where(keyword)};
    config_.shared_networks.push_back(std::move(network));
    Frame inner{ScopeKind::shared_network, config_.shared_networks.back().scope};
    inner.shared_network = config_.shared_networks.size() - 1;
    parse_block(in, keyword, inner);
}

void Parser::parse_pool(TokenCursor& in, const Token& keyword, const Frame& frame) {
    Pool pool;
    pool.scope = new_scope(ScopeKind::pool, frame.scope);
    if (frame.kind == ScopeKind::subnet) {
        pool.subnet = frame.subnet;
    } else {
        pool.shared_network = frame.shared_network;
    }
    pool.where = in.where(keyword);
    config_.pools.push_back(std::move(pool));
    Frame inner{ScopeKind::pool, config_.pools.back().scope, frame.subnet, frame.shared_network};
    inner.pool = config_.pools.size() - 1;
    parse_block(in, keyword, inner);
}

void Parser::parse_range(TokenCursor& in, const Frame& frame) {
    Range range;
    range.where = in.last();
    if (in.at_word("dynamic-bootp")) {
        in.next();
        range.dynamic_bootp = true;
    }
    auto low = read_ip(in);
    if (!low) return in.skip_statement();
    auto high = low;
    if (in.at(TokenKind::word) && in.peek().line == in.last().line) high = read_ip(in);
    if (!high) return in.skip_statement();
    if (*low > *high) {
        diags_.error(range.where, "range " + ipv4_string(*low) + " " + ipv4_string(*high) +
                                      " has its low address above its high address");
        return in.skip_statement();
    }
    range.low = *low;
    range.high = *high;
    auto& ranges =
        frame.pool ? config_.pools[*frame.pool].ranges : config_.subnets[*frame.subnet].ranges;
    ranges.push_back(range);
    in.end_statement("range", diags_);
}

void Parser::parse_hardware(TokenCursor& in, const Frame& frame) {
    const Token& type = in.next_value();
    if (type.kind != TokenKind::word || type.text != "ethernet") {
        diags_.error(in.where(type), "unsupported hardware type '" + type.text + "'");
        return in.skip_statement();
    }
    const Token& text = in.next_value();
    auto mac = parse_mac(text.text);
    if (text.kind != TokenKind::word || !mac) {
        diags_.error(in.where(text), "invalid hardware address '" + text.text + "'");
        return in.skip_statement();
    }
    set(config_.hosts[*frame.host].hardware_ethernet, *mac, in.where(type));
    in.end_statement("hardware ethernet", diags_);
}

void Parser::parse_fixed_address(TokenCursor& in, const Frame& frame) {
    Host& host = config_.hosts[*frame.host];
    host.fixed_address_where = in.last();
    std::vector<std::uint32_t> addresses;
    do {
        auto ip = read_ip(in);
        if (!ip) return in.skip_statement();
        addresses.push_back(*ip);
    } while (in.accept(TokenKind::comma));
    host.fixed_addresses = std::move(addresses);
    in.end_statement("fixed-address", diags_);
}

void Parser::parse_include(TokenCursor& in, const Frame& frame) {
    SourceLocation where = in.last();
    const Token& name = in.next_value();
    if (name.kind != TokenKind::string || name.text.empty()) {
        diags_.error(in.where(name), "'include' needs a quoted file name");
        return in.skip_statement();
    }
    std::string path = name.text;
    if (path.front() != '/') {
        // Relative to the including file, not to the daemon's working directory.
        std::size_t slash = in.file().rfind('/');
        if (slash != std::string::npos) path = in.file().substr(0, slash + 1) + path;
    }
    in.end_statement("include", diags_);
    parse_file(path, frame, &where);
}

} // namespace superd::dhcp::detail

namespace superd::dhcp {

Config load_config(const std::string& path, common::Diagnostics& diags) {
    detail::Parser parser(diags);
    parser.parse_file(path, detail::Frame{}, nullptr);
    Config config = std::move(parser).finish();
    detail::check_config(config, diags);
    return config;
}

} // namespace superd::dhcp
