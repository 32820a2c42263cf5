// The squid.conf parser: every supported directive, squid's defaults, ACL value files, includes,
// and every mistake it reports with its exact "file:line: message" (all of them in one run).
#include "proxy/config.hpp"
#include "tests/unit/common/config_file_test.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace superd::proxy {
namespace {

using common::test::Messages;
using namespace std::chrono_literals;

common::IpAddress ip(std::string_view text) {
    return *common::IpAddress::parse(text);
}

class ProxyConfig : public common::test::ConfigFileTest<Config> {
  protected:
    ProxyConfig()
        : ConfigFileTest(load_config, "squid.conf") {}
};

RequestFacts facts(std::string_view client, std::string host, std::uint16_t port = 80,
                   std::string method = "GET") {
    RequestFacts f;
    f.client = ip(client);
    f.host = host;
    f.port = port;
    f.method = std::move(method);
    f.scheme = port == 443 ? "https" : "http";
    f.url = method == "CONNECT" ? host + ":" + std::to_string(port) : "http://" + host + "/";
    f.weekday = 2;
    f.minute_of_day = 600;
    return f;
}

// Debian's squid.conf, less the comments, with a cache and a parent.
constexpr const char* debian_like = R"(#
# Recommended minimum configuration:
#
acl localnet src 0.0.0.1-0.255.255.255	# RFC 1122 "this" network (LAN)
acl localnet src 10.0.0.0/8		# RFC 1918 local private network (LAN)
acl localnet src 100.64.0.0/10		# RFC 6598 shared address space (CGN)
acl localnet src 169.254.0.0/16 	# RFC 3927 link-local (directly plugged) machines
acl localnet src 172.16.0.0/12		# RFC 1918 local private network (LAN)
acl localnet src 192.168.0.0/16		# RFC 1918 local private network (LAN)
acl localnet src fc00::/7       	# RFC 4193 local private network range
acl localnet src fe80::/10      	# RFC 4291 link-local (directly plugged) machines

acl SSL_ports port 443
acl Safe_ports port 80		# http
acl Safe_ports port 21		# ftp
acl Safe_ports port 443		# https
acl Safe_ports port 70		# gopher
acl Safe_ports port 210		# wais
acl Safe_ports port 1025-65535	# unregistered ports
acl Safe_ports port 280		# http-mgmt
acl Safe_ports port 488		# gss-http
acl Safe_ports port 591		# filemaker
acl Safe_ports port 777		# multiling http
acl CONNECT method CONNECT

http_access deny !Safe_ports
http_access deny CONNECT !SSL_ports
http_access allow localhost manager
http_access deny manager
http_access deny to_localhost
http_access allow localhost
http_access allow localnet
http_access deny all

http_port 3128
cache_mem 64 MB
maximum_object_size 16 MB
maximum_object_size_in_memory 1 MB
cache_dir ufs /var/spool/squid 100 16 256
)";

