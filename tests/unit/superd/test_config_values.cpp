// Value parsers of the attribute table: addresses, times, sizes.
#include "config_fixture.hpp"
#include "superd/config_attributes.hpp"

using namespace superd::daemon;
using superd::common::IpAddress;
using superd::daemon::test::ConfigTest;

namespace {
IpAddress ip(const char* s) {
    return *IpAddress::parse(s);
}
} // namespace

TEST(AddressPattern, TrailingZeroOctetsAreWildcards) {
    auto p = parse_address_pattern("10.0.0.0");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->cidr.prefix_len(), 8);
    EXPECT_TRUE(p->cidr.contains(ip("10.200.3.4")));
    EXPECT_FALSE(p->cidr.contains(ip("11.0.0.1")));
    EXPECT_EQ(parse_address_pattern("192.168.1.0")->cidr.prefix_len(), 24);
    EXPECT_EQ(parse_address_pattern("0.0.0.0")->cidr.prefix_len(), 0);
    EXPECT_EQ(parse_address_pattern("127.0.0.1")->cidr.prefix_len(), 32);
}

TEST(AddressPattern, CidrAndIpv6) {
    auto p = parse_address_pattern("192.168.0.0/16");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->cidr.contains(ip("192.168.44.1")));
    EXPECT_TRUE(p->cidr.contains(ip("::ffff:192.168.44.1"))); // v4-mapped peer
    auto v6 = parse_address_pattern("fd00::/8");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->cidr.contains(ip("fd12::1")));
    auto exact = parse_address_pattern("::1");
    ASSERT_TRUE(exact);
    EXPECT_EQ(exact->cidr.prefix_len(), 128);
    EXPECT_FALSE(parse_address_pattern("10.0.0.0/33"));
}

TEST(AddressPattern, NamesAndDomains) {
    auto host = parse_address_pattern("Gateway.Lab");
    ASSERT_TRUE(host);
    EXPECT_EQ(host->kind, AddressPattern::Kind::host);
    EXPECT_EQ(host->name, "gateway.lab");
    auto dom = parse_address_pattern(".lab.example");
    ASSERT_TRUE(dom);
    EXPECT_EQ(dom->kind, AddressPattern::Kind::domain);
    EXPECT_FALSE(parse_address_pattern("."));
    EXPECT_FALSE(parse_address_pattern("bad!name"));
}

TEST(AddressPattern, FactorizedLists) {
    auto list = parse_address_value("128.138.{1,2,3}");
    ASSERT_TRUE(list);
    ASSERT_EQ(list->size(), 3u);
    EXPECT_EQ((*list)[0].text, "128.138.1");
    EXPECT_EQ((*list)[0].cidr.prefix_len(), 24);
    EXPECT_TRUE((*list)[2].cidr.contains(ip("128.138.3.77")));
    EXPECT_FALSE(parse_address_value("10.0.0.1,10.0.0.2")); // ',' without '{'
    EXPECT_FALSE(parse_address_value("128.138.{1,x}"));
    EXPECT_FALSE(parse_address_value("128.138.{1,2"));
    EXPECT_FALSE(parse_address_value("128.138.{1,256}"));
}

TEST(TimeInterval, Parses) {
    auto t = parse_time_interval("8:30-17:05");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->start_minute, 8 * 60 + 30);
    EXPECT_EQ(t->end_minute, 17 * 60 + 5);
    auto night = parse_time_interval("22:00-6:00"); // crosses midnight (xinetd cannot)
    ASSERT_TRUE(night);
    EXPECT_GT(night->start_minute, night->end_minute);
    EXPECT_FALSE(parse_time_interval("24:00-25:00"));
    EXPECT_FALSE(parse_time_interval("8:60-9:00"));
    EXPECT_FALSE(parse_time_interval("8:00-8:00"));
    EXPECT_FALSE(parse_time_interval("8:00"));
    EXPECT_FALSE(parse_time_interval("8:00-9:00x"));
}

TEST(Size, SuffixesAndUnlimited) {
    EXPECT_EQ(parse_size("100", true), 100u);
    EXPECT_EQ(parse_size("4k", true), 4096u);
    EXPECT_EQ(parse_size("2M", true), 2u * 1024 * 1024);
    EXPECT_EQ(parse_size("UNLIMITED", true), RLIM_INFINITY);
    EXPECT_FALSE(parse_size("4k", false));
    EXPECT_FALSE(parse_size("-1", true));
    EXPECT_FALSE(parse_size("", true));
}

