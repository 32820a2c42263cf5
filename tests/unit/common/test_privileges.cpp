#include "common/privileges.hpp"

#include <algorithm>
#include <cerrno>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

namespace superd::common {
namespace {

// Debian's fixed ids.
constexpr uid_t nobody_uid = 65534;
constexpr gid_t nogroup_gid = 65534;

TEST(ResolveCredentials, RootByName) {
    auto c = resolve_credentials("root", std::nullopt, false);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->uid, 0u);
    EXPECT_EQ(c->gid, 0u);
    EXPECT_EQ(c->user_name, "root");
    EXPECT_TRUE(c->groups.empty());
}

TEST(ResolveCredentials, RootByNumber) {
    auto c = resolve_credentials("0", std::nullopt, false);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->uid, 0u);
    EXPECT_EQ(c->gid, 0u);
    EXPECT_EQ(c->user_name, "root");
}

TEST(ResolveCredentials, Nobody) {
    auto c = resolve_credentials("nobody", std::nullopt, false);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->uid, nobody_uid);
    EXPECT_EQ(c->gid, nogroup_gid);
    EXPECT_EQ(c->user_name, "nobody");
    EXPECT_TRUE(c->groups.empty());

    auto by_number = resolve_credentials("65534", std::nullopt, false);
    ASSERT_TRUE(by_number);
    EXPECT_EQ(by_number->uid, nobody_uid);
    EXPECT_EQ(by_number->gid, nogroup_gid);
    EXPECT_EQ(by_number->user_name, "nobody");
}

TEST(ResolveCredentials, ExplicitGroup) {
    auto c = resolve_credentials("nobody", "root", false);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->uid, nobody_uid);
    EXPECT_EQ(c->gid, 0u);

    c = resolve_credentials("root", "65534", false);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->uid, 0u);
    EXPECT_EQ(c->gid, nogroup_gid);
}

TEST(ResolveCredentials, NumericUserWithoutPasswdEntry) {
    constexpr uid_t unused = 54321;
    if (::getpwuid(unused) != nullptr) GTEST_SKIP() << "uid 54321 exists here";
    auto c = resolve_credentials("54321", std::nullopt, true);
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->uid, unused);
    EXPECT_EQ(c->gid, static_cast<gid_t>(unused)); // same number, as xinetd
    EXPECT_EQ(c->user_name, "");
    EXPECT_TRUE(c->groups.empty());

    c = resolve_credentials("54321", "nogroup", false);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->gid, nogroup_gid);
}

TEST(ResolveCredentials, UnknownUser) {
    auto c = resolve_credentials("no-such-user-superd", std::nullopt, false);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), "unknown user no-such-user-superd");
}

TEST(ResolveCredentials, UnknownGroup) {
    auto c = resolve_credentials("nobody", "no-such-group-superd", false);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), "unknown group no-such-group-superd");
}

TEST(ResolveCredentials, BadIds) {
    EXPECT_FALSE(resolve_credentials("", std::nullopt, false));
    // (uid_t)-1 is reserved, and larger values do not fit.
    EXPECT_FALSE(resolve_credentials("4294967295", std::nullopt, false));
    EXPECT_FALSE(resolve_credentials("99999999999", std::nullopt, false));
    EXPECT_FALSE(resolve_credentials("root", "", false));
    EXPECT_FALSE(resolve_credentials("root", "4294967295", false));
}

TEST(ResolveCredentials, InitGroups) {
    auto c = resolve_credentials("root", std::nullopt, true);
    ASSERT_TRUE(c) << c.error();
    // The group list always includes the primary group, as initgroups() does.
    EXPECT_NE(std::ranges::find(c->groups, 0u), c->groups.end());

    c = resolve_credentials("nobody", std::nullopt, true);
    ASSERT_TRUE(c) << c.error();
    EXPECT_NE(std::ranges::find(c->groups, nogroup_gid), c->groups.end());
}

TEST(ResolveGroup, NamesAndNumbers) {
    EXPECT_EQ(resolve_group("root"), 0u);
    EXPECT_EQ(resolve_group("nogroup"), nogroup_gid);
    EXPECT_EQ(resolve_group("0"), 0u);
    EXPECT_EQ(resolve_group("4242"), 4242u); // numbers need no group entry
    auto bad = resolve_group("no-such-group-superd");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(), "unknown group no-such-group-superd");
    EXPECT_FALSE(resolve_group(""));
}

// Runs body in a child process and returns its exit status.
template <typename Body> int in_child(Body body) {
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(body());
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 255;
}

TEST(ApplyCredentials, DropsToNobodyForGood) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    auto creds = resolve_credentials("nobody", std::nullopt, false);
    ASSERT_TRUE(creds);
    int status = in_child([&] {
        if (apply_credentials(*creds) != 0) return 1;
        uid_t r, e, s;
        gid_t rg, eg, sg;
        ::getresuid(&r, &e, &s);
        ::getresgid(&rg, &eg, &sg);
        if (r != nobody_uid || e != nobody_uid || s != nobody_uid) return 2;
        if (rg != nogroup_gid || eg != nogroup_gid || sg != nogroup_gid) return 3;
        if (::getgroups(0, nullptr) != 0) return 4;
        if (::setuid(0) == 0 || ::setgid(0) == 0) return 5;
        return 0;
    });
    EXPECT_EQ(status, 0);
}

TEST(ApplyCredentials, SetsSupplementaryGroups) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    Credentials creds;
    creds.uid = nobody_uid;
    creds.gid = nogroup_gid;
    creds.groups = {nogroup_gid, 4242};
    int status = in_child([&] {
        if (apply_credentials(creds) != 0) return 1;
        gid_t list[8];
        int n = ::getgroups(8, list);
        // The kernel keeps the list sorted.
        if (n != 2 || list[0] != 4242 || list[1] != nogroup_gid) return 2;
        return 0;
    });
    EXPECT_EQ(status, 0);
}

TEST(ApplyCredentials, StayingRootIsAllowed) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    Credentials creds; // uid 0, gid 0, no groups
    int status =
        in_child([&] { return apply_credentials(creds) == 0 && ::geteuid() == 0 ? 0 : 1; });
    EXPECT_EQ(status, 0);
}

TEST(ApplyCredentials, FailsWithoutPrivilege) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to become unprivileged first";
    Credentials nobody;
    nobody.uid = nobody_uid;
    nobody.gid = nogroup_gid;
    Credentials root;
    int status = in_child([&] {
        if (apply_credentials(nobody) != 0) return 1;
        return apply_credentials(root) == EPERM ? 0 : 2;
    });
    EXPECT_EQ(status, 0);
}

} // namespace
} // namespace superd::common