TEST_F(ProxyConfig, DebianStyleConfig) {
    std::string text = debian_like;
    text += R"(refresh_pattern ^ftp:		1440	20%	10080
refresh_pattern -i (/cgi-bin/|\?) 0	0%	0
refresh_pattern .		0	20%	4320
access_log stdio:/var/log/superd/access.log squid
cache_log /var/log/superd/cache.log
)";
    Config c = clean(text);
    ASSERT_EQ(c.http_ports.size(), 1u);
    EXPECT_EQ(c.http_ports[0].port, 3128);
    EXPECT_FALSE(c.http_ports[0].address);
    EXPECT_EQ(c.http_ports[0].name, "3128");
    EXPECT_EQ(c.http_ports[0].where.line, 35);

    const Acl* localnet = c.acls.find("localnet");
    ASSERT_NE(localnet, nullptr);
    EXPECT_EQ(localnet->addresses.size(), 8u);
    EXPECT_EQ(localnet->where.line, 4);
    EXPECT_EQ(c.acls.find("Safe_ports")->ports.size(), 10u);
    EXPECT_EQ(c.http_access.size(), 8u);
    EXPECT_EQ(c.http_access[1].acls.size(), 2u);
    EXPECT_TRUE(c.http_access[1].acls[1].negated);
    EXPECT_EQ(c.http_access[1].acls[1].name, "SSL_ports");

    EXPECT_TRUE(c.check_http_access(facts("192.168.3.4", "debian.org")).allowed());
    auto r = c.check_http_access(facts("192.168.3.4", "debian.org", 25));
    EXPECT_FALSE(r.allowed());
    EXPECT_EQ(r.where.line, 26);
    r = c.check_http_access(facts("10.0.0.1", "debian.org", 8443, "CONNECT"));
    EXPECT_EQ(r.where.line, 27);
    EXPECT_TRUE(c.check_http_access(facts("10.0.0.1", "debian.org", 443, "CONNECT")).allowed());
    r = c.check_http_access(facts("10.0.0.1", "127.0.0.1"));
    EXPECT_EQ(r.where.line, 30); // to_localhost
    r = c.check_http_access(facts("198.51.100.1", "debian.org"));
    EXPECT_FALSE(r.allowed());
    EXPECT_EQ(r.where.line, 33);
    EXPECT_EQ(r.decided, AccessResult::Decided::rule);
    auto mgr = facts("127.0.0.1", "localhost", 3128);
    mgr.url = "http://localhost:3128/squid-internal-mgr/menu";
    EXPECT_EQ(c.check_http_access(mgr).where.line, 28);
    mgr.client = ip("10.1.1.1");
    EXPECT_EQ(c.check_http_access(mgr).where.line, 29);

    EXPECT_EQ(c.cache_mem.value, 64 * MiB);
    EXPECT_EQ(c.cache_mem.where.line, 36);
    EXPECT_EQ(c.maximum_object_size.value, 16 * MiB);
    EXPECT_EQ(c.maximum_object_size_in_memory.value, 1 * MiB);
    ASSERT_TRUE(c.cache_dir);
    EXPECT_EQ(c.cache_dir->path, "/var/spool/squid");
    EXPECT_EQ(c.cache_dir->size_mb, 100u);
    EXPECT_EQ(c.cache_dir->l1, 16);
    EXPECT_EQ(c.cache_dir->l2, 256);
    ASSERT_EQ(c.refresh_patterns.size(), 3u);
    EXPECT_EQ(c.refresh_patterns[0].min_minutes, 1440);
    EXPECT_EQ(c.refresh_patterns[0].percent, 20);
    EXPECT_EQ(c.refresh_patterns[0].max_minutes, 10080);
    EXPECT_TRUE(c.refresh_patterns[1].regex.icase());
    EXPECT_EQ(c.refresh_pattern_for("ftp://ftp.debian.org/x"), &c.refresh_patterns[0]);
    EXPECT_EQ(c.refresh_pattern_for("http://a.test/CGI-BIN/x"), &c.refresh_patterns[1]);
    EXPECT_EQ(c.refresh_pattern_for("http://a.test/x?y"), &c.refresh_patterns[1]);
    EXPECT_EQ(c.refresh_pattern_for("http://a.test/x"), &c.refresh_patterns[2]);
    ASSERT_EQ(c.access_logs.size(), 1u);
    EXPECT_EQ(c.access_logs[0].path, "/var/log/superd/access.log");
    ASSERT_TRUE(c.cache_log);
    EXPECT_EQ(c.cache_log->value, "/var/log/superd/cache.log");
}

TEST_F(ProxyConfig, SquidDefaults) {
    Config c = clean("# nothing but a comment\n\n   \n");
    EXPECT_TRUE(c.http_ports.empty());
    EXPECT_EQ(c.acls.size(), 4u); // all, localhost, to_localhost, manager
    EXPECT_EQ(c.cache_mem.value, 256 * MiB);
    EXPECT_EQ(c.cache_mem.where.line, 0);
    EXPECT_EQ(c.maximum_object_size.value, 4 * MiB);
    EXPECT_EQ(c.maximum_object_size_in_memory.value, 512 * KiB);
    EXPECT_FALSE(c.cache_dir);
    EXPECT_TRUE(c.refresh_patterns.empty());
    EXPECT_EQ(c.refresh_pattern_for("http://a/"), nullptr);
    RefreshPattern d = refresh_defaults();
    EXPECT_EQ(d.min_minutes, 0);
    EXPECT_EQ(d.percent, 20);
    EXPECT_EQ(d.max_minutes, 4320);
    EXPECT_TRUE(d.regex.search("anything"));
    EXPECT_TRUE(c.access_logs.empty());
    EXPECT_FALSE(c.cache_log);
    EXPECT_FALSE(c.visible_hostname);
    EXPECT_EQ(c.forwarded_for.value, ForwardedFor::on);
    EXPECT_TRUE(c.via.value);
    EXPECT_TRUE(c.cache_peers.empty());
    EXPECT_EQ(c.request_header_max_size.value, 64 * KiB);
    EXPECT_EQ(c.request_body_max_size.value, 0u);
    EXPECT_EQ(c.reply_body_limit(facts("10.0.0.1", "a.test")), std::nullopt);
    EXPECT_EQ(c.client_lifetime.value, 24h);
    EXPECT_EQ(c.read_timeout.value, 15min);
    EXPECT_EQ(c.connect_timeout.value, 1min);
    EXPECT_EQ(c.request_timeout.value, 5min);
    EXPECT_EQ(c.client_idle_pconn_timeout.value, 2min);
    EXPECT_EQ(c.server_idle_pconn_timeout.value, 1min);
    EXPECT_FALSE(c.max_filedescriptors);
    // No http_access lines: deny (squid); no cache lines: allow.
    auto r = c.check_http_access(facts("127.0.0.1", "a.test"));
    EXPECT_FALSE(r.allowed());
    EXPECT_EQ(r.decided, AccessResult::Decided::empty);
    EXPECT_TRUE(c.check_cache(facts("127.0.0.1", "a.test")).allowed());
}