TEST_F(ConfigTest, EveryXinetdAttributeIsAccepted) {
    auto c = load(R"(service x
{
	id		= x-id
	type		= UNLISTED
	socket_type	= stream
	protocol	= tcp
	wait		= no
	user		= root
	group		= root
	server		= /bin/cat
	server_args	= -u
	instances	= 10
	per_source	= 2
	cps		= 100 5
	max_load	= 2.5
	log_type	= FILE /tmp/superd-x.log 10k 20k
	log_on_success	= PID HOST USERID EXIT DURATION
	log_on_failure	= HOST USERID ATTEMPT
	only_from	= 127.0.0.1 10.0.0.0/8 ::1 .lab 128.138.{1,2}
	no_access	= 10.1.0.0
	access_times	= 2:00-8:59 12:00-23:59
	flags		= REUSE NODELAY KEEPALIVE NOLIBWRAP IPv4
	port		= 7100
	env		= FOO=bar BAZ=1
	passenv		= PATH
	nice		= 5
	bind		= 127.0.0.1
	banner		= /etc/hostname
	banner_success	= /etc/hostname
	banner_fail	= /etc/hostname
	groups		= yes
	rlimit_as	= 64M
	rlimit_cpu	= 10
	rlimit_data	= UNLIMITED
	rlimit_rss	= 32m
	rlimit_stack	= 8M
	rlimit_files	= 1k
	v6only		= no
	deny_time	= FOREVER
	umask		= 022
	libwrap		= xservice
	disable		= no
}
)");
    ASSERT_EQ(c.services.size(), 1u) << messages();
    const auto& s = c.services[0];
    EXPECT_EQ(s.id, "x-id");
    EXPECT_EQ(s.instances, 10);
    EXPECT_EQ(s.per_source, 2);
    EXPECT_EQ(s.cps_rate, 100u);
    EXPECT_EQ(s.cps_disable_seconds, 5u);
    EXPECT_DOUBLE_EQ(s.max_load, 2.5);
    EXPECT_EQ(s.log_type.kind, LogType::Kind::file);
    EXPECT_EQ(s.log_type.soft_limit, 10u * 1024);
    EXPECT_EQ(s.log_type.hard_limit, 20u * 1024);
    EXPECT_EQ(s.lists.only_from.size(), 6u);
    EXPECT_EQ(s.lists.access_times.size(), 2u);
    EXPECT_EQ(s.flags, flag_reuse | flag_nodelay | flag_keepalive | flag_nolibwrap | flag_ipv4);
    EXPECT_FALSE(s.uses_ipv6());
    EXPECT_EQ(s.env, (std::vector<std::string>{"FOO=bar", "BAZ=1"}));
    EXPECT_EQ(s.nice, 5);
    EXPECT_TRUE(s.groups);
    EXPECT_EQ(s.rlimit_as.value, 64u * 1024 * 1024);
    EXPECT_EQ(s.rlimit_data.value, RLIM_INFINITY);
    EXPECT_EQ(s.rlimit_files.value, 1024u);
    EXPECT_EQ(s.deny_time, -1);
    EXPECT_EQ(s.umask, 022u);
    EXPECT_EQ(s.libwrap, "xservice");
    EXPECT_FALSE(diags_.has_errors()) << messages();
}

TEST_F(ConfigTest, LogTypeHardLimitDefaultsToSoftPlusSlack) {
    auto c =
        load("service echo\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n\twait = no\n"
             "\tport = 7007\n\tlog_type = FILE /tmp/x.log 100k\n}\n"
             "service discard\n{\n\ttype = INTERNAL UNLISTED\n\tsocket_type = stream\n\twait = no\n"
             "\tport = 7009\n\tlog_type = SYSLOG local3 warning\n}\n");
    ASSERT_EQ(c.services.size(), 2u) << messages();
    EXPECT_EQ(find(c, "echo")->log_type.hard_limit, 100u * 1024 + 5 * 1024); // 1% is below 5K
    EXPECT_EQ(find(c, "discard")->log_type.kind, LogType::Kind::syslog);
    EXPECT_EQ(find(c, "discard")->log_type.facility, 19 << 3); // LOG_LOCAL3
    EXPECT_EQ(find(c, "discard")->log_type.level, 4);          // LOG_WARNING
}

TEST_F(ConfigTest, BadValuesDropTheServiceWithTheirLine) {
    auto c = load("service echo\n{\n\ttype = INTERNAL UNLISTED BOGUS\n\tsocket_type = stream\n"
                  "\twait = maybe\n\tport = 70000\n\tflags = FAST\n\tonly_from = 1.2.3.4,5.6.7.8\n"
                  "\tenv = NOEQUALS\n\tumask = 999\n\tlog_type = FILE\n}\n");
    EXPECT_TRUE(c.services.empty());
    EXPECT_EQ(messages(),
              "superd.conf:3: bad type 'BOGUS'\n"
              "superd.conf:5: wait must be yes or no, not 'maybe'\n"
              "superd.conf:6: bad port '70000'\n"
              "superd.conf:7: bad flag 'FAST'\n"
              "superd.conf:8: bad address '1.2.3.4,5.6.7.8' in only_from\n"
              "superd.conf:9: env value 'NOEQUALS' is not NAME=value\n"
              "superd.conf:10: bad umask '999' (octal 0-777)\n"
              "superd.conf:11: log_type FILE needs a path and optional soft and hard limits\n"
              "superd.conf:1: service echo: entry dropped because of the errors above\n");
}
