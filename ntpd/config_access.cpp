// `restrict` and `interface` / `nic`: who may talk to the server, and where it listens.
//
//   restrict [-4|-6] default|source|ADDR[/LEN] [mask MASK] [ippeerlimit N] [flag ...]
//   interface|nic listen|ignore|drop all|ipv4|ipv6|wildcard|NAME|ADDR[/LEN]
//
// Addresses must be numeric (ntpd resolves a restrict host name once, at start-up; this parser
// resolves nothing). A mask must be contiguous and the address must have no host bits under it.
#include "ntpd/config_parser.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace superd::ntp::detail {

namespace {

constexpr std::pair<std::string_view, RestrictFlag> restrict_flag_names[] = {
    {"ignore", RestrictFlag::ignore},       {"noserve", RestrictFlag::noserve},
    {"nomodify", RestrictFlag::nomodify},   {"noquery", RestrictFlag::noquery},
    {"nopeer", RestrictFlag::nopeer},       {"noepeer", RestrictFlag::noepeer},
    {"notrap", RestrictFlag::notrap},       {"lowpriotrap", RestrictFlag::lowpriotrap},
    {"limited", RestrictFlag::limited},     {"kod", RestrictFlag::kod},
    {"nomrulist", RestrictFlag::nomrulist}, {"notrust", RestrictFlag::notrust},
    {"version", RestrictFlag::version},     {"ntpport", RestrictFlag::ntpport},
    {"mssntp", RestrictFlag::mssntp},       {"flake", RestrictFlag::flake},
};

// The prefix length of a contiguous mask (ones, then zeros), or nothing.
std::optional<int> mask_prefix(const common::IpAddress& mask) {
    std::size_t bytes = mask.is_v4() ? 4 : 16;
    const auto& b = mask.v6_bytes();
    int prefix = 0;
    bool in_zeros = false;
    for (std::size_t i = 0; i < bytes; ++i) {
        for (int bit = 7; bit >= 0; --bit) {
            bool one = ((b[i] >> bit) & 1) != 0;
            if (one && in_zeros) return std::nullopt;
            if (one) ++prefix;
            in_zeros = in_zeros || !one;
        }
    }
    return prefix;
}

std::string family_name(const common::IpAddress& ip) {
    return ip.is_v4() ? "IPv4" : "IPv6";
}

// An interface name as the kernel allows it (IFNAMSIZ - 1), and not a mistyped address.
bool is_interface_name(std::string_view text) {
    if (text.empty() || text.size() > 15) return false;
    if (text.find_first_of("/: \t") != std::string_view::npos) return false;
    return !std::ranges::all_of(text, [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

} // namespace

// Fills in default / source / the address and its family; reports and returns false otherwise.
bool Parser::parse_restrict_target(Statement& st, Restrict& entry, bool& has_prefix) {
    Family qualifier = Family::any;
    if (st.at("-4") || st.at("-6"))
        qualifier = st.next()->text == "-4" ? Family::ipv4 : Family::ipv6;
    const Token* target = st.next();
    if (target == nullptr) {
        error(st, "'restrict' needs an address, 'default' or 'source'");
        return false;
    }
    if (!target->quoted && target->text == "default") {
        entry.is_default = true;
        entry.family = qualifier;
        return true;
    }
    if (!target->quoted && target->text == "source") {
        if (qualifier != Family::any) {
            error(st, std::string(qualifier == Family::ipv4 ? "'-4'" : "'-6'") +
                          " does not go with 'restrict source'");
            return false;
        }
        entry.is_source = true;
        return true;
    }
    auto cidr = common::Cidr::parse(target->text);
    if (!cidr) {
        if (is_host_name(target->text)) {
            error(st, "restrict: host name '" + target->text +
                          "' is not supported; use a numeric address");
        } else {
            error(st, "invalid address '" + target->text + "'");
        }
        return false;
    }
    const common::IpAddress ip =
        *common::IpAddress::parse(std::string_view(target->text).substr(0, target->text.find('/')));
    if (qualifier != Family::any && ip.is_v4() != (qualifier == Family::ipv4)) {
        error(st, std::string(qualifier == Family::ipv4 ? "'-4'" : "'-6'") + " with the " +
                      family_name(ip) + " address " + ip.str());
        return false;
    }
    if (cidr->network() != ip) {
        error(st, "address " + ip.str() + " has host bits set for /" +
                      std::to_string(cidr->prefix_len()));
        return false;
    }
    entry.family = ip.is_v4() ? Family::ipv4 : Family::ipv6;
    entry.network = *cidr;
    has_prefix = target->text.find('/') != std::string::npos;
    return true;
}

void Parser::parse_restrict(Statement& st) {
    Restrict entry;
    entry.where = st.where();
    bool has_prefix = false; // ADDR/LEN: the mask is given already
    if (!parse_restrict_target(st, entry, has_prefix)) return;
    bool has_mask = false;
    bool ok = true;
    while (!st.done()) {
        const Token& t = *st.next();
        const std::string& word = t.text;
        if (word == "mask") {
            if (entry.is_default || entry.is_source) {
                error(st, std::string("'mask' does not go with 'restrict ") +
                              (entry.is_default ? "default'" : "source'"));
                return;
            }
            if (has_prefix || has_mask) {
                error(st, "a 'restrict' line has one mask (or /prefix length) at most");
                return;
            }
            const Token* text = st.next();
            if (text == nullptr) {
                error(st, "'mask' needs a mask");
                return;
            }
            auto mask = common::IpAddress::parse(text->text);
            const common::IpAddress& ip = entry.network.network();
            if (!mask || mask->is_v4() != ip.is_v4()) {
                error(st, "invalid mask '" + text->text + "' for the " + family_name(ip) +
                              " address " + ip.str());
                return;
            }
            auto prefix = mask_prefix(*mask);
            if (!prefix) {
                error(st, "mask " + text->text + " is not contiguous");
                return;
            }
            common::Cidr network(ip, *prefix);
            if (network.network() != ip) {
                error(st, "address " + ip.str() + " has host bits set for mask " + text->text);
                return;
            }
            entry.network = network;
            has_mask = true;
        } else if (word == "ippeerlimit") {
            auto limit = read_int(st, "ippeerlimit", -1, 65535);
            if (!limit) return;
            entry.ippeerlimit = static_cast<int>(*limit);
        } else if (word == "serverresponse") {
            if (!st.at("fuzz")) {
                error(st, "'serverresponse' needs 'fuzz'");
                return;
            }
            st.next();
            entry.flags |= RestrictFlag::serverresponse_fuzz;
        } else if (auto flag = restrict_flag(word); flag && !t.quoted) {
            entry.flags |= *flag;
        } else {
            // Every unknown flag on the line is named, not only the first.
            error(st, "unknown restrict flag '" + word + "'");
            ok = false;
        }
    }
    if (ok) config_.restricts.push_back(std::move(entry));
}

void Parser::parse_interface(Statement& st) {
    const std::string directive = st.directive();
    const Token* action = st.next();
    if (action == nullptr) {
        error(st, "'" + directive + "' needs listen, ignore or drop");
        return;
    }
    InterfaceRule rule;
    rule.where = st.where();
    if (action->text == "listen") {
        rule.action = InterfaceAction::listen;
    } else if (action->text == "ignore") {
        rule.action = InterfaceAction::ignore;
    } else if (action->text == "drop") {
        rule.action = InterfaceAction::drop;
    } else {
        error(st,
              "unknown " + directive + " action '" + action->text + "' (listen, ignore or drop)");
        return;
    }
    const Token* target = st.next();
    if (target == nullptr) {
        error(st, "'" + directive + " " + action->text +
                      "' needs all, ipv4, ipv6, wildcard, an interface name or an address");
        return;
    }
    const std::string& text = target->text;
    if (text == "all") {
        rule.match = InterfaceMatch::all;
    } else if (text == "ipv4") {
        rule.match = InterfaceMatch::ipv4;
    } else if (text == "ipv6") {
        rule.match = InterfaceMatch::ipv6;
    } else if (text == "wildcard") {
        rule.match = InterfaceMatch::wildcard;
    } else if (auto cidr = common::Cidr::parse(text)) {
        rule.match = InterfaceMatch::address;
        rule.address = *cidr;
    } else if (is_interface_name(text)) {
        rule.match = InterfaceMatch::name;
        rule.name = text;
    } else {
        error(st, "invalid interface or address '" + text + "'");
        return;
    }
    if (!end(st)) return;
    config_.interfaces.push_back(std::move(rule));
}

} // namespace superd::ntp::detail

namespace superd::ntp {

std::optional<RestrictFlag> restrict_flag(std::string_view name) {
    for (const auto& [text, flag] : detail::restrict_flag_names)
        if (text == name) return flag;
    return std::nullopt;
}

std::string to_string(RestrictFlags flags) {
    std::string out;
    auto add = [&out](std::string_view name) {
        if (!out.empty()) out += ' ';
        out += name;
    };
    for (const auto& [text, flag] : detail::restrict_flag_names)
        if (flags.has(flag)) add(text);
    if (flags.has(RestrictFlag::serverresponse_fuzz)) add("serverresponse fuzz");
    return out;
}

} // namespace superd::ntp