TEST_F(ProxyConfig, HttpPorts) {
    Config c = clean("http_port 127.0.0.1:3128\nhttp_port [::1]:3128 name=v6\n"
                     "http_port 8080\nhttp_port 0.0.0.0:3129\n");
    ASSERT_EQ(c.http_ports.size(), 4u);
    EXPECT_EQ(c.http_ports[0].address, ip("127.0.0.1"));
    EXPECT_EQ(c.http_ports[0].port, 3128);
    EXPECT_EQ(c.http_ports[1].address, ip("::1"));
    EXPECT_EQ(c.http_ports[1].name, "v6");
    EXPECT_EQ(c.http_ports[2].port, 8080);
    EXPECT_FALSE(c.http_ports[2].address);
    EXPECT_EQ(c.http_ports[3].address, ip("0.0.0.0"));
    EXPECT_EQ(errors("http_port\nhttp_port 0\nhttp_port 70000\nhttp_port proxy.lan:3128\n"
                     "http_port ::1:3128\nhttp_port 3128 accel\nhttp_port 3129 intercept\n"
                     "http_port 3130 ssl-bump tls-cert=/x.pem\nhttp_port 3131 fast\n"
                     "http_port 8080\nhttp_port 8080\n"),
              (Messages{
                  "squid.conf:1: 'http_port' needs a port",
                  "squid.conf:2: invalid http_port port '0' (1..65535)",
                  "squid.conf:3: invalid http_port port '70000' (1..65535)",
                  "squid.conf:4: invalid http_port address 'proxy.lan' (a numeric address, "
                  "[IPv6] in brackets; names are not resolved)",
                  "squid.conf:5: invalid http_port address '::1' (a numeric address, [IPv6] "
                  "in brackets; names are not resolved)",
                  "squid.conf:6: http_port option 'accel' is not supported",
                  "squid.conf:7: http_port option 'intercept' is not supported",
                  "squid.conf:8: http_port option 'ssl-bump' is not supported",
                  "squid.conf:8: http_port option 'tls-cert' is not supported",
                  "squid.conf:9: unknown http_port option 'fast'",
                  "squid.conf:11: http_port '8080' is already at line 10",
              }));
}

TEST_F(ProxyConfig, AclLinesAddValuesAndKeepOneType) {
    Config c = load("acl lan src 10.0.0.0/8\nacl lan src 192.168.0.0/16\nacl LAN src ::1\n"
                    "acl lan dst 10.0.0.0/8\nacl manager proto cache_object\n"
                    "acl localhost src 127.0.0.1/32 ::1\nacl all src all\n");
    EXPECT_EQ(c.acls.find("lan")->addresses.size(), 3u);
    EXPECT_EQ(c.acls.find("lan")->name, "lan");
    EXPECT_EQ(c.acls.find("localhost")->addresses.size(), 4u);
    EXPECT_EQ(messages(),
              (Messages{"squid.conf:4: ACL 'lan' is already a 'src' ACL (line 1); one name has "
                        "one type",
                        "squid.conf:5: ACL 'manager' is already a 'url_regex' ACL (squid's "
                        "predefined ACL); one name has one type"}));
}

TEST_F(ProxyConfig, EveryAclTypeThroughTheConfig) {
    Config c = clean(R"(acl a src 192.0.2.0/24
acl b dst 198.51.100.0/24
acl c srcdomain .lab.test
acl d dstdomain .example.com
acl e port 8080
acl f method PUT DELETE
acl g proto FTP
acl h time MTWHF 09:00-17:00
acl i url_regex -i \.iso$
acl j dstdom_regex ^cdn[0-9]+\.
http_access allow a b
http_access allow c
http_access allow d e
http_access allow f
http_access allow g
http_access allow h j
http_access allow i
)");
    auto f = facts("192.0.2.5", "198.51.100.9");
    EXPECT_EQ(c.check_http_access(f).where.line, 11);
    f = facts("10.0.0.1", "www.example.com", 8080);
    EXPECT_EQ(c.check_http_access(f).where.line, 13);
    f.client_name = "pc.lab.test";
    EXPECT_EQ(c.check_http_access(f).where.line, 12);
    f = facts("10.0.0.1", "x.test", 80, "DELETE");
    EXPECT_EQ(c.check_http_access(f).where.line, 14);
    f = facts("10.0.0.1", "x.test");
    f.scheme = "ftp";
    EXPECT_EQ(c.check_http_access(f).where.line, 15);
    f = facts("10.0.0.1", "cdn12.x.test"); // Tuesday 10:00
    EXPECT_EQ(c.check_http_access(f).where.line, 16);
    f.url = "http://cdn12.x.test/debian.ISO";
    f.weekday = 0;
    EXPECT_EQ(c.check_http_access(f).where.line, 17);
    f = facts("10.0.0.1", "x.test");
    auto r = c.check_http_access(f);
    EXPECT_FALSE(r.allowed());
    EXPECT_EQ(r.decided, AccessResult::Decided::implicit);
    EXPECT_EQ(r.where.line, 17);
}

