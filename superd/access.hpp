#pragma once
// The access decisions superd makes for a request, as pure functions (time and load passed in):
// only_from / no_access, access_times, max_load. The order they are applied in, and libwrap,
// live in Service.
#include "superd/config.hpp"

#include "common/address.hpp"

#include <optional>
#include <string>
#include <vector>

namespace superd::daemon {

// xinetd's FAIL reason words (access.c).
inline constexpr const char* fail_address = "address";
inline constexpr const char* fail_time = "time";
inline constexpr const char* fail_load = "load";
inline constexpr const char* fail_libwrap = "libwrap";

// True when `pattern` matches the client: numeric/CIDR patterns by address (an IPv4 pattern
// also matches the v4-mapped IPv6 form), host names exactly and `.domain` patterns as a suffix
// of the client's reverse-lookup name (case-insensitive; no name, no match).
bool pattern_matches(const AddressPattern& pattern, const common::IpAddress& address,
                     const std::optional<std::string>& name);

// Whether a list holds name patterns, so that the client's name must be looked up first.
bool needs_client_name(const ListAttributes& lists);

enum class AddressVerdict { allowed, not_in_only_from, in_no_access, in_both };

// xinetd's decision (access.c): no lists, allowed; in both lists, denied (xinetd logs this as
// an error); in no_access, denied; only_from given (even empty) and no match, denied.
AddressVerdict check_address(const ListAttributes& lists, const common::IpAddress& address,
                             const std::optional<std::string>& name);

// access_times: true when `minute_of_day` (local time, 0..1439) lies in one of the intervals,
// bounds included. No intervals means always. Unlike xinetd, an interval whose end is before
// its start crosses midnight (22:00-6:00).
bool within_access_times(const std::vector<TimeInterval>& times, int minute_of_day);

// What the limits are checked against for one request.
struct LimitCounts {
    int running = 0;     // this service's servers (and relays, and requests being checked)
    int from_source = 0; // of those, the ones for the same client address (-1: no address)
    int total = 0;       // servers of every service (for -limit)
};

// instances, per_source, then -limit (process_limit, 0: none), with xinetd's FAIL words.
std::optional<std::string> limit_refusal(int instances, int per_source, int process_limit,
                                         const LimitCounts& counts);

// max_load: refused when the one-minute load average is at or above the limit (0: no limit).
bool load_exceeded(double max_load, double load_one_minute);

} // namespace superd::daemon
