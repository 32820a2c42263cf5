#pragma once
// Resolving users and groups, and dropping privileges (bind first, then drop).
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace superd::common {

struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups; // supplementary groups to set (empty = none)
    std::string user_name;     // empty for a numeric uid without a passwd entry
};

// user: a name from passwd or all digits. group: a name or all digits; when absent, the user's
// primary group (for an all-digits user without a passwd entry, the same number, as xinetd).
// init_groups: supplementary groups from the group database (initgroups); otherwise none.
std::expected<Credentials, std::string>
resolve_credentials(std::string_view user, std::optional<std::string_view> group, bool init_groups);
std::expected<gid_t, std::string> resolve_group(std::string_view group);

// setgroups + setresgid + setresuid, each result checked, then verified that the old ids cannot
// be regained. Async-signal-safe (no allocation): usable between fork and exec. Returns 0 or an
// errno value.
int apply_credentials(const Credentials& creds) noexcept;

} // namespace superd::common