TEST_F(ProxyConfig, AclValuesFromFiles) {
    write("lists/blocked.txt", "# blocked sites\n.ads.test\n\n  tracker.test  \n");
    write("lists/regex.txt", "\\.EXE$\n+i\n^http://A/\n");
    write("lists/times.txt", "SA\nMTWHF 12:00-13:00\n");
    Config c = clean("acl blocked dstdomain \"lists/blocked.txt\" extra.test\n"
                     "acl exe url_regex -i \"lists/regex.txt\"\n"
                     "acl play time \"" +
                     dir_ + "/lists/times.txt\"\n");
    EXPECT_EQ(c.acls.find("blocked")->domains,
              (std::vector<std::string>{".ads.test", "tracker.test", "extra.test"}));
    const auto& rx = c.acls.find("exe")->regexes;
    ASSERT_EQ(rx.size(), 2u);
    EXPECT_TRUE(rx[0].icase()); // the acl line's -i carries into the file
    EXPECT_FALSE(rx[1].icase());
    const auto& times = c.acls.find("play")->times;
    ASSERT_EQ(times.size(), 2u);
    EXPECT_EQ(times[0].days, 0x41);
    EXPECT_EQ(times[1].first_minute, 720);

    write("bad.txt", "10.0.0.1\nnot-an-address\n\n10.0.0.300\n");
    EXPECT_EQ(errors("acl x src \"bad.txt\"\nacl y src \"missing.txt\"\n"),
              (Messages{
                  "bad.txt:2: acl 'x': 'not-an-address' is not an IP address, range or CIDR "
                  "(host names are not resolved)",
                  "bad.txt:4: acl 'x': '10.0.0.300' is not an IP address, range or CIDR (host "
                  "names are not resolved)",
                  "squid.conf:2: acl 'y': cannot read missing.txt: No such file or directory",
              }));
}

TEST_F(ProxyConfig, AclMistakes) {
    EXPECT_EQ(
        errors("acl\nacl x\nacl bad@name src 1.2.3.4\nacl x foo 1\nacl x urlpath_regex ^/a\n"
               "acl x proxy_auth REQUIRED\nacl e src\nacl p port 80 http\nacl t time MTWHF 9-5\n"
               "acl r url_regex (a\nacl q src \"unterminated\n"),
        (Messages{
            "squid.conf:1: 'acl' needs a name, a type and values",
            "squid.conf:2: 'acl' needs a name, a type and values",
            "squid.conf:3: invalid ACL name 'bad@name' (letters, digits, '-', '_', '.')",
            "squid.conf:4: unknown ACL type 'foo'",
            "squid.conf:5: ACL type 'urlpath_regex' is not supported",
            "squid.conf:6: ACL type 'proxy_auth' is not supported",
            "squid.conf:7: acl 'e' has no values",
            "squid.conf:8: acl 'p': invalid port 'http' (0..65535 or a range A-B)",
            "squid.conf:9: acl 't': invalid time range '9-5' (expected HH:MM-HH:MM)",
            "squid.conf:10: acl 'r': invalid regular expression '(a': Unmatched ( or \\(",
            "squid.conf:11: unterminated string",
            "squid.conf:11: acl 'q': cannot read unterminated: No such file or directory",
        }));
}

TEST_F(ProxyConfig, AccessRuleMistakes) {
    EXPECT_EQ(errors("acl lan src 10.0.0.0/8\nhttp_access\nhttp_access permit lan\n"
                     "http_access allow lan nosuch !other\nhttp_access allow later\n"
                     "acl later src 1.2.3.4\ncache maybe\ncache deny \"lan\"\n"),
              (Messages{
                  "squid.conf:2: 'http_access' needs 'allow' or 'deny'",
                  "squid.conf:3: 'http_access' needs 'allow' or 'deny', not 'permit'",
                  "squid.conf:4: unknown ACL 'nosuch' in 'http_access'",
                  "squid.conf:4: unknown ACL 'other' in 'http_access'",
                  "squid.conf:5: unknown ACL 'later' in 'http_access'",
                  "squid.conf:7: 'cache' needs 'allow' or 'deny', not 'maybe'",
                  "squid.conf:8: unknown ACL 'lan' in 'cache'",
              }));
}

TEST_F(ProxyConfig, CacheRules) {
    Config c = clean("acl nocache dstdomain .live.test\nacl post method POST\n"
                     "cache deny nocache\ncache deny post\n");
    EXPECT_FALSE(c.check_cache(facts("10.0.0.1", "a.live.test")).allowed());
    auto r = c.check_cache(facts("10.0.0.1", "a.test"));
    EXPECT_TRUE(r.allowed()); // the last line denies, so the rest is allowed
    EXPECT_EQ(r.decided, AccessResult::Decided::implicit);
    EXPECT_EQ(r.where.line, 4);
}

