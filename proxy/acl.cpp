#include "proxy/acl.hpp"

#include "common/config_lines.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>

#include <regex.h>

namespace superd::proxy {

namespace {

using common::IpAddress;
using common::quote;

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::string upper(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

// The last address of a prefix: the network with every host bit set.
IpAddress prefix_last(const IpAddress& network, int len) {
    if (network.is_v4()) {
        std::uint32_t host = len >= 32 ? 0 : (0xFFFFFFFFu >> len);
        return IpAddress::v4(network.v4_host_order() | host);
    }
    auto bytes = network.v6_bytes();
    for (int bit = std::max(len, 0); bit < 128; ++bit)
        bytes[static_cast<std::size_t>(bit / 8)] |= static_cast<std::uint8_t>(0x80 >> (bit % 8));
    return IpAddress::v6(bytes);
}

AddressRange range_of(const common::Cidr& cidr) {
    return {cidr.network(), prefix_last(cidr.network(), cidr.prefix_len())};
}

// A dotted IPv4 netmask as a prefix length; nullopt when not contiguous.
std::optional<int> mask_length(std::string_view text) {
    auto mask = IpAddress::parse(text);
    if (!mask || !mask->is_v4()) return std::nullopt;
    std::uint32_t m = mask->v4_host_order();
    int len = std::countl_one(m);
    if (len < 32 && (m << len) != 0) return std::nullopt;
    return len;
}

std::string not_an_address(std::string_view text) {
    // squid resolves names here at start-up; we never do DNS while parsing.
    return quote(text) + " is not an IP address, range or CIDR (host names are not resolved)";
}

std::optional<std::string> parse_address(std::string_view text, std::vector<AddressRange>& out) {
    if (text == "all") {
        // squid 3.2+: `all` is every IPv4 and every IPv6 address.
        out.push_back(range_of(common::Cidr(IpAddress::v4(0), 0)));
        out.push_back(range_of(common::Cidr(IpAddress::v6({}), 0)));
        return std::nullopt;
    }
    if (auto dash = text.find('-'); dash != std::string_view::npos) {
        auto first = IpAddress::parse(text.substr(0, dash));
        auto last = IpAddress::parse(text.substr(dash + 1));
        if (!first && !last) return not_an_address(text); // a host name with a dash
        if (!first || !last) return "invalid address range " + quote(text);
        if (first->is_v4() != last->is_v4())
            return "address range " + quote(text) + " mixes IPv4 and IPv6";
        if (*last < *first) return "address range " + quote(text) + " ends before it starts";
        out.push_back({*first, *last});
        return std::nullopt;
    }
    if (auto slash = text.find('/'); slash != std::string_view::npos) {
        std::string_view mask = text.substr(slash + 1);
        if (mask.find('.') != std::string_view::npos) {
            auto len = mask_length(mask);
            auto network = IpAddress::parse(text.substr(0, slash));
            if (!len || !network || !network->is_v4()) return "invalid address/mask " + quote(text);
            out.push_back(range_of(common::Cidr(*network, *len)));
            return std::nullopt;
        }
    }
    auto cidr = common::Cidr::parse(text);
    if (!cidr) return not_an_address(text);
    out.push_back(range_of(*cidr));
    return std::nullopt;
}

std::optional<std::string> parse_domain(std::string_view text, std::vector<std::string>& out) {
    std::string domain = lower(text);
    if (domain.size() > 1 && domain.ends_with('.')) domain.pop_back();
    if (domain.empty() || domain == "." || domain.find('/') != std::string::npos)
        return "invalid domain " + quote(text);
    out.push_back(std::move(domain));
    return std::nullopt;
}

std::optional<int> parse_number(std::string_view text, int lo, int hi) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < lo ||
        value > hi)
        return std::nullopt;
    return value;
}

std::optional<std::string> parse_port(std::string_view text, std::vector<PortRange>& out) {
    auto dash = text.find('-');
    auto first = parse_number(text.substr(0, dash), 0, 65535);
    auto last =
        dash == std::string_view::npos ? first : parse_number(text.substr(dash + 1), 0, 65535);
    if (!first || !last) return "invalid port " + quote(text) + " (0..65535 or a range A-B)";
    if (*last < *first) return "port range " + quote(text) + " ends before it starts";
    out.push_back({static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last)});
    return std::nullopt;
}

