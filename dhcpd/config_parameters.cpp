// The scope parameters of dhcpd.conf: lease times, authoritative, next-server, filename,
// server-name, allow/deny, ping-check, ddns-update-style, log-facility.
#include "dhcpd/config_parser.hpp"

#include <algorithm>
#include <charconv>

namespace superd::dhcp::detail {

namespace {

constexpr std::string_view log_facilities[] = {"kern",     "user",   "mail",   "daemon", "auth",
                                               "syslog",   "lpr",    "news",   "uucp",   "cron",
                                               "authpriv", "ftp",    "local0", "local1", "local2",
                                               "local3",   "local4", "local5", "local6", "local7"};

} // namespace

std::optional<std::uint32_t> Parser::read_ip(TokenCursor& in) {
    const Token& t = in.next_value();
    auto ip = t.kind == TokenKind::word ? parse_ipv4(t.text) : std::nullopt;
    if (!ip) diags_.error(in.where(t), "invalid IPv4 address '" + t.text + "'");
    return ip;
}

std::optional<std::string> Parser::read_word(TokenCursor& in, const Token& keyword, bool quoted) {
    const Token& t = in.next_value();
    bool ok = t.kind == TokenKind::string || (!quoted && t.kind == TokenKind::word);
    if (!ok) {
        diags_.error(in.where(t), "'" + keyword.text + "' needs " +
                                      (quoted ? "a quoted string" : "a name") + ", not '" + t.text +
                                      "'");
        return std::nullopt;
    }
    return t.text;
}

// `allow|deny booting|bootp|unknown-clients|known-clients;`
void Parser::parse_permit(TokenCursor& in, const Token& keyword, const Frame& frame) {
    bool allow = keyword.text == "allow";
    SourceLocation where = in.where(keyword);
    const Token& what = in.next_value();
    Parameters& p = params(frame);
    std::string statement = keyword.text + " " + what.text;
    if (what.text == "booting") {
        set(p.allow_booting, allow, where);
    } else if (what.text == "bootp") {
        set(p.allow_bootp, allow, where);
    } else if (what.text == "unknown-clients") {
        // Inside an `if`, ISC reads it as the parameter (boot-unknown-clients), never as a
        // pool permit: permits decide who may have the pool's addresses, not per request.
        if (frame.kind == ScopeKind::pool && !frame.params) {
            set(config_.pools[*frame.pool].unknown_clients, allow, where);
        } else {
            set(p.allow_unknown_clients, allow, where);
        }
    } else if (what.text == "known-clients" && frame.kind == ScopeKind::pool && !frame.params) {
        set(config_.pools[*frame.pool].known_clients, allow, where);
    } else if (what.text == "known-clients") {
        diags_.error(where, "'" + statement + "' is only allowed inside a pool" +
                                (frame.params ? ", outside 'if'" : ""));
        return in.skip_statement();
    } else {
        diags_.error(where, "unsupported statement '" + statement + "'");
        return in.skip_statement();
    }
    in.end_statement(statement, diags_);
}

void Parser::parse_seconds(TokenCursor& in, const Token& keyword,
                           std::optional<Setting<std::uint32_t>>& slot) {
    const Token& t = in.next_value();
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
    if (t.kind != TokenKind::word || ec != std::errc{} || end != t.text.data() + t.text.size()) {
        diags_.error(in.where(t), "'" + keyword.text +
                                      "' must be a non-negative number of seconds, not '" + t.text +
                                      "'");
        return in.skip_statement();
    }
    set(slot, value, in.where(keyword));
    in.end_statement(keyword.text, diags_);
}

// The scope parameters; false when `keyword` is none of them.
bool Parser::parse_parameter(TokenCursor& in, const Token& keyword, const Frame& frame) {
    const std::string& word = keyword.text;
    Parameters& p = params(frame);
    SourceLocation where = in.where(keyword);
    if (word == "default-lease-time") {
        parse_seconds(in, keyword, p.default_lease_time);
    } else if (word == "max-lease-time") {
        parse_seconds(in, keyword, p.max_lease_time);
    } else if (word == "min-lease-time") {
        parse_seconds(in, keyword, p.min_lease_time);
    } else if (word == "authoritative") {
        set(p.authoritative, true, where);
        in.end_statement(word, diags_);
    } else if (word == "not") {
        if (!in.at_word("authoritative")) {
            diags_.error(where, "unknown statement 'not " + in.peek().text + "'");
            in.skip_statement();
            return true;
        }
        in.next();
        set(p.authoritative, false, where);
        in.end_statement("not authoritative", diags_);
    } else if (word == "next-server") {
        auto ip = read_ip(in);
        if (!ip) {
            in.skip_statement();
            return true;
        }
        set(p.next_server, *ip, where);
        in.end_statement(word, diags_);
    } else if (word == "filename" || word == "server-name") {
        auto text = read_word(in, keyword, true);
        if (!text) {
            in.skip_statement();
            return true;
        }
        set(word == "filename" ? p.filename : p.server_name, std::move(*text), where);
        in.end_statement(word, diags_);
    } else if (word == "allow" || word == "deny") {
        parse_permit(in, keyword, frame);
    } else if (word == "ping-check") {
        const Token& t = in.next_value();
        bool on = t.text == "true" || t.text == "on";
        if (t.kind != TokenKind::word || !(on || t.text == "false" || t.text == "off")) {
            diags_.error(in.where(t), "'ping-check' must be true or false, not '" + t.text + "'");
            in.skip_statement();
            return true;
        }
        set(p.ping_check, on, where);
        in.end_statement(word, diags_);
    } else if (word == "ddns-update-style" || word == "log-facility") {
        auto value = read_word(in, keyword, false);
        if (!value) {
            in.skip_statement();
            return true;
        }
        bool style = word == "ddns-update-style";
        bool ok = style ? *value == "none"
                        : std::ranges::find(log_facilities, *value) != std::end(log_facilities);
        if (!ok) {
            diags_.error(where,
                         style ? "ddns-update-style '" + *value + "' is not supported (only 'none')"
                               : "unknown log-facility '" + *value + "'");
            in.skip_statement();
            return true;
        }
        set(style ? config_.ddns_update_style : config_.log_facility, std::move(*value), where);
        in.end_statement(word, diags_);
    } else {
        return false;
    }
    return true;
}

} // namespace superd::dhcp::detail