TEST_F(ProxyConfig, SizesAndUnits) {
    Config c = load("cache_mem 1.5 GB\nmaximum_object_size 100 KB\n"
                    "maximum_object_size_in_memory 2048 bytes\nrequest_header_max_size 32 kb\n"
                    "request_body_max_size 10 MB\ncache_mem 512\n");
    EXPECT_EQ(c.cache_mem.value, 512u); // the last one wins
    EXPECT_EQ(c.cache_mem.where.line, 6);
    EXPECT_EQ(c.maximum_object_size.value, 100 * KiB);
    EXPECT_EQ(c.maximum_object_size_in_memory.value, 2048u);
    EXPECT_EQ(c.request_header_max_size.value, 32 * KiB);
    EXPECT_EQ(c.request_body_max_size.value, 10 * MiB);
    EXPECT_EQ(messages(),
              Messages{"squid.conf:6: warning: no units on 'cache_mem 512', assuming bytes"});
    EXPECT_EQ(clean("cache_mem 1.5 GB\n").cache_mem.value, 3 * GiB / 2);
    EXPECT_EQ(errors("cache_mem\ncache_mem lots\ncache_mem 10 XB\ncache_mem -5 MB\n"
                     "cache_mem 99999999999 GB\ncache_mem 1 MB extra\n"),
              (Messages{
                  "squid.conf:1: 'cache_mem' needs a size (a number and bytes, KB, MB or GB)",
                  "squid.conf:2: 'cache_mem' needs a size (a number and bytes, KB, MB or GB), "
                  "not 'lots'",
                  "squid.conf:3: unknown size unit 'XB' in 'cache_mem' (bytes, KB, MB, GB)",
                  "squid.conf:4: 'cache_mem' needs a size (a number and bytes, KB, MB or GB), "
                  "not '-5'",
                  "squid.conf:5: 'cache_mem' size '99999999999' is too large",
                  "squid.conf:6: unexpected 'extra' in 'cache_mem'",
              }));
}

TEST_F(ProxyConfig, ReplyBodyLimits) {
    Config c = clean("acl lan src 10.0.0.0/8\nreply_body_max_size 100 MB lan\n"
                     "reply_body_max_size 1 MB\n");
    ASSERT_EQ(c.reply_body_max_size.size(), 2u);
    EXPECT_EQ(c.reply_body_limit(facts("10.1.1.1", "a.test")), 100 * MiB);
    EXPECT_EQ(c.reply_body_limit(facts("192.0.2.1", "a.test")), 1 * MiB);
    EXPECT_EQ(errors("reply_body_max_size 1 MB nosuch\n"),
              Messages{"squid.conf:1: unknown ACL 'nosuch' in 'reply_body_max_size'"});
}

TEST_F(ProxyConfig, Timeouts) {
    Config c = load("client_lifetime 2 hours\nread_timeout 30 seconds\nconnect_timeout 1 minute\n"
                    "request_timeout 2 minutes\nclient_idle_pconn_timeout 1 day\n"
                    "server_idle_pconn_timeout 90\n");
    EXPECT_EQ(c.client_lifetime.value, 2h);
    EXPECT_EQ(c.read_timeout.value, 30s);
    EXPECT_EQ(c.connect_timeout.value, 1min);
    EXPECT_EQ(c.request_timeout.value, 2min);
    EXPECT_EQ(c.client_idle_pconn_timeout.value, 24h);
    EXPECT_EQ(c.server_idle_pconn_timeout.value, 90s);
    EXPECT_EQ(c.server_idle_pconn_timeout.where.line, 6);
    EXPECT_EQ(messages(), Messages{"squid.conf:6: warning: no units on "
                                   "'server_idle_pconn_timeout 90', assuming seconds"});
    EXPECT_EQ(errors("read_timeout\nread_timeout soon\nread_timeout 5 fortnights\n"
                     "read_timeout 20 years\nread_timeout 1 hour later\n"),
              (Messages{
                  "squid.conf:1: 'read_timeout' needs a time (a number and seconds, minutes, "
                  "hours, days or weeks)",
                  "squid.conf:2: 'read_timeout' needs a time (a number and seconds, minutes, "
                  "hours, days or weeks), not 'soon'",
                  "squid.conf:3: unknown time unit 'fortnights' in 'read_timeout' (seconds, "
                  "minutes, hours, days, weeks)",
                  "squid.conf:4: unknown time unit 'years' in 'read_timeout' (seconds, "
                  "minutes, hours, days, weeks)",
                  "squid.conf:5: unexpected 'later' in 'read_timeout'",
              }));
}

TEST_F(ProxyConfig, CacheDir) {
    Config c =
        clean("cache_dir ufs /srv/cache 2048 32 128 no-store min-size=10 max-size=1048576\n");
    ASSERT_TRUE(c.cache_dir);
    EXPECT_EQ(c.cache_dir->size_mb, 2048u);
    EXPECT_EQ(c.cache_dir->l1, 32);
    EXPECT_EQ(c.cache_dir->l2, 128);
    EXPECT_TRUE(c.cache_dir->no_store);
    EXPECT_EQ(c.cache_dir->min_size, 10u);
    EXPECT_EQ(c.cache_dir->max_size, 1048576u);
    EXPECT_EQ(c.cache_dir->where.line, 1);
    EXPECT_EQ(errors("cache_dir\ncache_dir aufs /a 100 16 256\ncache_dir rock /b 100\n"
                     "cache_dir zfs /c 1 1 1\ncache_dir ufs /d 100 16\n"
                     "cache_dir ufs /e 0 0 257\ncache_dir ufs /f 100 16 256 max-size=big\n"
                     "cache_dir ufs /g 100 16 256 read-only\ncache_dir ufs /h 100 16 256\n"
                     "cache_dir ufs /i 100 16 256\n"),
              (Messages{
                  "squid.conf:1: 'cache_dir' needs: ufs DIRECTORY MBYTES L1 L2",
                  "squid.conf:2: cache_dir type 'aufs' is not supported (only ufs)",
                  "squid.conf:3: cache_dir type 'rock' is not supported (only ufs)",
                  "squid.conf:4: unknown cache_dir type 'zfs'",
                  "squid.conf:5: 'cache_dir' needs: ufs DIRECTORY MBYTES L1 L2",
                  "squid.conf:6: cache_dir size '0' is not a number of megabytes (>= 1)",
                  "squid.conf:6: cache_dir L1 and L2 must be 1..256, not '0' '257'",
                  "squid.conf:7: invalid cache_dir option 'max-size=big' (a number of bytes)",
                  "squid.conf:8: cache_dir option 'read-only' is not supported",
                  "squid.conf:10: only one cache_dir is supported; the first is at line 9",
              }));
}