bool is_token(std::string_view text) {
    // RFC 9110 tchar: what a method may be made of.
    return !text.empty() && std::ranges::all_of(text, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
    });
}

// squid's AnyP::ProtocolType names that a URL can carry.
constexpr std::array<std::string_view, 13> protocols = {
    "HTTP",  "HTTPS", "FTP",  "GOPHER", "WAIS", "CACHE_OBJECT", "URN",
    "WHOIS", "ICY",   "COAP", "COAPS",  "NONE", "AUTHORITY"};

// "HH:MM", 00:00..24:00.
std::optional<int> parse_clock(std::string_view text) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3)
        return std::nullopt;
    auto h = parse_number(text.substr(0, colon), 0, 24);
    auto m = parse_number(text.substr(colon + 1), 0, 59);
    if (!h || !m || (*h == 24 && *m != 0)) return std::nullopt;
    return *h * 60 + *m;
}

std::optional<std::string> parse_days(std::string_view text, std::uint8_t& days) {
    days = 0;
    for (char c : text) {
        const char* letters = "SMTWHFA";
        if (c == 'D') {
            days |= 0x3E; // squid: D is every weekday, Monday to Friday
        } else if (const char* at = std::strchr(letters, c); at != nullptr && c != '\0') {
            days |= static_cast<std::uint8_t>(1u << (at - letters));
        } else {
            return "invalid day " + quote(std::string(1, c)) + " in " + quote(text) +
                   " (days are S M T W H F A, D for Monday to Friday)";
        }
    }
    return std::nullopt;
}

void parse_times(std::span<const std::string> words, std::vector<TimeSpan>& out,
                 std::vector<std::string>& errors) {
    std::uint8_t days = 0x7F;
    bool days_pending = false; // days written and not yet used by a time range
    for (const auto& word : words) {
        if (!word.empty() && word[0] >= 'A' && word[0] <= 'Z') {
            if (auto err = parse_days(word, days)) {
                errors.push_back(*err);
                return;
            }
            days_pending = true;
            continue;
        }
        auto dash = word.find('-');
        auto first = parse_clock(std::string_view(word).substr(0, dash));
        auto last = dash == std::string::npos
                        ? std::nullopt
                        : parse_clock(std::string_view(word).substr(dash + 1));
        if (!first || !last) {
            errors.push_back("invalid time range " + quote(word) + " (expected HH:MM-HH:MM)");
            return;
        }
        if (*first >= *last) {
            errors.push_back("time range " + quote(word) + " ends before it starts");
            return;
        }
        out.push_back({days, *first, *last});
        days_pending = false;
    }
    if (days_pending) out.push_back({days, 0, 24 * 60});
}

// The URL's host without IPv6 brackets or a trailing dot, lower case.
std::string normal_host(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.size() > 1 && host.ends_with('.')) host.remove_suffix(1);
    return lower(host);
}

bool domain_matches(const std::vector<std::string>& domains, std::string_view name) {
    std::string host = normal_host(name);
    return std::ranges::any_of(domains, [&](const std::string& d) {
        if (d.front() != '.') return host == d;
        return host == std::string_view(d).substr(1) || host.ends_with(d);
    });
}

bool any_address(const std::vector<AddressRange>& ranges, const IpAddress& address) {
    return std::ranges::any_of(ranges, [&](const AddressRange& r) { return r.contains(address); });
}

