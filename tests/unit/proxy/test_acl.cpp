// squid's ACL types and the http_access evaluation (first match, AND within a line, OR within
// an ACL, negation, the implicit last line), on tables built without a config file.
#include "proxy/acl.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace superd::proxy {
namespace {

using Words = std::vector<std::string>;

common::IpAddress ip(std::string_view text) {
    return *common::IpAddress::parse(text);
}

class AclTest : public ::testing::Test {
  protected:
    // Defines NAME of TYPE with the values; expects no problems.
    Acl& define(const std::string& name, AclType type, const Words& values) {
        Acl& acl = table_.add(name, type, {"test.conf", 1});
        bool icase = false;
        EXPECT_EQ(add_acl_values(acl, values, icase), Words{}) << name;
        return acl;
    }
    Words problems(AclType type, const Words& values) {
        Acl acl;
        acl.type = type;
        bool icase = false;
        return add_acl_values(acl, values, icase);
    }
    bool match(const std::string& name) const { return table_.find(name)->matches(facts_); }
    AccessRule rule(Action action, const Words& acls, int line) {
        AccessRule r{action, {}, {"test.conf", line}};
        for (const auto& a : acls) {
            bool neg = a.starts_with('!');
            r.acls.push_back({neg ? a.substr(1) : a, neg});
        }
        return r;
    }