TEST_F(ProxyConfig, RefreshPatternMistakes) {
    EXPECT_EQ(errors("refresh_pattern\nrefresh_pattern . 0 20%\nrefresh_pattern ( 0 20% 10\n"
                     "refresh_pattern . x 20% 10\nrefresh_pattern . 0 lots 10\n"
                     "refresh_pattern . 0 20% 10 override-expire ignore-reload fast\n"),
              (Messages{
                  "squid.conf:1: 'refresh_pattern' needs: [-i] REGEX MIN PERCENT MAX",
                  "squid.conf:2: 'refresh_pattern' needs: [-i] REGEX MIN PERCENT MAX",
                  "squid.conf:3: invalid regular expression '(': Unmatched ( or \\(",
                  "squid.conf:4: refresh_pattern MIN and MAX are minutes (0..5256000), not 'x' "
                  "'10'",
                  "squid.conf:5: refresh_pattern PERCENT 'lots' is not a percentage",
                  "squid.conf:6: refresh_pattern option 'override-expire' is not supported",
                  "squid.conf:6: refresh_pattern option 'ignore-reload' is not supported",
                  "squid.conf:6: unknown refresh_pattern option 'fast'",
              }));
    Config c = clean("refresh_pattern \\.deb$ 1440 100 129600\n");
    EXPECT_EQ(c.refresh_patterns[0].percent, 100);
    EXPECT_EQ(c.refresh_patterns[0].max_minutes, 129600);
}

TEST_F(ProxyConfig, AccessLogs) {
    Config c = clean("acl mgr_only url_regex squid-internal\n"
                     "access_log /var/log/a.log\naccess_log stdio:/var/log/b.log squid\n"
                     "access_log stdio:/var/log/c.log logformat=squid !mgr_only\n"
                     "access_log none mgr_only\n");
    ASSERT_EQ(c.access_logs.size(), 4u);
    EXPECT_EQ(c.access_logs[0].path, "/var/log/a.log");
    EXPECT_EQ(c.access_logs[1].path, "/var/log/b.log");
    EXPECT_EQ(c.access_logs[2].path, "/var/log/c.log");
    ASSERT_EQ(c.access_logs[2].acls.size(), 1u);
    EXPECT_TRUE(c.access_logs[2].acls[0].negated);
    EXPECT_EQ(c.access_logs[3].path, "");
    EXPECT_EQ(c.access_logs[3].where.line, 5);
    EXPECT_EQ(errors("access_log\naccess_log daemon:/var/log/squid/access.log squid\n"
                     "access_log syslog:daemon.info\naccess_log /a.log combined\n"
                     "access_log /a.log logformat=mine\naccess_log /a.log rotate=3\n"
                     "access_log /a.log squid nosuch\n"),
              (Messages{
                  "squid.conf:1: 'access_log' needs a file name or 'none'",
                  "squid.conf:2: access_log module 'daemon' is not supported (only stdio:PATH)",
                  "squid.conf:3: access_log module 'syslog' is not supported (only stdio:PATH)",
                  "squid.conf:4: access_log format 'combined' is not supported (only 'squid', "
                  "squid's native format)",
                  "squid.conf:5: access_log format 'mine' is not supported (only 'squid', "
                  "squid's native format)",
                  "squid.conf:6: access_log option 'rotate=3' is not supported",
                  "squid.conf:7: unknown ACL 'nosuch' in 'access_log'",
              }));
}