// glibc's regcomp copies the subtree under `+` and `{n,m}`, so nested repetitions grow
// exponentially: "((a+)+)+..." or "(a{999}){999}" takes gigabytes. This bounds what a pattern
// expands to, and refuses adjacent repetition operators ("a++"), undefined in POSIX EREs.
constexpr double max_regex_nodes = 50'000;

std::optional<std::string> regex_too_complex(std::string_view p) {
    struct Frame {
        double sum = 0;  // what the group expands to so far
        double last = 0; // the last atom, which a repetition operator applies to
    };
    std::vector<Frame> stack(1);
    bool after_repeat = false;
    for (std::size_t i = 0; i < p.size(); ++i) {
        char c = p[i];
        bool repeat = c == '*' || c == '+' || c == '?' || c == '{';
        if (repeat && after_repeat)
            return "adjacent repetition operators are undefined in POSIX regular expressions";
        after_repeat = repeat;
        Frame& top = stack.back();
        double factor = 1;
        if (c == '+') {
            factor = 2;
        } else if (c == '{') {
            std::size_t close = p.find('}', i);
            if (close == std::string_view::npos) return std::nullopt; // regcomp reports it
            std::string_view body = p.substr(i + 1, close - i - 1);
            double highest = 1;
            for (std::size_t at = 0; at <= body.size();) {
                std::size_t comma = std::min(body.find(',', at), body.size());
                auto n = parse_number(body.substr(at, comma - at), 0, 1 << 30);
                highest = std::max(highest, n ? static_cast<double>(*n) + 1 : 2.0);
                at = comma + 1;
            }
            factor = highest;
            i = close;
        } else if (c == '*' || c == '?') {
            continue;
        } else if (c == '(') {
            stack.emplace_back();
            continue;
        } else if (c == ')' && stack.size() > 1) {
            double cost = std::max(stack.back().sum, 1.0);
            stack.pop_back();
            stack.back().sum += cost;
            stack.back().last = cost;
            continue;
        } else if (c == '|') {
            top.last = 0;
            continue;
        } else {
            if (c == '\\') ++i;
            if (c == '[') { // a bracket expression is one atom: skip to its ']'
                std::size_t j = i + 1;
                if (j < p.size() && p[j] == '^') ++j;
                if (j < p.size() && p[j] == ']') ++j;
                while (j < p.size() && p[j] != ']')
                    j += (p[j] == '[' && j + 1 < p.size() && std::strchr(":.=", p[j + 1]) &&
                          p.find(']', j + 2) != std::string_view::npos)
                             ? p.find(']', j + 2) - j + 1
                             : 1;
                i = j;
            }
            top.sum += 1;
            top.last = 1;
            continue;
        }
        top.sum += top.last * (factor - 1);
        top.last *= factor;
        if (top.sum > max_regex_nodes) break;
    }
    double total = 0;
    for (const auto& f : stack)
        total += f.sum;
    if (total > max_regex_nodes) return "regular expression is too complex (nested repetitions)";
    return std::nullopt;
}

} // namespace

std::string_view to_string(AclType type) {
    switch (type) {
    case AclType::src:
        return "src";
    case AclType::dst:
        return "dst";
    case AclType::srcdomain:
        return "srcdomain";
    case AclType::dstdomain:
        return "dstdomain";
    case AclType::port:
        return "port";
    case AclType::method:
        return "method";
    case AclType::proto:
        return "proto";
    case AclType::time:
        return "time";
    case AclType::url_regex:
        return "url_regex";
    case AclType::dstdom_regex:
        return "dstdom_regex";
    }
    return "src";
}

std::optional<AclType> acl_type(std::string_view name) {
    for (auto t : {AclType::src, AclType::dst, AclType::srcdomain, AclType::dstdomain,
                   AclType::port, AclType::method, AclType::proto, AclType::time,
                   AclType::url_regex, AclType::dstdom_regex})
        if (to_string(t) == name) return t;
    return std::nullopt;
}

std::string_view to_string(Action action) {
    return action == Action::allow ? "allow" : "deny";
}

