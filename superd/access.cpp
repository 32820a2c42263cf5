#include "superd/access.hpp"

#include <algorithm>
#include <cctype>

namespace superd::daemon {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// A reverse-lookup name may end in the root dot; patterns are written without it.
std::string canonical_name(const std::string& name) {
    std::string n = lower(name);
    if (!n.empty() && n.back() == '.') n.pop_back();
    return n;
}

bool any_match(const std::vector<AddressPattern>& list, const common::IpAddress& address,
               const std::optional<std::string>& name) {
    return std::any_of(list.begin(), list.end(),
                       [&](const AddressPattern& p) { return pattern_matches(p, address, name); });
}

} // namespace

bool pattern_matches(const AddressPattern& pattern, const common::IpAddress& address,
                     const std::optional<std::string>& name) {
    switch (pattern.kind) {
    case AddressPattern::Kind::cidr:
        return pattern.cidr.contains(address);
    case AddressPattern::Kind::host:
        return name && canonical_name(*name) == pattern.name;
    case AddressPattern::Kind::domain: {
        if (!name) return false;
        std::string n = canonical_name(*name);
        // ".example.com" matches "a.example.com" (and, as xinetd, "example.com" does not).
        return n.size() > pattern.name.size() && n.ends_with(pattern.name);
    }
    }
    return false;
}

bool needs_client_name(const ListAttributes& lists) {
    auto named = [](const AddressPattern& p) { return p.kind != AddressPattern::Kind::cidr; };
    return std::any_of(lists.only_from.begin(), lists.only_from.end(), named) ||
           std::any_of(lists.no_access.begin(), lists.no_access.end(), named);
}

AddressVerdict check_address(const ListAttributes& lists, const common::IpAddress& address,
                             const std::optional<std::string>& name) {
    bool only_from_given = lists.only_from_given || !lists.only_from.empty();
    bool allowed = only_from_given && any_match(lists.only_from, address, name);
    bool denied = any_match(lists.no_access, address, name);
    if (allowed && denied) return AddressVerdict::in_both;
    if (denied) return AddressVerdict::in_no_access;
    if (only_from_given && !allowed) return AddressVerdict::not_in_only_from;
    return AddressVerdict::allowed;
}

bool within_access_times(const std::vector<TimeInterval>& times, int minute_of_day) {
    if (times.empty()) return true;
    return std::any_of(times.begin(), times.end(), [&](const TimeInterval& t) {
        if (t.start_minute <= t.end_minute)
            return minute_of_day >= t.start_minute && minute_of_day <= t.end_minute;
        return minute_of_day >= t.start_minute || minute_of_day <= t.end_minute; // crosses midnight
    });
}

std::optional<std::string> limit_refusal(int instances, int per_source, int process_limit,
                                         const LimitCounts& counts) {
    if (instances != unlimited && counts.running >= instances) return "service_limit";
    if (per_source != unlimited && counts.from_source >= 0 && counts.from_source >= per_source)
        return "per_source_limit";
    if (process_limit > 0 && counts.total + 1 > process_limit) return "process_limit";
    return std::nullopt;
}

bool load_exceeded(double max_load, double load_one_minute) {
    return max_load > 0 && load_one_minute >= max_load;
}

} // namespace superd::daemon
