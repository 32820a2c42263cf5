#include "common/privileges.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace superd::common {

namespace {

// All digits, fitting in a uid_t/gid_t, and not the reserved (id_t)-1.
std::optional<std::uint32_t> parse_id(std::string_view text) {
    if (text.empty() || text.size() > 10) return std::nullopt;
    if (!std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    if (value >= 0xFFFFFFFFu) return std::nullopt;
    return static_cast<std::uint32_t>(value);
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

// Runs a get*_r lookup with a buffer grown on ERANGE. Returns the errno of the lookup, 0 with
// *found null when there is no entry.
template <typename Entry, typename Lookup>
int lookup_entry(Lookup lookup, Entry& entry, std::vector<char>& buffer, Entry** found) {
    buffer.resize(1024);
    for (;;) {
        int rc = lookup(&entry, buffer.data(), buffer.size(), found);
        if (rc != ERANGE || buffer.size() >= (1u << 24)) return rc;
        buffer.resize(buffer.size() * 2);
    }
}

struct PasswdInfo {
    uid_t uid;
    gid_t gid;
    std::string name;
};

std::expected<std::optional<PasswdInfo>, std::string> find_user_by_name(const std::string& name) {
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer;
    int rc = lookup_entry([&](passwd* e, char* b, std::size_t n,
                              passwd** f) { return ::getpwnam_r(name.c_str(), e, b, n, f); },
                          entry, buffer, &found);
    if (rc != 0) return std::unexpected("user " + name + ": " + std::strerror(rc));
    if (found == nullptr) return std::optional<PasswdInfo>{};
    return PasswdInfo{found->pw_uid, found->pw_gid, found->pw_name};
}

std::expected<std::optional<PasswdInfo>, std::string> find_user_by_id(uid_t uid) {
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer;
    int rc = lookup_entry([&](passwd* e, char* b, std::size_t n,
                              passwd** f) { return ::getpwuid_r(uid, e, b, n, f); },
                          entry, buffer, &found);
    if (rc != 0) return std::unexpected("user " + std::to_string(uid) + ": " + std::strerror(rc));
    if (found == nullptr) return std::optional<PasswdInfo>{};
    return PasswdInfo{found->pw_uid, found->pw_gid, found->pw_name};
}

std::expected<std::vector<gid_t>, std::string> group_list(const std::string& user, gid_t gid) {
    std::vector<gid_t> groups(32);
    for (int attempt = 0; attempt < 8; ++attempt) {
        int count = static_cast<int>(groups.size());
        if (::getgrouplist(user.c_str(), gid, groups.data(), &count) >= 0) {
            groups.resize(static_cast<std::size_t>(count));
            return groups;
        }
        // count now holds the number needed (glibc); grow at least twofold in any case.
        groups.resize(std::max(static_cast<std::size_t>(count), groups.size() * 2));
    }
    return std::unexpected("user " + user + ": too many supplementary groups");
}

} // namespace

std::expected<gid_t, std::string> resolve_group(std::string_view group) {
    if (all_digits(group)) {
        auto id = parse_id(group);
        if (!id) return std::unexpected("invalid group id " + std::string(group));
        return static_cast<gid_t>(*id);
    }
    const std::string name(group);
    if (name.empty()) return std::unexpected(std::string("empty group name"));
    ::group entry{};
    ::group* found = nullptr;
    std::vector<char> buffer;
    int rc = lookup_entry([&](::group* e, char* b, std::size_t n,
                              ::group** f) { return ::getgrnam_r(name.c_str(), e, b, n, f); },
                          entry, buffer, &found);
    if (rc != 0) return std::unexpected("group " + name + ": " + std::strerror(rc));
    if (found == nullptr) return std::unexpected("unknown group " + name);
    return found->gr_gid;
}

std::expected<Credentials, std::string> resolve_credentials(std::string_view user,
                                                            std::optional<std::string_view> group,
                                                            bool init_groups) {
    Credentials creds;
    if (all_digits(user)) {
        auto id = parse_id(user);
        if (!id) return std::unexpected("invalid user id " + std::string(user));
        creds.uid = static_cast<uid_t>(*id);
        auto entry = find_user_by_id(creds.uid);
        if (!entry) return std::unexpected(std::move(entry.error()));
        if (*entry) {
            creds.gid = (*entry)->gid;
            creds.user_name = std::move((*entry)->name);
        } else {
            // As xinetd: a numeric user without a passwd entry gets the same number as group.
            creds.gid = static_cast<gid_t>(*id);
        }
    } else {
        const std::string name(user);
        if (name.empty()) return std::unexpected(std::string("empty user name"));
        auto entry = find_user_by_name(name);
        if (!entry) return std::unexpected(std::move(entry.error()));
        if (!*entry) return std::unexpected("unknown user " + name);
        creds.uid = (*entry)->uid;
        creds.gid = (*entry)->gid;
        creds.user_name = std::move((*entry)->name);
    }

    if (group) {
        auto gid = resolve_group(*group);
        if (!gid) return std::unexpected(std::move(gid.error()));
        creds.gid = *gid;
    }

    // initgroups needs a user name; a numeric user without a passwd entry gets no supplementary
    // groups.
    if (init_groups && !creds.user_name.empty()) {
        auto groups = group_list(creds.user_name, creds.gid);
        if (!groups) return std::unexpected(std::move(groups.error()));
        creds.groups = std::move(*groups);
    }
    return creds;
}

int apply_credentials(const Credentials& creds) noexcept {
    // Order matters: groups and gid need privilege, so they go before the uid.
    int rc = creds.groups.empty() ? ::setgroups(0, nullptr)
                                  : ::setgroups(creds.groups.size(), creds.groups.data());
    if (rc != 0) return errno;
    if (::setresgid(creds.gid, creds.gid, creds.gid) != 0) return errno;
    if (::setresuid(creds.uid, creds.uid, creds.uid) != 0) return errno;

    uid_t ruid = 0, euid = 0, suid = 0;
    gid_t rgid = 0, egid = 0, sgid = 0;
    if (::getresuid(&ruid, &euid, &suid) != 0 || ::getresgid(&rgid, &egid, &sgid) != 0) {
        return errno;
    }
    if (ruid != creds.uid || euid != creds.uid || suid != creds.uid) return EPERM;
    if (rgid != creds.gid || egid != creds.gid || sgid != creds.gid) return EPERM;
    // Having dropped root, getting it back must be impossible.
    if (creds.uid != 0 && ::setuid(0) == 0) return EPERM;
    return 0;
}

} // namespace superd::common