bool AddressRange::contains(const IpAddress& address) const {
    IpAddress a = address.unmapped();
    // IpAddress orders by family, then by the bytes in network order: numeric order.
    return a.is_v4() == first.is_v4() && first <= a && a <= last;
}

struct Regex::Compiled {
    regex_t re{};
    Compiled() = default;
    Compiled(const Compiled&) = delete;
    Compiled& operator=(const Compiled&) = delete;
    ~Compiled() { ::regfree(&re); }
};

std::optional<Regex> Regex::compile(std::string pattern, bool icase, std::string& error) {
    if (auto why = regex_too_complex(pattern)) {
        error = *why;
        return std::nullopt;
    }
    auto compiled = std::make_shared<Compiled>();
    int flags = REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0);
    if (int rc = ::regcomp(&compiled->re, pattern.c_str(), flags); rc != 0) {
        char buffer[256];
        ::regerror(rc, &compiled->re, buffer, sizeof buffer);
        // regcomp leaves nothing to free after a failure; the empty regex_t is freed instead.
        std::memset(&compiled->re, 0, sizeof compiled->re);
        error = buffer;
        return std::nullopt;
    }
    Regex regex;
    regex.compiled_ = std::move(compiled);
    regex.pattern_ = std::move(pattern);
    regex.icase_ = icase;
    return regex;
}

bool Regex::search(const std::string& text) const {
    return compiled_ && ::regexec(&compiled_->re, text.c_str(), 0, nullptr, 0) == 0;
}

bool Acl::matches(const RequestFacts& facts) const {
    switch (type) {
    case AclType::src:
        return any_address(addresses, facts.client);
    case AclType::dst: {
        auto ip = facts.dst_ip ? facts.dst_ip : IpAddress::parse(normal_host(facts.host));
        return ip && any_address(addresses, *ip);
    }
    case AclType::srcdomain:
        return facts.client_name && domain_matches(domains, *facts.client_name);
    case AclType::dstdomain:
        return domain_matches(domains, facts.host);
    case AclType::port:
        return std::ranges::any_of(ports, [&](const PortRange& r) {
            return facts.port >= r.first && facts.port <= r.last;
        });
    case AclType::method:
        return std::ranges::find(words, facts.method) != words.end();
    case AclType::proto:
        return std::ranges::find(words, upper(facts.scheme)) != words.end();
    case AclType::time:
        return std::ranges::any_of(times, [&](const TimeSpan& t) {
            return facts.weekday >= 0 && facts.weekday < 7 && (t.days >> facts.weekday & 1) != 0 &&
                   facts.minute_of_day >= t.first_minute && facts.minute_of_day <= t.last_minute;
        });
    case AclType::url_regex:
        return std::ranges::any_of(regexes, [&](const Regex& r) { return r.search(facts.url); });
    case AclType::dstdom_regex: {
        std::string host = normal_host(facts.host);
        return std::ranges::any_of(regexes, [&](const Regex& r) { return r.search(host); });
    }
    }
    return false;
}

