// The ntp.conf parser: every supported statement, includes, and the default lab profile
// (etc/ntp.conf). The mistakes it reports are in test_config_errors.cpp.
#include "config_fixture.hpp"

namespace superd::ntp::config_test {
namespace {

TEST_F(NtpConfig, ServerPoolPeerWithEveryOption) {
    Config c = clean(R"(# upstream
server 192.0.2.1 iburst prefer minpoll 4 maxpoll 8 key 7 version 3
pool 0.debian.pool.ntp.org iburst
peer 2001:db8::5 burst noselect true
server -6 ntp.example.org
server -4 time.example.org   # trailing comment
)");
    ASSERT_EQ(c.servers.size(), 5u);
    const ServerLine& s = c.servers[0];
    EXPECT_EQ(s.kind, ServerKind::server);
    EXPECT_EQ(s.address, "192.0.2.1");
    EXPECT_EQ(s.ip, ip("192.0.2.1"));
    EXPECT_TRUE(s.iburst);
    EXPECT_TRUE(s.prefer);
    EXPECT_FALSE(s.burst);
    EXPECT_FALSE(s.noselect);
    EXPECT_EQ(s.minpoll, 4);
    EXPECT_EQ(s.maxpoll, 8);
    EXPECT_EQ(s.key, 7u);
    EXPECT_EQ(s.version, 3);
    EXPECT_EQ(s.where.line, 2);
    EXPECT_TRUE(s.where.file.ends_with("/ntp.conf"));
    EXPECT_FALSE(s.is_local_clock());

    const ServerLine& pool = c.servers[1];
    EXPECT_EQ(pool.kind, ServerKind::pool);
    EXPECT_EQ(pool.address, "0.debian.pool.ntp.org");
    EXPECT_FALSE(pool.ip);
    EXPECT_EQ(pool.minpoll, 6);
    EXPECT_EQ(pool.maxpoll, 10);
    EXPECT_EQ(pool.version, 4);
    EXPECT_FALSE(pool.key);

    const ServerLine& peer = c.servers[2];
    EXPECT_EQ(peer.kind, ServerKind::peer);
    EXPECT_EQ(peer.ip, ip("2001:db8::5"));
    EXPECT_TRUE(peer.burst);
    EXPECT_TRUE(peer.noselect);
    EXPECT_TRUE(peer.truechimer);

    EXPECT_EQ(c.servers[3].family, Family::ipv6);
    EXPECT_EQ(c.servers[3].address, "ntp.example.org");
    EXPECT_EQ(c.servers[4].family, Family::ipv4);
    EXPECT_EQ(to_string(ServerKind::pool), "pool");
}

TEST_F(NtpConfig, OnePollBoundMovesTheOtherDefault) {
    Config c = clean("server 192.0.2.1 minpoll 12\nserver 192.0.2.2 maxpoll 4\n"
                     "server 192.0.2.3 minpoll 3 maxpoll 17\n");
    EXPECT_EQ(c.servers[0].minpoll, 12);
    EXPECT_EQ(c.servers[0].maxpoll, 12);
    EXPECT_EQ(c.servers[1].minpoll, 4);
    EXPECT_EQ(c.servers[1].maxpoll, 4);
    EXPECT_EQ(c.servers[2].minpoll, 3);
    EXPECT_EQ(c.servers[2].maxpoll, 17);
}

TEST_F(NtpConfig, LocalClockWithFudge) {
    Config c = clean("server 127.127.1.0\nfudge 127.127.1.0 stratum 10 refid LOCL\n");
    const ServerLine* local = c.local_clock();
    ASSERT_NE(local, nullptr);
    EXPECT_TRUE(local->is_local_clock());
    EXPECT_EQ(local->local_clock_stratum(), 10);
    ASSERT_TRUE(local->fudge);
    EXPECT_EQ(local->fudge->refid, "LOCL");
    EXPECT_EQ(local->fudge->where.line, 2);
}

TEST_F(NtpConfig, FudgeMayComeFirstAndLaterFudgesWin) {
    Config c = clean("fudge 127.127.1.1 stratum 8\nserver 127.127.1.1 minpoll 4\n"
                     "fudge 127.127.1.1 stratum 12\n");
    ASSERT_NE(c.local_clock(), nullptr);
    EXPECT_EQ(c.local_clock()->local_clock_stratum(), 12);
    EXPECT_EQ(c.local_clock()->minpoll, 4);
}

TEST_F(NtpConfig, LocalClockWithoutFudgeIsStratumFive) {
    Config c = clean("server 127.127.1.0\n");
    ASSERT_NE(c.local_clock(), nullptr);
    EXPECT_EQ(c.local_clock()->local_clock_stratum(), 5);
    EXPECT_EQ(clean("server 192.0.2.1\n").local_clock(), nullptr);
}

TEST_F(NtpConfig, RestrictLines) {
    Config c = clean(R"(restrict default kod limited nomodify nopeer noquery notrap
restrict -4 default ignore
restrict -6 default noserve
restrict source notrap nomodify noquery
restrict 127.0.0.1
restrict ::1
restrict 192.168.0.0 mask 255.255.0.0 nomodify
restrict 10.0.0.0/8 notrust version ippeerlimit 3
restrict 2001:db8:: mask ffff:ffff:: lowpriotrap nomrulist noepeer
restrict -4 192.0.2.1 ntpport mssntp flake serverresponse fuzz
)");
    ASSERT_EQ(c.restricts.size(), 10u);
    const auto& d = c.restricts[0];
    EXPECT_TRUE(d.is_default);
    EXPECT_EQ(d.family, Family::any);
    EXPECT_EQ(to_string(d.flags), "nomodify noquery nopeer notrap limited kod");
    EXPECT_EQ(d.where.line, 1);
    EXPECT_EQ(c.restricts[1].family, Family::ipv4);
    EXPECT_TRUE(c.restricts[1].flags.has(RestrictFlag::ignore));
    EXPECT_EQ(c.restricts[2].family, Family::ipv6);
    EXPECT_TRUE(c.restricts[3].is_source);
    EXPECT_EQ(to_string(c.restricts[3].flags), "nomodify noquery notrap");

    EXPECT_EQ(c.restricts[4].network.str(), "127.0.0.1/32");
    EXPECT_TRUE(c.restricts[4].flags.empty());
    EXPECT_EQ(c.restricts[4].family, Family::ipv4);
    EXPECT_EQ(c.restricts[5].network.str(), "::1/128");
    EXPECT_EQ(c.restricts[5].family, Family::ipv6);
    EXPECT_EQ(c.restricts[6].network.str(), "192.168.0.0/16");
    EXPECT_EQ(c.restricts[7].network.str(), "10.0.0.0/8");
    EXPECT_EQ(to_string(c.restricts[7].flags), "notrust version");
    EXPECT_EQ(c.restricts[7].ippeerlimit, 3);
    EXPECT_EQ(c.restricts[8].network.str(), "2001:db8::/32");
    EXPECT_EQ(to_string(c.restricts[8].flags), "noepeer lowpriotrap nomrulist");
    EXPECT_EQ(to_string(c.restricts[9].flags), "ntpport mssntp flake serverresponse fuzz");
}

TEST_F(NtpConfig, EveryRestrictFlagNameRoundTrips) {
    for (std::string_view name :
         {"ignore", "noserve", "nomodify", "noquery", "nopeer", "noepeer", "notrap", "lowpriotrap",
          "limited", "kod", "nomrulist", "notrust", "version", "ntpport", "mssntp", "flake"}) {
        auto flag = restrict_flag(name);
        ASSERT_TRUE(flag) << name;
        EXPECT_EQ(to_string(RestrictFlags{} | *flag), name);
    }
    EXPECT_FALSE(restrict_flag("nothing"));
    EXPECT_EQ(to_string(RestrictFlags{}), "");
}

TEST_F(NtpConfig, TosAndDiscard) {
    Config c = clean("tos orphan 10 orphanwait 30\ntos minclock 2 maxclock 6 minsane 2\n"
                     "tos mindist 0.01 maxdist 2.5\ndiscard average 4 minimum 1 monitor 2000\n");
    EXPECT_EQ(c.tos.orphan->value, 10);
    EXPECT_EQ(c.tos.orphan->where.line, 1);
    EXPECT_EQ(c.tos.orphanwait->value, 30);
    EXPECT_EQ(c.tos.minclock->value, 2);
    EXPECT_EQ(c.tos.maxclock->value, 6);
    EXPECT_EQ(c.tos.minsane->value, 2);
    EXPECT_DOUBLE_EQ(c.tos.mindist->value, 0.01);
    EXPECT_DOUBLE_EQ(c.tos.maxdist->value, 2.5);
    EXPECT_EQ(c.discard.average->value, 4);
    EXPECT_EQ(c.discard.minimum->value, 1);
    EXPECT_EQ(c.discard.monitor->value, 2000);
    EXPECT_EQ(c.discard.monitor->where.line, 4);
    EXPECT_EQ(c.discard_policy().average_log2, 4);
    EXPECT_EQ(c.discard_policy().minimum, 1);
    Config defaults = clean("");
    EXPECT_EQ(defaults.discard_policy().average_log2, 3);
    EXPECT_EQ(defaults.discard_policy().minimum, 2);
    EXPECT_FALSE(defaults.tos.orphan);
}

TEST_F(NtpConfig, PathsAndKeys) {
    Config c = clean(R"(driftfile var/ntp.drift
keys /etc/ntp.keys
leapfile "/usr/share/zoneinfo/leap seconds.list"
logfile /var/log/ntp.log
trustedkey 1 2 (10 ... 20)
trustedkey ( 30 ... 30 ) 65535
controlkey 2
requestkey 3
)");
    EXPECT_EQ(c.driftfile->value, "var/ntp.drift");
    EXPECT_EQ(c.driftfile->where.line, 1);
    EXPECT_EQ(c.keys_file->value, "/etc/ntp.keys");
    EXPECT_EQ(c.leapfile->value, "/usr/share/zoneinfo/leap seconds.list");
    EXPECT_EQ(c.logfile->value, "/var/log/ntp.log");
    ASSERT_EQ(c.trusted_keys.size(), 5u);
    EXPECT_EQ(c.trusted_keys[2].first, 10u);
    EXPECT_EQ(c.trusted_keys[2].last, 20u);
    EXPECT_EQ(c.trusted_keys[4].where.line, 6);
    for (std::uint32_t key : {1u, 2u, 10u, 15u, 20u, 30u, 65535u})
        EXPECT_TRUE(c.trusted(key)) << key;
    for (std::uint32_t key : {0u, 3u, 9u, 21u, 29u, 31u, 65534u})
        EXPECT_FALSE(c.trusted(key)) << key;
    EXPECT_EQ(c.control_key->value, 2u);
    EXPECT_EQ(c.request_key->value, 3u);
}

TEST_F(NtpConfig, InterfaceRules) {
    Config c = clean("interface listen 127.0.0.1\nnic ignore all\ninterface drop ipv6\n"
                     "interface listen eth0\ninterface ignore wildcard\n"
                     "interface listen 192.168.0.0/16\ninterface drop ipv4\n");
    ASSERT_EQ(c.interfaces.size(), 7u);
    EXPECT_EQ(c.interfaces[0].action, InterfaceAction::listen);
    EXPECT_EQ(c.interfaces[0].match, InterfaceMatch::address);
    EXPECT_EQ(c.interfaces[0].address.str(), "127.0.0.1/32");
    EXPECT_EQ(c.interfaces[1].action, InterfaceAction::ignore);
    EXPECT_EQ(c.interfaces[1].match, InterfaceMatch::all);
    EXPECT_EQ(c.interfaces[2].action, InterfaceAction::drop);
    EXPECT_EQ(c.interfaces[2].match, InterfaceMatch::ipv6);
    EXPECT_EQ(c.interfaces[3].match, InterfaceMatch::name);
    EXPECT_EQ(c.interfaces[3].name, "eth0");
    EXPECT_EQ(c.interfaces[4].match, InterfaceMatch::wildcard);
    EXPECT_EQ(c.interfaces[5].address.str(), "192.168.0.0/16");
    EXPECT_EQ(c.interfaces[6].match, InterfaceMatch::ipv4);
    EXPECT_EQ(c.interfaces[6].where.line, 7);
}

TEST_F(NtpConfig, EnableDisableTinkerLogconfig) {
    Config c = clean("disable monitor kernel\nenable calibrate stats\nenable ntp auth\n"
                     "disable stats\ntinker panic 0\n"
                     "logconfig =syncevents +peerall -clockstatus allall sysinfo\n");
    EXPECT_FALSE(c.enabled(SystemFlag::monitor));
    EXPECT_FALSE(c.enabled(SystemFlag::kernel));
    EXPECT_TRUE(c.enabled(SystemFlag::calibrate));
    EXPECT_FALSE(c.enabled(SystemFlag::stats)); // the last one wins
    EXPECT_TRUE(c.enabled(SystemFlag::ntp));
    EXPECT_TRUE(c.enabled(SystemFlag::auth));
    ASSERT_EQ(c.system_flags.size(), 7u);
    EXPECT_EQ(to_string(c.system_flags[0].flag), "monitor");
    EXPECT_FALSE(c.system_flags[0].enabled);
    EXPECT_DOUBLE_EQ(c.tinker_panic->value, 0.0);
    EXPECT_EQ(c.tinker_panic->where.line, 5);
    ASSERT_EQ(c.log_config.size(), 5u);
    EXPECT_EQ(c.log_config[0].op, '=');
    EXPECT_EQ(c.log_config[0].name, "syncevents");
    EXPECT_EQ(c.log_config[1].op, '+');
    EXPECT_EQ(c.log_config[2].op, '-');
    EXPECT_EQ(c.log_config[2].name, "clockstatus");
    EXPECT_EQ(c.log_config[3].op, '=');
    EXPECT_EQ(c.log_config[3].name, "allall");

    Config defaults = clean("");
    EXPECT_TRUE(defaults.enabled(SystemFlag::monitor));
    EXPECT_TRUE(defaults.enabled(SystemFlag::kernel));
    EXPECT_FALSE(defaults.enabled(SystemFlag::calibrate));
    EXPECT_TRUE(defaults.enabled(SystemFlag::stats));
}

TEST_F(NtpConfig, CommentsBlankLinesAndCrLf) {
    Config c = clean("# comment only\n\n   \t\r\nserver 192.0.2.1 iburst\r\n#server 192.0.2.2\n"
                     "driftfile /var/lib/ntp/drift#comment right after\n");
    ASSERT_EQ(c.servers.size(), 1u);
    EXPECT_TRUE(c.servers[0].iburst);
    EXPECT_EQ(c.servers[0].where.line, 4);
    EXPECT_EQ(c.driftfile->value, "/var/lib/ntp/drift");
}

TEST_F(NtpConfig, IncludefileIsRelativeToTheIncludingFile) {
    write("conf.d/servers.conf", "server 192.0.2.1\nincludefile more/restrict.conf\n");
    write("conf.d/more/restrict.conf", "restrict default noquery\n");
    Config c = clean("includefile conf.d/servers.conf\ndriftfile /tmp/drift\n");
    ASSERT_EQ(c.servers.size(), 1u);
    EXPECT_TRUE(c.servers[0].where.file.ends_with("/conf.d/servers.conf"));
    EXPECT_EQ(c.servers[0].where.line, 1);
    ASSERT_EQ(c.restricts.size(), 1u);
    EXPECT_TRUE(c.restricts[0].where.file.ends_with("/conf.d/more/restrict.conf"));
    EXPECT_EQ(c.driftfile->where.line, 2);
}

TEST_F(NtpConfig, TheLabProfileParses) {
    std::filesystem::path etc =
        std::filesystem::path(__FILE__).parent_path() / "../../../etc/ntp.conf";
    diags_ = {};
    Config c = load_config(etc.lexically_normal().string(), diags_);
    EXPECT_EQ(messages(), Messages{});
    ASSERT_NE(c.local_clock(), nullptr);
    EXPECT_EQ(c.local_clock()->local_clock_stratum(), 10);
    EXPECT_EQ(c.driftfile->value, "var/ntp.drift");
    EXPECT_EQ(c.keys_file->value, "etc/ntp.keys");
    ASSERT_FALSE(c.restricts.empty());
    EXPECT_TRUE(c.restricts[0].is_default);
    EXPECT_EQ(to_string(c.restricts[0].flags), "nomodify noquery nopeer limited kod");
}

} // namespace
} // namespace superd::ntp::config_test