    AclTable table_;
    RequestFacts facts_{.client = ip("192.168.1.20"),
                        .host = "www.example.com",
                        .port = 80,
                        .method = "GET",
                        .scheme = "http",
                        .url = "http://www.example.com/index.html",
                        .weekday = 1,
                        .minute_of_day = 9 * 60};
};

TEST_F(AclTest, TypeNames) {
    for (auto t : {AclType::src, AclType::dst, AclType::srcdomain, AclType::dstdomain,
                   AclType::port, AclType::method, AclType::proto, AclType::time,
                   AclType::url_regex, AclType::dstdom_regex})
        EXPECT_EQ(acl_type(to_string(t)), t);
    EXPECT_EQ(acl_type("urlpath_regex"), std::nullopt);
    EXPECT_EQ(to_string(Action::allow), "allow");
    EXPECT_EQ(to_string(Action::deny), "deny");
}

TEST_F(AclTest, Predefined) {
    ASSERT_NE(table_.find("all"), nullptr);
    EXPECT_TRUE(table_.find("all")->predefined);
    EXPECT_TRUE(match("all"));
    facts_.client = ip("2001:db8::1");
    EXPECT_TRUE(match("all"));
    EXPECT_FALSE(match("localhost"));
    facts_.client = ip("::1");
    EXPECT_TRUE(match("localhost"));
    facts_.client = ip("::ffff:127.0.0.1"); // v4-mapped from a dual-stack socket
    EXPECT_TRUE(match("localhost"));
    facts_.client = ip("127.0.0.2");
    EXPECT_FALSE(match("localhost"));

    EXPECT_FALSE(match("to_localhost"));
    facts_.host = "127.1.2.3";
    EXPECT_TRUE(match("to_localhost"));
    facts_.host = "[::1]";
    EXPECT_TRUE(match("to_localhost"));
    facts_.host = "0.0.0.0";
    EXPECT_TRUE(match("to_localhost"));

    EXPECT_FALSE(match("manager"));
    facts_.url = "CACHE_OBJECT://localhost/info";
    EXPECT_TRUE(match("manager"));
    facts_.url = "http://proxy:3128/squid-internal-mgr/info";
    EXPECT_TRUE(match("manager"));
    facts_.url = "http://proxy:3128/SQUID-INTERNAL-MGR/info"; // +i: case-sensitive
    EXPECT_FALSE(match("manager"));

    EXPECT_EQ(table_.find("CONNECT"), nullptr);        // configs define it themselves
    EXPECT_EQ(table_.find("ALL"), table_.find("all")); // names are case-insensitive
    EXPECT_EQ(table_.size(), 4u);
}

TEST_F(AclTest, SrcForms) {
    define("net", AclType::src,
           {"10.0.0.0/8", "192.168.1.0/255.255.255.0", "172.16.0.1-172.16.0.9", "203.0.113.7",
            "2001:db8::/32", "fe80::1-fe80::ff"});
    for (auto a : {"10.1.2.3", "192.168.1.20", "172.16.0.1", "172.16.0.9", "203.0.113.7",
                   "2001:db8:1::5", "fe80::80", "::ffff:10.9.9.9"}) {
        facts_.client = ip(a);
        EXPECT_TRUE(match("net")) << a;
    }
    for (auto a : {"11.0.0.1", "192.168.2.1", "172.16.0.10", "203.0.113.8", "2001:db9::1",
                   "fe80::100", "0.0.0.0"}) {
        facts_.client = ip(a);
        EXPECT_FALSE(match("net")) << a;
    }
}

TEST_F(AclTest, SrcMistakes) {
    EXPECT_EQ(problems(AclType::src, {"10.0.0.0/33", "10.0.0.9-10.0.0.1", "10.0.0.1-::1",
                                      "1.2.3.4/255.0.255.0", "proxy.example.com", "-i"}),
              (Words{"'10.0.0.0/33' is not an IP address, range or CIDR (host names are not "
                     "resolved)",
                     "address range '10.0.0.9-10.0.0.1' ends before it starts",
                     "address range '10.0.0.1-::1' mixes IPv4 and IPv6",
                     "invalid address/mask '1.2.3.4/255.0.255.0'",
                     "'proxy.example.com' is not an IP address, range or CIDR (host names are "
                     "not resolved)",
                     "option '-i' is not valid for a 'src' ACL"}));
}

TEST_F(AclTest, DstUsesTheResolvedOrNumericAddressOnly) {
    define("lan", AclType::dst, {"192.0.2.0/24"});
    EXPECT_FALSE(match("lan")); // a name nobody resolved: no match, like a failed lookup
    facts_.dst_ip = ip("192.0.2.10");
    EXPECT_TRUE(match("lan"));
    facts_.dst_ip.reset();
    facts_.host = "192.0.2.11";
    EXPECT_TRUE(match("lan"));
}

TEST_F(AclTest, Domains) {
    define("sites", AclType::dstdomain, {".Example.COM", "exact.org", "trailing.net."});
    for (auto h :
         {"example.com", "www.example.com", "a.b.example.com.", "EXACT.org", "trailing.net"}) {
        facts_.host = h;
        EXPECT_TRUE(match("sites")) << h;
    }
    for (auto h : {"badexample.com", "www.exact.org", "example.com.evil", "org"}) {
        facts_.host = h;
        EXPECT_FALSE(match("sites")) << h;
    }
    define("clients", AclType::srcdomain, {"-n", ".lab.test"});
    EXPECT_FALSE(match("clients")); // no reverse lookup done: no match
    facts_.client_name = "vm7.lab.test";
    EXPECT_TRUE(match("clients"));
    EXPECT_EQ(problems(AclType::dstdomain, {".", "-i", "a/b"}),
              (Words{"invalid domain '.'", "option '-i' is not valid for a 'dstdomain' ACL",
                     "invalid domain 'a/b'"}));
}

TEST_F(AclTest, PortsMethodsProtocols) {
    define("safe", AclType::port, {"80", "443", "1025-65535"});
    define("ssl", AclType::port, {"443"});
    define("connect", AclType::method, {"CONNECT"});
    define("web", AclType::proto, {"http", "HTTPS"});
    EXPECT_TRUE(match("safe"));
    EXPECT_FALSE(match("ssl"));
    facts_.port = 25;
    EXPECT_FALSE(match("safe"));
    facts_.port = 1025;
    EXPECT_TRUE(match("safe"));
    EXPECT_FALSE(match("connect"));
    facts_.method = "CONNECT";
    EXPECT_TRUE(match("connect"));
    facts_.method = "connect"; // methods are case-sensitive
    EXPECT_FALSE(match("connect"));
    EXPECT_TRUE(match("web"));
    facts_.scheme = "ftp";
    EXPECT_FALSE(match("web"));
    EXPECT_EQ(problems(AclType::port, {"0-65535", "70000", "9-1", "x"}),
              (Words{"invalid port '70000' (0..65535 or a range A-B)",
                     "port range '9-1' ends before it starts",
                     "invalid port 'x' (0..65535 or a range A-B)"}));
    EXPECT_EQ(problems(AclType::method, {"PROPFIND", "GET/"}), Words{"invalid method 'GET/'"});
    EXPECT_EQ(problems(AclType::proto, {"cache_object", "gopher", "smtp"}),
              Words{"unknown protocol 'smtp'"});
}

TEST_F(AclTest, Time) {
    define("work", AclType::time, {"MTWHF", "08:00-17:30"});
    define("weekend", AclType::time, {"SA"});
    define("lunch", AclType::time, {"12:00-13:00"});
    define("weekdays", AclType::time, {"D"});
    EXPECT_TRUE(match("work"));
    EXPECT_FALSE(match("weekend"));
    EXPECT_FALSE(match("lunch"));
    EXPECT_TRUE(match("weekdays"));
    facts_.minute_of_day = 17 * 60 + 30; // squid's bounds are inclusive
    EXPECT_TRUE(match("work"));
    facts_.minute_of_day = 17 * 60 + 31;
    EXPECT_FALSE(match("work"));
    facts_.weekday = 6;
    facts_.minute_of_day = 12 * 60 + 30;
    EXPECT_TRUE(match("weekend"));
    EXPECT_TRUE(match("lunch"));
    EXPECT_FALSE(match("work"));
    EXPECT_FALSE(match("weekdays"));
    EXPECT_EQ(problems(AclType::time, {"MX"}),
              Words{"invalid day 'X' in 'MX' (days are S M T W H F A, D for Monday to Friday)"});
    EXPECT_EQ(problems(AclType::time, {"17:00-08:00"}),
              Words{"time range '17:00-08:00' ends before it starts"});
    EXPECT_EQ(problems(AclType::time, {"8-9"}),
              Words{"invalid time range '8-9' (expected HH:MM-HH:MM)"});
    EXPECT_EQ(problems(AclType::time, {"00:00-24:00"}), Words{});
    EXPECT_EQ(problems(AclType::time, {"00:00-24:01"}),
              Words{"invalid time range '00:00-24:01' (expected HH:MM-HH:MM)"});
}

TEST_F(AclTest, Regexes) {
    define("exe", AclType::url_regex, {"-i", "\\.exe$", "+i", "/Private/"});
    define("ads", AclType::dstdom_regex, {"(^|\\.)ads?[0-9]*\\."});
    facts_.url = "http://x.test/SETUP.EXE";
    EXPECT_TRUE(match("exe"));
    facts_.url = "http://x.test/Private/a";
    EXPECT_TRUE(match("exe"));
    facts_.url = "http://x.test/private/a";
    EXPECT_FALSE(match("exe"));
    EXPECT_FALSE(match("ads"));
    facts_.host = "ad3.tracker.test";
    EXPECT_TRUE(match("ads"));
    const Acl& exe = *table_.find("exe");
    ASSERT_EQ(exe.regexes.size(), 2u);
    EXPECT_TRUE(exe.regexes[0].icase());
    EXPECT_FALSE(exe.regexes[1].icase());
    EXPECT_EQ(exe.regexes[1].pattern(), "/Private/");
    Words bad = problems(AclType::url_regex, {"(unclosed"});
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_TRUE(bad[0].starts_with("invalid regular expression '(unclosed': ")) << bad[0];
}

TEST_F(AclTest, RegexesThatWouldExplodeAreRefused) {
    // glibc's regcomp copies what `+` and `{n}` repeat: nesting them takes gigabytes.
    std::string nested = std::string(20, '(') + "a";
    for (int i = 0; i < 20; ++i)
        nested += ")+";
    nested.pop_back();
    nested += "+";
    std::string error;
    EXPECT_FALSE(Regex::compile("(a{999}){999}", false, error));
    EXPECT_EQ(error, "regular expression is too complex (nested repetitions)");
    EXPECT_FALSE(Regex::compile(nested, false, error));
    EXPECT_EQ(error, "regular expression is too complex (nested repetitions)");
    EXPECT_FALSE(Regex::compile("e+++", false, error));
    EXPECT_EQ(error, "adjacent repetition operators are undefined in POSIX regular expressions");
    EXPECT_FALSE(Regex::compile("a*?", false, error));
    for (auto ok : {"^https?://([a-z0-9-]+\\.)+example\\.com(:[0-9]{2,5})?/", "[+*]+", "\\++",
                    "[[:alpha:]]{1,64}", "(a|b){3}(c+)+", "x{2,}", "(Packages|Sources)(\\.gz)?$"})
        EXPECT_TRUE(Regex::compile(ok, true, error)) << ok << ": " << error;
}

TEST_F(AclTest, FirstMatchingLineDecides) {
    define("lan", AclType::src, {"192.168.1.0/24"});
    define("blocked", AclType::dstdomain, {".blocked.test"});
    std::vector<AccessRule> rules = {rule(Action::deny, {"blocked"}, 1),
                                     rule(Action::allow, {"lan"}, 2),
                                     rule(Action::deny, {"all"}, 3)};
    AccessResult r = check_access(rules, table_, facts_, Action::deny);
    EXPECT_TRUE(r.allowed());
    EXPECT_EQ(r.decided, AccessResult::Decided::rule);
    EXPECT_EQ(r.where.line, 2);
    EXPECT_EQ(r.where.file, "test.conf");

    facts_.host = "www.blocked.test";
    r = check_access(rules, table_, facts_, Action::allow);
    EXPECT_FALSE(r.allowed());
    EXPECT_EQ(r.where.line, 1);

    facts_.host = "ok.test";
    facts_.client = ip("10.0.0.1");
    r = check_access(rules, table_, facts_, Action::allow);
    EXPECT_EQ(r.action, Action::deny);
    EXPECT_EQ(r.where.line, 3);
}

TEST_F(AclTest, AndWithinALineAndNegation) {
    define("lan", AclType::src, {"192.168.1.0/24"});
    define("safe", AclType::port, {"80", "443"});
    std::vector<AccessRule> rules = {rule(Action::deny, {"!safe"}, 1),
                                     rule(Action::allow, {"lan", "safe"}, 2),
                                     rule(Action::deny, {}, 3)}; // no ACLs: every request
    EXPECT_EQ(check_access(rules, table_, facts_, Action::deny).where.line, 2);
    facts_.port = 8080;
    auto r = check_access(rules, table_, facts_, Action::allow);
    EXPECT_EQ(r.where.line, 1);
    EXPECT_FALSE(r.allowed());
    facts_.port = 443;
    facts_.client = ip("10.0.0.1");
    r = check_access(rules, table_, facts_, Action::allow);
    EXPECT_EQ(r.where.line, 3);
    EXPECT_EQ(r.decided, AccessResult::Decided::rule);
}

TEST_F(AclTest, NoLineMatchesGivesTheOppositeOfTheLast) {
    define("lan", AclType::src, {"192.168.1.0/24"});
    define("bad", AclType::dstdomain, {"bad.test"});
    facts_.client = ip("10.0.0.1");
    // The last line allows: everything else is denied.
    auto r = check_access({rule(Action::allow, {"lan"}, 7)}, table_, facts_, Action::allow);
    EXPECT_EQ(r.action, Action::deny);
    EXPECT_EQ(r.decided, AccessResult::Decided::implicit);
    EXPECT_EQ(r.where.line, 7);
    // The last line denies: everything else is allowed.
    r = check_access({rule(Action::allow, {"lan"}, 7), rule(Action::deny, {"bad"}, 8)}, table_,
                     facts_, Action::deny);
    EXPECT_EQ(r.action, Action::allow);
    EXPECT_EQ(r.decided, AccessResult::Decided::implicit);
    EXPECT_EQ(r.where.line, 8);
}

TEST_F(AclTest, NoLinesGivesTheCallersDefault) {
    auto r = check_access({}, table_, facts_, Action::deny);
    EXPECT_EQ(r.action, Action::deny);
    EXPECT_EQ(r.decided, AccessResult::Decided::empty);
    EXPECT_EQ(r.where.line, 0);
    EXPECT_TRUE(check_access({}, table_, facts_, Action::allow).allowed());
}

TEST_F(AclTest, AnUndefinedAclNeverMatches) {
    std::vector<AccessRule> rules = {rule(Action::allow, {"!nosuch"}, 1),
                                     rule(Action::allow, {"nosuch"}, 2)};
    auto r = check_access(rules, table_, facts_, Action::allow);
    EXPECT_EQ(r.decided, AccessResult::Decided::implicit);
    EXPECT_EQ(r.action, Action::deny);
    EXPECT_FALSE(all_match({{"nosuch", true}}, table_, facts_));
    EXPECT_TRUE(all_match({}, table_, facts_));
    EXPECT_TRUE(all_match({{"all", false}, {"localhost", true}}, table_, facts_));
}

TEST_F(AclTest, AddressRangeFamilies) {
    AddressRange v4{ip("10.0.0.0"), ip("10.255.255.255")};
    EXPECT_TRUE(v4.contains(ip("10.1.1.1")));
    EXPECT_TRUE(v4.contains(ip("::ffff:10.1.1.1")));
    EXPECT_FALSE(v4.contains(ip("::a01:101"))); // the same bytes as IPv6 are not IPv4
    AddressRange v6{ip("::"), ip("::ffff")};
    EXPECT_FALSE(v6.contains(ip("0.0.1.1")));
}

} // namespace
} // namespace superd::proxy