std::vector<std::string> add_acl_values(Acl& acl, std::span<const std::string> words, bool& icase) {
    std::vector<std::string> errors;
    auto add = [&](std::optional<std::string> err) {
        if (err) errors.push_back(std::move(*err));
    };
    const bool regex_type = acl.type == AclType::url_regex || acl.type == AclType::dstdom_regex;
    const bool domain_type = acl.type == AclType::srcdomain || acl.type == AclType::dstdomain;
    if (acl.type == AclType::time) {
        parse_times(words, acl.times, errors);
        return errors;
    }
    bool flags_done = false; // squid's flags come before the values
    for (const auto& word : words) {
        if (regex_type && (word == "-i" || word == "+i")) {
            icase = word == "-i"; // may switch anywhere in a regex list, as in squid
            continue;
        }
        if (!flags_done && word == "--") {
            flags_done = true;
            continue;
        }
        if (!flags_done && domain_type && word == "-n") continue; // we never look names up
        // No value of these types starts with '-' (a port's may be "-5": a bad range).
        if (!regex_type && word.size() >= 2 && word[0] == '-' &&
            !(acl.type == AclType::port && word[1] >= '0' && word[1] <= '9')) {
            errors.push_back("option " + quote(word) + " is not valid for a '" +
                             std::string(to_string(acl.type)) + "' ACL");
            continue;
        }
        flags_done = true;
        switch (acl.type) {
        case AclType::src:
        case AclType::dst:
            add(parse_address(word, acl.addresses));
            break;
        case AclType::srcdomain:
        case AclType::dstdomain:
            add(parse_domain(word, acl.domains));
            break;
        case AclType::port:
            add(parse_port(word, acl.ports));
            break;
        case AclType::method:
            if (is_token(word))
                acl.words.push_back(word);
            else
                errors.push_back("invalid method " + quote(word));
            break;
        case AclType::proto:
            if (std::ranges::find(protocols, upper(word)) != protocols.end())
                acl.words.push_back(upper(word));
            else
                errors.push_back("unknown protocol " + quote(word));
            break;
        case AclType::url_regex:
        case AclType::dstdom_regex: {
            std::string why;
            if (auto re = Regex::compile(word, icase, why))
                acl.regexes.push_back(std::move(*re));
            else
                errors.push_back("invalid regular expression " + quote(word) + ": " + why);
            break;
        }
        case AclType::time:
            break;
        }
    }
    return errors;
}

AclTable::AclTable() {
    auto predefined = [&](std::string name, AclType type, std::vector<std::string> values) {
        Acl& acl = add(std::move(name), type, {});
        acl.predefined = true;
        bool icase = false;
        add_acl_values(acl, values, icase);
    };
    // squid 5/6's built-in definitions (cf.data.pre), which squid.conf may extend but not retype.
    predefined("all", AclType::src, {"all"});
    predefined("localhost", AclType::src, {"127.0.0.1/32", "::1"});
    predefined("to_localhost", AclType::dst, {"127.0.0.0/8", "0.0.0.0/32", "::1/128", "::/128"});
    predefined("manager", AclType::url_regex,
               {"-i", "^cache_object://", "+i", "^[^:]+://[^/]+/squid-internal-mgr/"});
}

const Acl* AclTable::find(std::string_view name) const {
    auto it = by_name_.find(lower(name));
    return it == by_name_.end() ? nullptr : &it->second;
}

Acl* AclTable::find(std::string_view name) {
    auto it = by_name_.find(lower(name));
    return it == by_name_.end() ? nullptr : &it->second;
}

Acl& AclTable::add(std::string name, AclType type, SourceLocation where) {
    std::string key = lower(name);
    Acl& acl = by_name_[key];
    acl = Acl{};
    acl.name = std::move(name);
    acl.type = type;
    acl.where = std::move(where);
    return acl;
}

bool all_match(const std::vector<AclRef>& refs, const AclTable& acls, const RequestFacts& facts) {
    return std::ranges::all_of(refs, [&](const AclRef& ref) {
        const Acl* acl = acls.find(ref.name);
        return acl != nullptr && acl->matches(facts) != ref.negated;
    });
}

AccessResult check_access(const std::vector<AccessRule>& rules, const AclTable& acls,
                          const RequestFacts& facts, Action when_empty) {
    if (rules.empty()) return {when_empty, AccessResult::Decided::empty, {}};
    for (const auto& rule : rules)
        if (all_match(rule.acls, acls, facts))
            return {rule.action, AccessResult::Decided::rule, rule.where};
    // squid.conf.documented: "If none of the access lines cause a match, the default is the
    // opposite of the last line in the list", so a list ending in allow denies the rest.
    const AccessRule& last = rules.back();
    Action opposite = last.action == Action::allow ? Action::deny : Action::allow;
    return {opposite, AccessResult::Decided::implicit, last.where};
}

} // namespace superd::proxy
