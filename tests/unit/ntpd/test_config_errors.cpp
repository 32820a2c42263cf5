// The ntp.conf parser's diagnostics: every mistake it reports, with its exact
// "file:line: message", and that one mistake does not stop the rest of the file.
#include "config_fixture.hpp"

namespace superd::ntp::config_test {
namespace {

TEST_F(NtpConfig, IncludeErrors) {
    write("loop.conf", "includefile ntp.conf\n");
    load("includefile loop.conf\nincludefile missing.conf\nincludefile\n"
         "includefile a.conf b.conf\n");
    EXPECT_EQ(messages(), (Messages{
                              "loop.conf:1: include loop: 'ntp.conf' is already being read",
                              "ntp.conf:2: cannot include missing.conf: No such file or directory",
                              "ntp.conf:3: 'includefile' needs a file name",
                              "ntp.conf:4: unexpected 'b.conf' in 'includefile'",
                          }));
}

TEST_F(NtpConfig, IncludesNestTooDeep) {
    for (int i = 0; i < 8; ++i)
        write("n" + std::to_string(i) + ".conf",
              "includefile n" + std::to_string(i + 1) + ".conf\n");
    write("n8.conf", "server 192.0.2.1\n");
    load("includefile n0.conf\n");
    EXPECT_EQ(messages(), Messages{"n4.conf:1: includes nested more than 5 deep"});
}

TEST_F(NtpConfig, MissingFile) {
    diags_ = {};
    load_config(dir_ + "/none.conf", diags_);
    EXPECT_EQ(messages(), Messages{"none.conf: No such file or directory"});
}

TEST_F(NtpConfig, UnknownAndUnsupportedDirectives) {
    EXPECT_EQ(errors("driftfile /tmp/d\nseverr 1.2.3.4\nlocal stratum 10\nstatistics loopstats\n"
                     "statsdir /var/log/ntpstats/\nfilegen peerstats file peerstats type day\n"
                     "broadcast 192.168.1.255\nbroadcastclient\nmanycastserver 239.1.1.1\n"
                     "manycastclient 239.1.1.1\nmulticastclient\ncrypto pw x\nrefclock shm\n"
                     "unrestrict 10.0.0.1\nSERVER 192.0.2.1\n\"server\" 192.0.2.1\n"),
              (Messages{
                  "ntp.conf:2: unknown directive 'severr'",
                  "ntp.conf:3: unknown directive 'local'",
                  "ntp.conf:4: directive 'statistics' is not supported",
                  "ntp.conf:5: directive 'statsdir' is not supported",
                  "ntp.conf:6: directive 'filegen' is not supported",
                  "ntp.conf:7: directive 'broadcast' is not supported",
                  "ntp.conf:8: directive 'broadcastclient' is not supported",
                  "ntp.conf:9: directive 'manycastserver' is not supported",
                  "ntp.conf:10: directive 'manycastclient' is not supported",
                  "ntp.conf:11: directive 'multicastclient' is not supported",
                  "ntp.conf:12: directive 'crypto' is not supported",
                  "ntp.conf:13: directive 'refclock' is not supported",
                  "ntp.conf:14: directive 'unrestrict' is not supported",
                  "ntp.conf:15: unknown directive 'SERVER'",
                  "ntp.conf:16: unknown directive 'server'",
              }));
}

TEST_F(NtpConfig, MissingArguments) {
    EXPECT_EQ(errors("server\npool\npeer -4\ndriftfile\nkeys\nleapfile\nlogfile\n"
                     "server 192.0.2.1 minpoll\ntrustedkey\ncontrolkey\nrequestkey\ntos\n"
                     "tos orphan\ndiscard\ndiscard average\nrestrict\nrestrict -4\nfudge\n"
                     "fudge 127.127.1.0\nfudge 127.127.1.0 refid\ninterface\ninterface listen\n"
                     "enable\ndisable\ntinker\ntinker panic\nlogconfig\nserver 127.127.1.0\n"),
              (Messages{
                  "ntp.conf:1: 'server' needs an address",
                  "ntp.conf:2: 'pool' needs an address",
                  "ntp.conf:3: 'peer' needs an address",
                  "ntp.conf:4: 'driftfile' needs a file name",
                  "ntp.conf:5: 'keys' needs a file name",
                  "ntp.conf:6: 'leapfile' needs a file name",
                  "ntp.conf:7: 'logfile' needs a file name",
                  "ntp.conf:8: 'minpoll' needs a number",
                  "ntp.conf:9: 'trustedkey' needs a key number",
                  "ntp.conf:10: 'controlkey' needs a number",
                  "ntp.conf:11: 'requestkey' needs a number",
                  "ntp.conf:12: 'tos' needs an option",
                  "ntp.conf:13: 'tos orphan' needs a number",
                  "ntp.conf:14: 'discard' needs an option",
                  "ntp.conf:15: 'discard average' needs a number",
                  "ntp.conf:16: 'restrict' needs an address, 'default' or 'source'",
                  "ntp.conf:17: 'restrict' needs an address, 'default' or 'source'",
                  "ntp.conf:18: 'fudge' needs an address",
                  "ntp.conf:19: 'fudge' needs an option (stratum or refid)",
                  "ntp.conf:20: 'fudge refid' needs 1 to 4 characters",
                  "ntp.conf:21: 'interface' needs listen, ignore or drop",
                  "ntp.conf:22: 'interface listen' needs all, ipv4, ipv6, wildcard, an interface "
                  "name or an address",
                  "ntp.conf:23: 'enable' needs a flag",
                  "ntp.conf:24: 'disable' needs a flag",
                  "ntp.conf:25: 'tinker' needs an option",
                  "ntp.conf:26: 'tinker panic' needs a number",
                  "ntp.conf:27: 'logconfig' needs an item",
              }));
}

TEST_F(NtpConfig, BadNumbersAndRanges) {
    EXPECT_EQ(errors("server 192.0.2.1 minpoll 99\nserver 192.0.2.2 maxpoll 2\n"
                     "server 192.0.2.3 version 5\nserver 192.0.2.4 key 0\n"
                     "server 192.0.2.5 key 70000\nserver 192.0.2.6 minpoll four\n"
                     "trustedkey 1 0\ntrustedkey 65536\ncontrolkey abc\nrequestkey -1\n"
                     "tos orphan 17\ntos mindist x\ntos maxdist 100\ntos minclock 0\n"
                     "discard average 18\ndiscard minimum -1\nfudge 127.127.1.0 stratum 16\n"
                     "tinker panic -1\nserver 192.0.2.7 minpoll 99999999999999999999999\n"
                     "tos mindist nan\nserver 127.127.1.0\n"),
              (Messages{
                  "ntp.conf:1: minpoll 99 is out of range (3..17)",
                  "ntp.conf:2: maxpoll 2 is out of range (3..17)",
                  "ntp.conf:3: version 5 is out of range (1..4)",
                  "ntp.conf:4: key 0 is out of range (1..65535)",
                  "ntp.conf:5: key 70000 is out of range (1..65535)",
                  "ntp.conf:6: invalid number 'four' for 'minpoll'",
                  "ntp.conf:7: trustedkey 0 is out of range (1..65535)",
                  "ntp.conf:8: trustedkey 65536 is out of range (1..65535)",
                  "ntp.conf:9: invalid number 'abc' for 'controlkey'",
                  "ntp.conf:10: requestkey -1 is out of range (1..65535)",
                  "ntp.conf:11: tos orphan 17 is out of range (1..16)",
                  "ntp.conf:12: invalid number 'x' for 'tos mindist'",
                  "ntp.conf:13: tos maxdist 100 is out of range (0.001..16)",
                  "ntp.conf:14: tos minclock 0 is out of range (1..50)",
                  "ntp.conf:15: discard average 18 is out of range (0..17)",
                  "ntp.conf:16: discard minimum -1 is out of range (0..3600)",
                  "ntp.conf:17: fudge stratum 16 is out of range (0..15)",
                  "ntp.conf:18: tinker panic -1 is out of range (0..86400)",
                  "ntp.conf:19: minpoll 99999999999999999999999 is out of range (3..17)",
                  "ntp.conf:20: invalid number 'nan' for 'tos mindist'",
              }));
}

TEST_F(NtpConfig, PollAndTosOrder) {
    EXPECT_EQ(errors("server 192.0.2.1 minpoll 10 maxpoll 6\ntos minclock 8 maxclock 4\n"
                     "tos mindist 0.5 maxdist 0.25\n"),
              (Messages{
                  "ntp.conf:1: minpoll 10 is above maxpoll 6",
                  "ntp.conf:2: tos minclock 8 is above maxclock 4",
                  "ntp.conf:3: tos mindist 0.5 is above maxdist 0.25",
              }));
    EXPECT_EQ(errors("tos minclock 12\n"),
              Messages{"ntp.conf:1: tos minclock 12 is above maxclock 10"});
}

TEST_F(NtpConfig, BadServerAddressesAndOptions) {
    EXPECT_EQ(errors("server 10.0.0.300\nserver ::g\nserver -4 2001:db8::1\nserver -6 192.0.2.1\n"
                     "server bad..name\nserver fe80::1%eth0\npool 127.127.1.0\n"
                     "server 127.127.20.0\nserver 192.0.2.1 fast iburst\n"
                     "server 192.0.2.2 autokey mode 5 xleave\nserver 192.0.2.3 \"iburst\"\n"),
              (Messages{
                  "ntp.conf:1: invalid address '10.0.0.300'",
                  "ntp.conf:2: invalid address '::g'",
                  "ntp.conf:3: '-4' with the IPv6 address 2001:db8::1",
                  "ntp.conf:4: '-6' with the IPv4 address 192.0.2.1",
                  "ntp.conf:5: invalid address 'bad..name'",
                  "ntp.conf:6: invalid address 'fe80::1%eth0'",
                  "ntp.conf:7: the local clock 127.127.1.0 must be a 'server' line, not 'pool'",
                  "ntp.conf:8: reference clock type 20 (127.127.20.0) is not supported; only the "
                  "local clock 127.127.1.u is",
                  "ntp.conf:9: unknown option 'fast' in 'server'",
                  "ntp.conf:10: option 'autokey' in 'server' is not supported",
                  "ntp.conf:10: option 'mode' in 'server' is not supported",
                  "ntp.conf:10: option 'xleave' in 'server' is not supported",
                  "ntp.conf:11: unknown option 'iburst' in 'server'",
              }));
}

TEST_F(NtpConfig, DuplicateServers) {
    write("more.conf", "pool 0.POOL.ntp.org\n");
    EXPECT_EQ(errors("server 192.0.2.1\nserver 2001:db8::1\npool 0.pool.ntp.org\n"
                     "server 192.0.2.1 iburst\npeer 2001:DB8:0::1\nincludefile more.conf\n"
                     "server 127.127.1.0\nserver 127.127.1.0\n"),
              (Messages{
                  "ntp.conf:4: duplicate server 192.0.2.1 (first at line 1)",
                  "ntp.conf:5: duplicate peer 2001:DB8:0::1 (first at line 2)",
                  "more.conf:1: duplicate pool 0.POOL.ntp.org (first at ntp.conf:3)",
                  "ntp.conf:8: duplicate server 127.127.1.0 (first at line 7)",
              }));
}

TEST_F(NtpConfig, FudgeMistakes) {
    EXPECT_EQ(errors("server 192.0.2.1\nfudge 192.0.2.1 stratum 10\nfudge 127.127.1.1 stratum 10\n"
                     "fudge 127.127.28.0 refid GPS\nfudge 127.127.1.0 time1 0.1\n"
                     "fudge 127.127.1.0 flavour 3\nfudge 127.127.1.0 refid TOOLONG\n"
                     "fudge host.example stratum 3\nserver 127.127.1.0\n"),
              (Messages{
                  "ntp.conf:2: fudge 192.0.2.1: not a reference clock address (127.127.t.u)",
                  "ntp.conf:4: reference clock type 28 (127.127.28.0) is not supported; only the "
                  "local clock 127.127.1.u is",
                  "ntp.conf:5: fudge option 'time1' is not supported",
                  "ntp.conf:6: unknown fudge option 'flavour'",
                  "ntp.conf:7: fudge refid 'TOOLONG' is longer than 4 characters",
                  "ntp.conf:8: invalid address 'host.example'",
                  "ntp.conf:3: fudge 127.127.1.1: no 'server 127.127.1.1' line",
              }));
}

TEST_F(NtpConfig, RestrictMistakes) {
    EXPECT_EQ(
        errors("restrict default nothing kod bogus\nrestrict ntp.example.org nomodify\n"
               "restrict 10.0.0.300\nrestrict 192.168.1.5 mask 255.255.255.0\n"
               "restrict 10.0.0.0 mask 255.0.255.0\nrestrict 10.0.0.0 mask ffff::\n"
               "restrict 10.0.0.0 mask\nrestrict 10.0.0.1/24\nrestrict default mask 255.0.0.0\n"
               "restrict source mask 255.0.0.0\nrestrict -6 source\nrestrict -6 10.0.0.0\n"
               "restrict 10.0.0.0/8 mask 255.0.0.0\nrestrict 10.0.0.0/33\n"
               "restrict default serverresponse\nrestrict default ippeerlimit x\n"
               "restrict 2001:db8:: mask 255.255.0.0\n"),
        (Messages{
            "ntp.conf:1: unknown restrict flag 'nothing'",
            "ntp.conf:1: unknown restrict flag 'bogus'",
            "ntp.conf:2: restrict: host name 'ntp.example.org' is not supported; use a numeric "
            "address",
            "ntp.conf:3: invalid address '10.0.0.300'",
            "ntp.conf:4: address 192.168.1.5 has host bits set for mask 255.255.255.0",
            "ntp.conf:5: mask 255.0.255.0 is not contiguous",
            "ntp.conf:6: invalid mask 'ffff::' for the IPv4 address 10.0.0.0",
            "ntp.conf:7: 'mask' needs a mask",
            "ntp.conf:8: address 10.0.0.1 has host bits set for /24",
            "ntp.conf:9: 'mask' does not go with 'restrict default'",
            "ntp.conf:10: 'mask' does not go with 'restrict source'",
            "ntp.conf:11: '-6' does not go with 'restrict source'",
            "ntp.conf:12: '-6' with the IPv4 address 10.0.0.0",
            "ntp.conf:13: a 'restrict' line has one mask (or /prefix length) at most",
            "ntp.conf:14: invalid address '10.0.0.0/33'",
            "ntp.conf:15: 'serverresponse' needs 'fuzz'",
            "ntp.conf:16: invalid number 'x' for 'ippeerlimit'",
            "ntp.conf:17: invalid mask '255.255.0.0' for the IPv6 address 2001:db8::",
        }));
}

TEST_F(NtpConfig, SystemStatementMistakes) {
    EXPECT_EQ(errors("tos ceiling 3\ntos orphan 5 speed 3\ndiscard maximum 3\n"
                     "enable bclient fast monitor\ndisable mode7\ntinker step 0\ntinker wobble 1\n"
                     "logconfig =all +syncevents clockfoo\ninterface listen 10.0.0.300\n"
                     "interface listen eth0 extra\ninterface open all\n"
                     "driftfile /var/lib/ntp/drift 1e-7\nkeys \"unterminated\n"),
              (Messages{
                  "ntp.conf:1: tos option 'ceiling' is not supported",
                  "ntp.conf:2: unknown tos option 'speed'",
                  "ntp.conf:3: unknown discard option 'maximum'",
                  "ntp.conf:4: flag 'bclient' in 'enable' is not supported",
                  "ntp.conf:4: unknown flag 'fast' in 'enable'",
                  "ntp.conf:5: flag 'mode7' in 'disable' is not supported",
                  "ntp.conf:6: tinker option 'step' is not supported",
                  "ntp.conf:7: unknown tinker option 'wobble'",
                  "ntp.conf:8: unknown logconfig item 'all'",
                  "ntp.conf:8: unknown logconfig item 'clockfoo'",
                  "ntp.conf:9: invalid interface or address '10.0.0.300'",
                  "ntp.conf:10: unexpected 'extra' in 'interface'",
                  "ntp.conf:11: unknown interface action 'open' (listen, ignore or drop)",
                  "ntp.conf:12: unexpected '1e-7' in 'driftfile'",
                  "ntp.conf:13: unterminated string",
              }));
}

TEST_F(NtpConfig, TrustedkeyRangeMistakes) {
    EXPECT_EQ(errors("trustedkey (5 ... 1)\ntrustedkey (1 .. 5)\ntrustedkey (1 ... 5\n"
                     "trustedkey (1 ... 70000)\ntrustedkey 3 (\n"),
              (Messages{
                  "ntp.conf:1: trustedkey range (5 ... 1) has its first key above its last",
                  "ntp.conf:2: expected '...' in a trustedkey range",
                  "ntp.conf:3: expected ')' to close a trustedkey range",
                  "ntp.conf:4: trustedkey 70000 is out of range (1..65535)",
                  "ntp.conf:5: 'trustedkey' needs a number",
              }));
}

TEST_F(NtpConfig, ErrorsDoNotStopTheRest) {
    Config c = load("server 192.0.2.1 minpoll 99\nbogus\nserver 192.0.2.2\nrestrict default kod\n");
    EXPECT_EQ(diags_.error_count(), 2u);
    // A server whose option is bad is kept, so that a later duplicate or fudge is judged right.
    ASSERT_EQ(c.servers.size(), 2u);
    EXPECT_EQ(c.servers[1].address, "192.0.2.2");
    ASSERT_EQ(c.restricts.size(), 1u);
}

// The default lab profile must load as shipped.
} // namespace
} // namespace superd::ntp::config_test
