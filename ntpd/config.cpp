// The ntp.conf reader: files and includes, the line tokenizer, the directive dispatch, paths and
// keys, and the value readers the other config_*.cpp files share. A bad statement is reported
// and skipped, and parsing goes on, so one run shows every error.
#include "ntpd/config.hpp"

#include "common/config_lines.hpp"
#include "ntpd/config_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace superd::ntp::detail {

namespace {

// Real ntp.conf(5) / ntpsec directives superd-ntpd does not implement: named as unsupported, so
// that the operator knows the config is valid for ntpd but not for superd-ntpd.
constexpr std::string_view unsupported_directives[] = {"authenticate",
                                                       "automax",
                                                       "broadcast",
                                                       "broadcastclient",
                                                       "broadcastdelay",
                                                       "calldelay",
                                                       "clientlimit",
                                                       "clientperiod",
                                                       "crypto",
                                                       "device",
                                                       "dscp",
                                                       "filegen",
                                                       "ident",
                                                       "keysdir",
                                                       "leapsmearinterval",
                                                       "manycastclient",
                                                       "manycastserver",
                                                       "mdnstries",
                                                       "mru",
                                                       "multicastclient",
                                                       "ntpsigndsocket",
                                                       "nts",
                                                       "phone",
                                                       "pidfile",
                                                       "pps",
                                                       "qos",
                                                       "refclock",
                                                       "reset",
                                                       "revoke",
                                                       "rlimit",
                                                       "saveconfigdir",
                                                       "setvar",
                                                       "statistics",
                                                       "statsdir",
                                                       "tick",
                                                       "trap",
                                                       "ttl",
                                                       "unconfig",
                                                       "unpeer",
                                                       "unrestrict"};

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

} // namespace

std::vector<Token> tokenize(std::string_view line, bool& unterminated) {
    std::vector<Token> tokens;
    unterminated = false;
    std::size_t i = 0;
    while (i < line.size()) {
        char c = line[i];
        if (is_blank(c)) {
            ++i;
        } else if (c == '#') {
            break;
        } else if (c == '"') {
            std::size_t close = line.find('"', i + 1);
            if (close == std::string_view::npos) {
                unterminated = true;
                close = line.size();
            }
            tokens.push_back({std::string(line.substr(i + 1, close - i - 1)), true});
            i = close + 1;
        } else if (c == '(' || c == ')') {
            tokens.push_back({std::string(1, c), false});
            ++i;
        } else {
            std::size_t start = i;
            while (i < line.size() && !is_blank(line[i]) && line[i] != '#' && line[i] != '"' &&
                   line[i] != '(' && line[i] != ')')
                ++i;
            tokens.push_back({std::string(line.substr(start, i - start)), false});
        }
    }
    return tokens;
}

std::string format_number(double value) {
    char buffer[32];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc{} ? std::string(buffer, end) : std::string("?");
}

bool is_host_name(std::string_view text) {
    if (text.empty() || text.size() > 253) return false;
    std::size_t label = 0;
    bool all_numeric = true;
    for (char c : text) {
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
            continue;
        }
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool digit = c >= '0' && c <= '9';
        if (!alpha && !digit && c != '-' && c != '_') return false;
        if (!digit) all_numeric = false;
        if (++label > 63) return false;
    }
    // All digits and dots is a mistyped IPv4 address, not a name.
    return !all_numeric;
}

void Parser::parse_file(const std::string& path, const SourceLocation* from) {
    auto lines = includes_.enter(path, from, diags_);
    if (!lines) return;
    for (auto& line : *lines) {
        bool unterminated = false;
        auto tokens = tokenize(line.text, unterminated);
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
    } else if (word == "server") {
        parse_server(st, ServerKind::server);
    } else if (word == "pool") {
        parse_server(st, ServerKind::pool);
    } else if (word == "peer") {
        parse_server(st, ServerKind::peer);
    } else if (word == "fudge") {
        parse_fudge(st);
    } else if (word == "restrict") {
        parse_restrict(st);
    } else if (word == "interface" || word == "nic") {
        parse_interface(st);
    } else if (word == "tos") {
        parse_tos(st);
    } else if (word == "discard") {
        parse_discard(st);
    } else if (word == "enable" || word == "disable") {
        parse_enable(st, word == "enable");
    } else if (word == "tinker") {
        parse_tinker(st);
    } else if (word == "logconfig") {
        parse_logconfig(st);
    } else if (word == "driftfile") {
        parse_path(st, config_.driftfile);
    } else if (word == "keys") {
        parse_path(st, config_.keys_file);
    } else if (word == "leapfile") {
        parse_path(st, config_.leapfile);
    } else if (word == "logfile") {
        parse_path(st, config_.logfile);
    } else if (word == "statefile") {
        parse_path(st, config_.statefile);
    } else if (word == "includefile") {
        parse_include(st);
    } else if (word == "trustedkey") {
        parse_trustedkey(st);
    } else if (word == "controlkey") {
        parse_key(st, config_.control_key);
    } else if (word == "requestkey") {
        parse_key(st, config_.request_key);
    } else if (std::ranges::find(unsupported_directives, word) !=
               std::end(unsupported_directives)) {
        error(st, "directive " + quote(word) + " is not supported");
    } else {
        error(st, "unknown directive " + quote(word));
    }
}

void Parser::parse_path(Statement& st, std::optional<Setting<std::string>>& slot) {
    const Token* path = st.next();
    if (path == nullptr || path->text.empty()) {
        error(st, quote(st.directive()) + " needs a file name");
        return;
    }
    std::string value = path->text;
    if (!end(st)) return;
    slot = Setting<std::string>{std::move(value), st.where()}; // the last one wins, as in ntpd
}