TEST_F(ProxyConfig, SimpleValues) {
    Config c = clean("cache_log /tmp/cache.log\nvisible_hostname proxy.lab.test\n"
                     "forwarded_for delete\nvia off\nmax_filedescriptors 4096\n"
                     "proxy_auto_config on\n");
    EXPECT_TRUE(c.proxy_auto_config.value);
    EXPECT_FALSE(clean("").proxy_auto_config.value);
    EXPECT_EQ(c.cache_log->value, "/tmp/cache.log");
    EXPECT_EQ(c.visible_hostname->value, "proxy.lab.test");
    EXPECT_EQ(c.visible_hostname->where.line, 2);
    EXPECT_EQ(c.forwarded_for.value, ForwardedFor::delete_header);
    EXPECT_EQ(c.forwarded_for.where.line, 3);
    EXPECT_FALSE(c.via.value);
    EXPECT_EQ(c.max_filedescriptors->value, 4096);
    for (auto v : {ForwardedFor::on, ForwardedFor::off, ForwardedFor::transparent,
                   ForwardedFor::delete_header, ForwardedFor::truncate})
        EXPECT_EQ(clean("forwarded_for " + std::string(to_string(v)) + "\n").forwarded_for.value,
                  v);
    EXPECT_EQ(errors("cache_log\nvisible_hostname a b\nforwarded_for maybe\nvia yes\n"
                     "via\nmax_filedescriptors many\nproxy_auto_config yes\n"),
              (Messages{
                  "squid.conf:1: 'cache_log' needs a value",
                  "squid.conf:2: unexpected 'b' in 'visible_hostname'",
                  "squid.conf:3: 'forwarded_for' needs on, off, transparent, delete or truncate",
                  "squid.conf:4: 'via' needs 'on' or 'off'",
                  "squid.conf:5: 'via' needs 'on' or 'off'",
                  "squid.conf:6: 'max_filedescriptors' needs a number (0..16777216)",
                  "squid.conf:7: 'proxy_auto_config' needs 'on' or 'off'",
              }));
}

TEST_F(ProxyConfig, CachePeers) {
    Config c = load("cache_peer parent.lab.test parent 3128 0 no-query default proxy-only\n"
                    "cache_peer 192.0.2.9 parent 8080 3130 name=backup login=user:secret "
                    "connect-timeout=5 weight=2 no-digest\n"
                    "acl lan src 10.0.0.0/8\ncache_peer_access backup allow lan\n"
                    "cache_peer_access BACKUP deny all\n");
    ASSERT_EQ(c.cache_peers.size(), 2u);
    const CachePeer& p = c.cache_peers[0];
    EXPECT_EQ(p.host, "parent.lab.test");
    EXPECT_EQ(p.name, "parent.lab.test");
    EXPECT_EQ(p.http_port, 3128);
    EXPECT_TRUE(p.default_parent);
    EXPECT_TRUE(p.proxy_only);
    EXPECT_TRUE(p.no_query);
    const CachePeer& b = c.cache_peers[1];
    EXPECT_EQ(b.name, "backup");
    EXPECT_EQ(b.icp_port, 3130);
    EXPECT_TRUE(b.no_query); // always: no ICP
    EXPECT_EQ(b.login, "user:secret");
    EXPECT_EQ(b.connect_timeout, 5s);
    EXPECT_EQ(b.weight, 2);
    ASSERT_EQ(b.access.size(), 2u);
    EXPECT_EQ(c.find_peer("Backup"), &b);
    auto lan = facts("10.0.0.1", "a.test");
    EXPECT_TRUE(check_access(b.access, c.acls, lan, Action::allow).allowed());
    EXPECT_FALSE(check_access(b.access, c.acls, facts("192.0.2.1", "a"), Action::allow).allowed());
    EXPECT_EQ(messages(), Messages{"squid.conf:2: warning: ICP is not supported: cache_peer "
                                   "'backup' is used as if 'no-query' were given"});

    EXPECT_EQ(errors("cache_peer a parent 3128\ncache_peer a sibling 3128 0\n"
                     "cache_peer a cousin 3128 0\ncache_peer a parent x 0 no-query\n"
                     "cache_peer a parent 3128 99999 no-query\n"
                     "cache_peer a parent 3128 0 round-robin originserver\n"
                     "cache_peer a parent 3128 0 login=PASS\ncache_peer a parent 3128 0 weight=0\n"
                     "cache_peer a parent 3128 0 fast\ncache_peer a parent 3128 0\n"
                     "cache_peer b parent 3128 0 name=A\ncache_peer_access nosuch allow all\n"
                     "cache_peer_access\ncache_peer_access a allow nosuch\n"),
              (Messages{
                  "squid.conf:1: 'cache_peer' needs: HOST parent HTTP_PORT ICP_PORT [options]",
                  "squid.conf:2: cache_peer type 'sibling' is not supported (only parent)",
                  "squid.conf:3: unknown cache_peer type 'cousin'",
                  "squid.conf:4: invalid cache_peer HTTP port 'x' (1..65535)",
                  "squid.conf:5: invalid cache_peer ICP port '99999' (0..65535)",
                  "squid.conf:6: cache_peer option 'round-robin' is not supported",
                  "squid.conf:6: cache_peer option 'originserver' is not supported",
                  "squid.conf:7: cache_peer login=PASS is not supported (user:password or "
                  "PASSTHRU)",
                  "squid.conf:8: invalid cache_peer option 'weight=0'",
                  "squid.conf:9: unknown cache_peer option 'fast'",
                  "squid.conf:11: cache_peer name 'A' is already used at line 10",
                  "squid.conf:12: cache_peer_access: no cache_peer named 'nosuch' (define it "
                  "first)",
                  "squid.conf:13: 'cache_peer_access' needs a cache_peer name, allow or deny, "
                  "and ACLs",
                  "squid.conf:14: unknown ACL 'nosuch' in 'cache_peer_access'",
              }));
}

