// `server`, `pool` and `peer` lines with their options, and `fudge` for the local clock
// (127.127.1.u, ntpd's LOCAL driver: the one reference clock superd-ntpd has).
#include "ntpd/config_parser.hpp"

#include <algorithm>
#include <cctype>
#include <span>

namespace superd::ntp::detail {

namespace {

// Server options of ntpd 4.2.8 and ntpsec that superd-ntpd does not implement, and which of
// them take a value (skipped with the option, so that it is not reported as an option too).
constexpr std::string_view unsupported_options[] = {
    "aead",  "ask",     "autokey",  "baud",    "bias",  "cookie", "expire", "flag1",   "flag2",
    "flag3", "flag4",   "holdover", "mode",    "noval", "nts",    "path",   "ppspath", "preempt",
    "refid", "require", "stratum",  "subtype", "time1", "time2",  "ttl",    "xleave"};
constexpr std::string_view options_with_value[] = {
    "aead",  "ask",     "baud",    "bias",     "cookie", "expire", "flag1",
    "flag2", "flag3",   "flag4",   "holdover", "mode",   "path",   "ppspath",
    "refid", "require", "stratum", "subtype",  "time1",  "time2",  "ttl"};

constexpr std::string_view unsupported_fudge_options[] = {"flag1", "flag2", "flag3",
                                                          "flag4", "time1", "time2"};

bool contains(std::span<const std::string_view> list, std::string_view word) {
    return std::ranges::find(list, word) != list.end();
}

bool is_refclock_address(const common::IpAddress& ip) {
    return ip.is_v4() && (ip.v4_host_order() >> 16) == 0x7F7F;
}

unsigned refclock_type(const common::IpAddress& ip) {
    return (ip.v4_host_order() >> 8) & 0xFF;
}

std::string unsupported_refclock(const std::string& address, unsigned type) {
    return "reference clock type " + std::to_string(type) + " (" + address +
           ") is not supported; only the local clock 127.127.1.u is";
}

std::string lower(std::string text) {
    std::ranges::transform(text, text.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

} // namespace

void Parser::parse_server(Statement& st, ServerKind kind) {
    const std::string name(to_string(kind));
    ServerLine server;
    server.kind = kind;
    server.where = st.where();
    if (st.at("-4") || st.at("-6"))
        server.family = st.next()->text == "-4" ? Family::ipv4 : Family::ipv6;
    const Token* address = st.next();
    if (address == nullptr) {
        error(st, "'" + name + "' needs an address");
        return;
    }
    server.address = address->text;
    server.ip = common::IpAddress::parse(address->text);
    if (!server.ip && !is_host_name(address->text)) {
        error(st, "invalid address '" + address->text + "'");
        return;
    }
    if (server.ip && server.family != Family::any &&
        server.ip->is_v4() != (server.family == Family::ipv4)) {
        error(st, std::string(server.family == Family::ipv4 ? "'-4'" : "'-6'") + " with the " +
                      (server.ip->is_v4() ? "IPv4" : "IPv6") + " address " + address->text);
        return;
    }
    if (server.ip && is_refclock_address(*server.ip)) {
        if (refclock_type(*server.ip) != 1) {
            error(st, unsupported_refclock(address->text, refclock_type(*server.ip)));
            return;
        }
        if (kind != ServerKind::server) {
            error(st, "the local clock " + address->text + " must be a 'server' line, not '" +
                          name + "'");
            return;
        }
    }

    // A bad option is reported and the others are still read, so that one run shows them all.
    bool min_set = false, max_set = false;
    while (!st.done())
        parse_server_option(st, server, min_set, max_set);
    if (server.minpoll > server.maxpoll) {
        if (min_set && max_set) {
            error(st, "minpoll " + std::to_string(server.minpoll) + " is above maxpoll " +
                          std::to_string(server.maxpoll));
        } else if (min_set) {
            server.maxpoll = server.minpoll; // `minpoll 12` alone raises the default maxpoll
        } else {
            server.minpoll = server.maxpoll; // `maxpoll 4` alone lowers the default minpoll
        }
    }

    std::string key = server.ip ? server.ip->str() : lower(server.address);
    auto [first, added] = server_lines_.try_emplace(key, st.where());
    if (!added) {
        error(st, "duplicate " + name + " " + server.address + " (first at " +
                      where_text(first->second, st.where()) + ")");
        return;
    }
    config_.servers.push_back(std::move(server));
}

bool Parser::parse_server_option(Statement& st, ServerLine& server, bool& min_set, bool& max_set) {
    const Token& option = *st.next();
    const std::string& word = option.text;
    const std::string name(to_string(server.kind));
    if (option.quoted) {
        error(st, "unknown option '" + word + "' in '" + name + "'");
        return false;
    }
    if (word == "iburst") {
        server.iburst = true;
    } else if (word == "burst") {
        server.burst = true;
    } else if (word == "prefer") {
        server.prefer = true;
    } else if (word == "noselect") {
        server.noselect = true;
    } else if (word == "true") {
        server.truechimer = true;
    } else if (word == "minpoll" || word == "maxpoll") {
        auto value = read_int(st, word, 3, 17);
        if (!value) return false;
        (word == "minpoll" ? server.minpoll : server.maxpoll) = static_cast<int>(*value);
        (word == "minpoll" ? min_set : max_set) = true;
    } else if (word == "key") {
        auto value = read_int(st, word, 1, 65535);
        if (!value) return false;
        server.key = static_cast<std::uint32_t>(*value);
    } else if (word == "version") {
        auto value = read_int(st, word, 1, 4);
        if (!value) return false;
        server.version = static_cast<int>(*value);
    } else if (contains(unsupported_options, word)) {
        error(st, "option '" + word + "' in '" + name + "' is not supported");
        if (contains(options_with_value, word)) st.next();
        return false;
    } else {
        error(st, "unknown option '" + word + "' in '" + name + "'");
        return false;
    }
    return true;
}

void Parser::parse_fudge(Statement& st) {
    const Token* address = st.next();
    if (address == nullptr) {
        error(st, "'fudge' needs an address");
        return;
    }
    auto ip = common::IpAddress::parse(address->text);
    if (!ip) {
        error(st, "invalid address '" + address->text + "'");
        return;
    }
    if (!is_refclock_address(*ip)) {
        error(st, "fudge " + address->text + ": not a reference clock address (127.127.t.u)");
        return;
    }
    if (refclock_type(*ip) != 1) {
        error(st, unsupported_refclock(address->text, refclock_type(*ip)));
        return;
    }
    if (st.done()) {
        error(st, "'fudge' needs an option (stratum or refid)");
        return;
    }
    Fudge fudge;
    fudge.where = st.where();
    while (!st.done()) {
        const Token& option = *st.next();
        const std::string& word = option.text;
        if (word == "stratum" && !option.quoted) {
            auto stratum = read_int(st, "fudge stratum", 0, 15);
            if (!stratum) return;
            fudge.stratum = static_cast<int>(*stratum);
        } else if (word == "refid" && !option.quoted) {
            const Token* refid = st.next();
            if (refid == nullptr || refid->text.empty()) {
                error(st, "'fudge refid' needs 1 to 4 characters");
                return;
            }
            if (refid->text.size() > 4) {
                error(st, "fudge refid '" + refid->text + "' is longer than 4 characters");
                return;
            }
            fudge.refid = refid->text;
        } else if (!option.quoted && contains(unsupported_fudge_options, word)) {
            error(st, "fudge option '" + word + "' is not supported");
            return;
        } else {
            error(st, "unknown fudge option '" + word + "'");
            return;
        }
    }
    fudges_.push_back({ip->str(), std::move(fudge)});
}

// ntpd applies fudges after every server line is read, so a fudge may come first.
void Parser::apply_fudges() {
    for (auto& pending : fudges_) {
        auto server = std::ranges::find_if(config_.servers, [&](const ServerLine& s) {
            return s.is_local_clock() && s.ip->str() == pending.address;
        });
        if (server == config_.servers.end()) {
            diags_.error(pending.fudge.where,
                         "fudge " + pending.address + ": no 'server " + pending.address + "' line");
            continue;
        }
        if (!server->fudge) server->fudge = Fudge{};
        if (pending.fudge.stratum) server->fudge->stratum = pending.fudge.stratum;
        if (pending.fudge.refid) server->fudge->refid = pending.fudge.refid;
        server->fudge->where = pending.fudge.where;
    }
}

} // namespace superd::ntp::detail