void Parser::parse_include(Statement& st) {
    const Token* name = st.next();
    if (name == nullptr || name->text.empty()) {
        error(st, "'includefile' needs a file name");
        return;
    }
    std::string path = name->text;
    if (!end(st)) return;
    if (path.front() != '/') {
        // Relative to the including file, not to the daemon's working folder.
        std::size_t slash = st.where().file.rfind('/');
        if (slash != std::string::npos) path = st.where().file.substr(0, slash + 1) + path;
    }
    parse_file(path, &st.where());
}

void Parser::parse_trustedkey(Statement& st) {
    if (st.done()) {
        error(st, "'trustedkey' needs a key number");
        return;
    }
    std::vector<KeyRange> keys;
    while (!st.done()) {
        if (!st.at("(")) {
            auto key = read_int(st, "trustedkey", 1, 65535);
            if (!key) return;
            auto k = static_cast<std::uint32_t>(*key);
            keys.push_back({k, k, st.where()});
            continue;
        }
        st.next();
        auto first = read_int(st, "trustedkey", 1, 65535);
        if (!first) return;
        if (!st.at("...")) {
            error(st, "expected '...' in a trustedkey range");
            return;
        }
        st.next();
        auto last = read_int(st, "trustedkey", 1, 65535);
        if (!last) return;
        if (!st.at(")")) {
            error(st, "expected ')' to close a trustedkey range");
            return;
        }
        st.next();
        if (*first > *last) {
            error(st, "trustedkey range (" + std::to_string(*first) + " ... " +
                          std::to_string(*last) + ") has its first key above its last");
            return;
        }
        keys.push_back(
            {static_cast<std::uint32_t>(*first), static_cast<std::uint32_t>(*last), st.where()});
    }
    config_.trusted_keys.insert(config_.trusted_keys.end(), keys.begin(), keys.end());
}

void Parser::parse_key(Statement& st, std::optional<Setting<std::uint32_t>>& slot) {
    auto key = read_int(st, st.directive(), 1, 65535);
    if (!key || !end(st)) return;
    slot = Setting<std::uint32_t>{static_cast<std::uint32_t>(*key), st.where()};
}

std::optional<long long> Parser::read_int(Statement& st, std::string_view what, long long lo,
                                          long long hi) {
    const Token* t = st.next();
    if (t == nullptr) {
        error(st, quote(what) + " needs a number");
        return std::nullopt;
    }
    std::string_view text = t->text;
    std::string_view digits = text.starts_with('-') ? text.substr(1) : text;
    if (digits.empty() ||
        !std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; })) {
        error(st, "invalid number " + quote(text) + " for " + quote(what));
        return std::nullopt;
    }
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || value < lo || value > hi) {
        error(st, std::string(what) + " " + t->text + " is out of range (" + std::to_string(lo) +
                      ".." + std::to_string(hi) + ")");
        return std::nullopt;
    }
    return value;
}

std::optional<double> Parser::read_double(Statement& st, std::string_view what, double lo,
                                          double hi) {
    const Token* t = st.next();
    if (t == nullptr) {
        error(st, quote(what) + " needs a number");
        return std::nullopt;
    }
    std::string_view text = t->text;
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    bool numeric = !text.empty() && (std::isdigit(static_cast<unsigned char>(text.back())) != 0);
    if (ec == std::errc::invalid_argument || end != text.data() + text.size() || !numeric) {
        error(st, "invalid number " + quote(text) + " for " + quote(what));
        return std::nullopt;
    }
    if (ec != std::errc{} || !std::isfinite(value) || value < lo || value > hi) {
        error(st, std::string(what) + " " + t->text + " is out of range (" + format_number(lo) +
                      ".." + format_number(hi) + ")");
        return std::nullopt;
    }
    return value;
}

bool Parser::end(Statement& st) {
    const Token* extra = st.next();
    if (extra == nullptr) return true;
    error(st, "unexpected " + quote(extra->text) + " in " + quote(st.directive()));
    return false;
}

Config Parser::finish() && {
    apply_fudges();
    check_tos();
    return std::move(config_);
}

} // namespace superd::ntp::detail

namespace superd::ntp {

std::string_view to_string(ServerKind kind) {
    switch (kind) {
    case ServerKind::server:
        return "server";
    case ServerKind::pool:
        return "pool";
    case ServerKind::peer:
        return "peer";
    }
    return "server";
}

bool ServerLine::is_local_clock() const {
    return ip && ip->is_v4() && (ip->v4_host_order() >> 8) == 0x7F7F01;
}

bool Config::trusted(std::uint32_t key) const {
    return std::ranges::any_of(
        trusted_keys, [key](const KeyRange& r) { return key >= r.first && key <= r.last; });
}

bool Config::enabled(SystemFlag flag) const {
    for (auto it = system_flags.rbegin(); it != system_flags.rend(); ++it)
        if (it->flag == flag) return it->enabled;
    return flag != SystemFlag::calibrate;
}

const ServerLine* Config::local_clock() const {
    auto it = std::ranges::find_if(servers, &ServerLine::is_local_clock);
    return it == servers.end() ? nullptr : &*it;
}

DiscardPolicy Config::discard_policy() const {
    DiscardPolicy policy;
    if (discard.average) policy.average_log2 = discard.average->value;
    if (discard.minimum) policy.minimum = discard.minimum->value;
    return policy;
}

Config load_config(const std::string& path, common::Diagnostics& diags) {
    detail::Parser parser(diags);
    parser.parse_file(path, nullptr);
    return std::move(parser).finish();
}

} // namespace superd::ntp