TEST_F(ProxyConfig, Includes) {
    write("conf.d/10-acl.conf", "acl lan src 10.0.0.0/8\n");
    write("conf.d/20-access.conf", "http_access allow lan\n");
    write("extra.conf", "http_port 3129\n");
    Config c = clean("include conf.d/*.conf\ninclude " + dir_ + "/extra.conf\nhttp_port 3128\n");
    EXPECT_EQ(c.http_access.size(), 1u);
    EXPECT_TRUE(c.http_access[0].where.file.ends_with("conf.d/20-access.conf"));
    EXPECT_EQ(c.http_ports.size(), 2u);

    write("loop.conf", "include squid.conf\n");
    EXPECT_EQ(errors("include loop.conf\ninclude missing.conf\ninclude\ninclude none/*.conf\n"),
              (Messages{
                  "loop.conf:1: include loop: 'squid.conf' is already being read",
                  "squid.conf:2: cannot include missing.conf: No such file or directory",
                  "squid.conf:3: 'include' needs a file name",
                  "squid.conf:4: include: no file matches 'none/*.conf'",
              }));
}

TEST_F(ProxyConfig, MissingFile) {
    diags_ = {};
    load_config(dir_ + "/none.conf", diags_);
    EXPECT_EQ(messages(), Messages{"none.conf: No such file or directory"});
}

TEST_F(ProxyConfig, CommentsContinuationsAndBlanks) {
    Config c = clean("  # indented comment\n\t\nacl lan src \\\n  10.0.0.0/8 \\\n 192.168.0.0/16\n"
                     "acl hash url_regex a#b #frag\nhttp_access allow lan # lan only\r\n");
    EXPECT_EQ(c.acls.find("lan")->addresses.size(), 2u);
    EXPECT_EQ(c.acls.find("lan")->where.line, 3);
    ASSERT_EQ(c.acls.find("hash")->regexes.size(), 1u);          // "#frag" is a comment
    EXPECT_EQ(c.acls.find("hash")->regexes[0].pattern(), "a#b"); // '#' inside a word is data
    EXPECT_EQ(c.http_access[0].where.line, 7);
    EXPECT_EQ(c.http_access[0].acls.size(), 1u);
}

TEST_F(ProxyConfig, UnknownAndUnsupportedDirectives) {
    EXPECT_EQ(errors("coredump_dir /var/spool/squid\nauth_param basic program /x\n"
                     "https_port 3129\nlogformat x %ts\nssl_bump peek all\nworkers 2\n"
                     "if ${process_number} = 1\nendif\nhttp_prot 3128\nHTTP_PORT 3128\n"
                     "\"http_port\" 3128\nsquid_ftw on\n"),
              (Messages{
                  "squid.conf:1: directive 'coredump_dir' is not supported",
                  "squid.conf:2: directive 'auth_param' is not supported",
                  "squid.conf:3: directive 'https_port' is not supported",
                  "squid.conf:4: directive 'logformat' is not supported",
                  "squid.conf:5: directive 'ssl_bump' is not supported",
                  "squid.conf:6: directive 'workers' is not supported",
                  "squid.conf:7: directive 'if' is not supported",
                  "squid.conf:8: directive 'endif' is not supported",
                  "squid.conf:9: unknown directive 'http_prot'",
                  "squid.conf:10: unknown directive 'HTTP_PORT'",
                  "squid.conf:11: unknown directive 'http_port'",
                  "squid.conf:12: unknown directive 'squid_ftw'",
              }));
}

TEST_F(ProxyConfig, EveryMistakeInOneRun) {
    // One file full of mistakes: each is reported, and the good lines around them still count.
    Config c = load("http_port 3128 accel\nacl lan src 10.0.0.0/33\nacl lan src 10.0.0.0/8\n"
                    "http_access allow lan\nhttp_access allow nosuch\ncache_mem 1 TB\n"
                    "cache_dir aufs /var/spool/squid 100 16 256\nrefresh_pattern . 0 20% 4320\n"
                    "cache_peer up sibling 3128 3130\nvia maybe\ncoredump_dir /tmp\n"
                    "http_port 3129\n");
    EXPECT_EQ(messages(),
              (Messages{
                  "squid.conf:1: http_port option 'accel' is not supported",
                  "squid.conf:2: acl 'lan': '10.0.0.0/33' is not an IP address, range or CIDR "
                  "(host names are not resolved)",
                  "squid.conf:5: unknown ACL 'nosuch' in 'http_access'",
                  "squid.conf:6: unknown size unit 'TB' in 'cache_mem' (bytes, KB, MB, GB)",
                  "squid.conf:7: cache_dir type 'aufs' is not supported (only ufs)",
                  "squid.conf:9: cache_peer type 'sibling' is not supported (only parent)",
                  "squid.conf:10: 'via' needs 'on' or 'off'",
                  "squid.conf:11: directive 'coredump_dir' is not supported",
              }));
    EXPECT_EQ(diags_.error_count(), 8u);
    EXPECT_EQ(c.http_ports.size(), 1u);
    EXPECT_EQ(c.http_ports[0].port, 3129);
    EXPECT_EQ(c.acls.find("lan")->addresses.size(), 1u);
    EXPECT_EQ(c.http_access.size(), 2u);
    EXPECT_EQ(c.refresh_patterns.size(), 1u);
}

} // namespace
} // namespace superd::proxy
