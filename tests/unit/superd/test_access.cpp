// only_from / no_access, access_times and max_load decisions (superd/access.hpp), with lists
// written as in a config file.
#include "superd/access.hpp"
#include "superd/config_attributes.hpp"

#include <gtest/gtest.h>

namespace superd::daemon {
namespace {

using common::IpAddress;

std::vector<AddressPattern> list(std::initializer_list<const char*> values) {
    std::vector<AddressPattern> out;
    for (const char* v : values) {
        auto parsed = parse_address_value(v);
        EXPECT_TRUE(parsed) << v;
        if (parsed) out.insert(out.end(), parsed->begin(), parsed->end());
    }
    return out;
}

IpAddress ip(const char* text) {
    return *IpAddress::parse(text);
}

AddressVerdict verdict(const ListAttributes& l, const char* address,
                       std::optional<std::string> name = std::nullopt) {
    return check_address(l, ip(address), name);
}

TEST(Access, NoListsAllowEveryone) {
    ListAttributes l;
    EXPECT_EQ(verdict(l, "192.0.2.7"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "2001:db8::1"), AddressVerdict::allowed);
}

TEST(Access, OnlyFromNumericWildcardsCidrAndFactorized) {
    ListAttributes l;
    l.only_from =
        list({"127.0.0.2", "10.0.0.0", "192.168.4.0/22", "172.16.{1,3}", "2001:db8::/32"});
    EXPECT_EQ(verdict(l, "127.0.0.2"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "127.0.0.3"), AddressVerdict::not_in_only_from);
    EXPECT_EQ(verdict(l, "10.200.3.4"), AddressVerdict::allowed); // trailing .0: 10/8
    EXPECT_EQ(verdict(l, "192.168.7.255"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "192.168.8.1"), AddressVerdict::not_in_only_from);
    EXPECT_EQ(verdict(l, "172.16.3.9"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "172.16.2.9"), AddressVerdict::not_in_only_from);
    EXPECT_EQ(verdict(l, "2001:db8:1::5"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "2001:db9::5"), AddressVerdict::not_in_only_from);
}

TEST(Access, Ipv4EntriesMatchV4MappedPeers) {
    ListAttributes l;
    l.only_from = list({"127.0.0.0/8"});
    EXPECT_EQ(verdict(l, "::ffff:127.0.0.5"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "::ffff:10.0.0.5"), AddressVerdict::not_in_only_from);
}

TEST(Access, EmptyOnlyFromMeansNobody) {
    ListAttributes l;
    l.only_from_given = true;
    EXPECT_EQ(verdict(l, "127.0.0.1"), AddressVerdict::not_in_only_from);
}

TEST(Access, NoAccessAndBothLists) {
    ListAttributes l;
    l.no_access = list({"127.0.0.3"});
    EXPECT_EQ(verdict(l, "127.0.0.3"), AddressVerdict::in_no_access);
    EXPECT_EQ(verdict(l, "127.0.0.4"), AddressVerdict::allowed);
    // In both: denied, whichever entry is more specific (xinetd's code, not its man page).
    l.only_from = list({"127.0.0.3"});
    l.no_access = list({"127.0.0.0/8"});
    EXPECT_EQ(verdict(l, "127.0.0.3"), AddressVerdict::in_both);
    EXPECT_EQ(verdict(l, "127.0.0.9"), AddressVerdict::in_no_access);
}

TEST(Access, HostAndDomainNamesMatchTheReverseName) {
    ListAttributes l;
    l.only_from = list({"localhost", ".lab.example"});
    EXPECT_TRUE(needs_client_name(l));
    EXPECT_EQ(verdict(l, "127.0.0.1", "localhost"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "127.0.0.1", "LocalHost."), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "192.0.2.1", "vm7.Lab.Example"), AddressVerdict::allowed);
    EXPECT_EQ(verdict(l, "192.0.2.1", "lab.example"), AddressVerdict::not_in_only_from);
    EXPECT_EQ(verdict(l, "192.0.2.1", "evil-lab.example"), AddressVerdict::not_in_only_from);
    EXPECT_EQ(verdict(l, "192.0.2.1"), AddressVerdict::not_in_only_from); // no name
    ListAttributes numeric;
    numeric.only_from = list({"127.0.0.1"});
    EXPECT_FALSE(needs_client_name(numeric));
}

TEST(Access, AccessTimesInclusiveAndAcrossMidnight) {
    auto t = [](const char* text) { return *parse_time_interval(text); };
    std::vector<TimeInterval> office{t("8:00-17:30")};
    EXPECT_FALSE(within_access_times(office, 7 * 60 + 59));
    EXPECT_TRUE(within_access_times(office, 8 * 60));
    EXPECT_TRUE(within_access_times(office, 17 * 60 + 30));
    EXPECT_FALSE(within_access_times(office, 17 * 60 + 31));
    std::vector<TimeInterval> night{t("22:00-6:00")};
    EXPECT_TRUE(within_access_times(night, 23 * 60));
    EXPECT_TRUE(within_access_times(night, 0));
    EXPECT_TRUE(within_access_times(night, 6 * 60));
    EXPECT_FALSE(within_access_times(night, 12 * 60));
    EXPECT_TRUE(within_access_times({}, 12 * 60));
    std::vector<TimeInterval> two{t("1:00-2:00"), t("13:00-14:00")};
    EXPECT_TRUE(within_access_times(two, 13 * 60 + 15));
    EXPECT_FALSE(within_access_times(two, 3 * 60));
}

TEST(Limits, InstancesPerSourceAndProcessLimitInXinetdsOrder) {
    LimitCounts c{2, 1, 7};
    EXPECT_EQ(limit_refusal(unlimited, unlimited, 0, c), std::nullopt);
    EXPECT_EQ(limit_refusal(3, unlimited, 0, c), std::nullopt);
    EXPECT_EQ(limit_refusal(2, unlimited, 0, c), "service_limit");
    EXPECT_EQ(limit_refusal(2, 1, 1, c), "service_limit"); // instances is checked first
    EXPECT_EQ(limit_refusal(3, 1, 0, c), "per_source_limit");
    EXPECT_EQ(limit_refusal(3, 2, 0, c), std::nullopt);
    EXPECT_EQ(limit_refusal(3, 2, 8, c), std::nullopt); // 7 running + this one = 8: allowed
    EXPECT_EQ(limit_refusal(3, 2, 7, c), "process_limit");
    c.from_source = -1; // no client address (wait = yes stream): per_source cannot apply
    EXPECT_EQ(limit_refusal(3, 0, 0, c), std::nullopt);
}

TEST(Access, MaxLoad) {
    EXPECT_FALSE(load_exceeded(0, 99));
    EXPECT_FALSE(load_exceeded(2.5, 2.49));
    EXPECT_TRUE(load_exceeded(2.5, 2.5));
}

} // namespace
} // namespace superd::daemon
