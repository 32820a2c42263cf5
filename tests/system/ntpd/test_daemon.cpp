// The superd-ntpd binary with an ntp.conf, against real clients from Debian: ntpdig (ntpsec's
// SNTP client, which Debian's sntp and ntpdate wrap), sntp and ntpsec's ntpdate plain and with MD5,
// SHA1 and AES-CMAC keys; chronyd and ntpsec's ntpd as clients that select us (chronyc sources,
// ntpq -p, ntptrace); restrict and the rate limit seen on the wire; the state file that lets a
// restarted responder serve the current stratum at once; the discipline kept off the clock.
//
// ntpdig, ntpq and ntpsec's ntpd talk to port 123 only: every server here runs inside network
// namespaces the test creates (tests/system/netns.hpp), on 127.0.0.x:123 or on a veth pair
// between two of them. Every NTP program runs without CAP_SYS_TIME (setpriv), chronyd also with
// -x: nothing here can set this machine's clock.
#include "tests/system/harness.hpp"
#include "tests/system/netns.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <regex>
#include <thread>

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

namespace superd::system_test {
namespace {

using namespace std::chrono_literals;

const std::string ntpd_bin = SUPERD_NTPD_BIN;
const std::string ntpdig = "/usr/bin/ntpdig";
const std::string sntp = "/usr/bin/sntp"; // Debian's sntp package: ntpdig under sntp's name
const std::string ntpdate = "/opt/superd-peers/ntpsec-ntpdate/usr/sbin/ntpdate";
const std::string ntpsec_bin = "/opt/superd-peers/ntpsec/usr/bin";
const std::string ntpsec_ntpd = "/opt/superd-peers/ntpsec/usr/sbin/ntpd";
const std::string chronyd = "/opt/superd-peers/chrony/usr/sbin/chronyd";
const std::string chronyc = "/opt/superd-peers/chrony/usr/bin/chronyc";
const std::string install_hint = " is missing: run scripts/install-deps";

// Without the right to set the clock, inherited or regained.
std::vector<std::string> no_sys_time(std::vector<std::string> argv) {
    std::vector<std::string> out{"setpriv", "--inh-caps=-sys_time", "--bounding-set=-sys_time"};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

bool exited_ok(const CommandResult& r) {
    return WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
}

// The keys both sides use: example keys, one of each type; key 4 is known to the clients only.
const std::string keys_text = "1 MD5 superd-test-md5\n"
                              "2 SHA1 0123456789abcdef0123456789abcdef01234567\n"
                              "3 AES128CMAC 000102030405060708090a0b0c0d0e0f\n"
                              "4 MD5 not-on-the-server\n";

// A superd-ntpd inside `ns`, on ADDR:123, with `conf` (paths in it may use @DIR@).
class NtpDaemon {
  public:
    NtpDaemon(const Netns& ns, const TempDir& dir, std::string name)
        : ns_(ns)
        , dir_(dir)
        , name_(std::move(name)) {}

    bool start(const std::string& conf, const std::string& address = "127.0.0.1") {
        std::string text = std::regex_replace(conf, std::regex("@DIR@"), dir_.path());
        write_file(dir_.file(name_ + ".conf"), text);
        log_ = dir_.file(name_ + ".log");
        process_ = std::make_unique<Process>();
        if (!process_->start(ns_.exec(no_sys_time({ntpd_bin, "-d", "-c", dir_.file(name_ + ".conf"),
                                                   "--listen", address + ":123"})),
                             log_))
            return false;
        return wait_until(
                   [&] {
                       return log().find("serving") != std::string::npos || !process_->running();
                   },
                   10s) &&
               process_->running();
    }
    void stop() {
        if (!process_) return;
        process_->signal(SIGTERM);
        process_->wait_exit(5s);
    }
    std::string log() const { return read_file(log_); }
    Process& process() { return *process_; }

  private:
    const Netns& ns_;
    const TempDir& dir_;
    std::string name_;
    std::string log_;
    std::unique_ptr<Process> process_;
};

class NtpDaemonTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why;
        if (!netns_supported(&why)) GTEST_SKIP() << why;
        ns_ = std::make_unique<Netns>("ntp");
        write_file(dir_.file("ntp.keys"), keys_text);
        ::chmod(dir_.file("ntp.keys").c_str(), 0600);
    }
    CommandResult run(const std::vector<std::string>& argv, std::chrono::milliseconds t = 20s) {
        return ns_->run(argv, t);
    }

    TempDir dir_;
    std::unique_ptr<Netns> ns_;
};

const std::string local_clock_conf = "server 127.127.1.0\n"
                                     "fudge 127.127.1.0 stratum 10\n"
                                     "driftfile @DIR@/ntp.drift\n"
                                     "keys @DIR@/ntp.keys\n"
                                     "trustedkey 1 2 3\n";

// ntpdig's line: "2026-11-23 15:56:34.775567 (+0000) -0.000050 +/- 0.000137 127.0.0.1 s11
// no-leap"; the offset must lie within its error bound (this machine's own clock, measured
// through us).
void expect_sntp_line(const std::string& out, int stratum) {
    std::smatch m;
    static const std::regex line(R"(([-+]\d+\.\d+) \+/- (\d+\.\d+) 127\.0\.0\.1 s(\d+) no-leap)");
    ASSERT_TRUE(std::regex_search(out, m, line)) << out;
    EXPECT_EQ(std::stoi(m[3]), stratum) << out;
    EXPECT_LE(std::fabs(std::stod(m[1])), std::stod(m[2])) << out;
}

TEST_F(NtpDaemonTest, NtpdigSntpAndNtpdateTakeTheLocalClocksTime) {
    ASSERT_TRUE(have_program(ntpdig)) << ntpdig << install_hint;
    ASSERT_TRUE(have_program(sntp)) << sntp << install_hint;
    ASSERT_TRUE(have_program(ntpdate)) << ntpdate << install_hint;
    NtpDaemon server(*ns_, dir_, "ntpd");
    ASSERT_TRUE(server.start(local_clock_conf)) << server.log();

    auto dig = run(no_sys_time({ntpdig, "-t", "2", "127.0.0.1"}));
    EXPECT_TRUE(exited_ok(dig)) << dig.out;
    expect_sntp_line(dig.out, 11);
    auto sn = run(no_sys_time({sntp, "-t", "2", "127.0.0.1"}));
    EXPECT_TRUE(exited_ok(sn)) << sn.out;
    expect_sntp_line(sn.out, 11);
    // ntpdate -q: query only (it runs ntpdig, found on PATH).
    auto date = run(no_sys_time({ntpdate, "-q", "127.0.0.1"}));
    EXPECT_TRUE(exited_ok(date)) << date.out;
    expect_sntp_line(date.out, 11);
    // Served from the local clock, as the log says.
    EXPECT_NE(server.log().find("serving stratum 11, refid LOCL"), std::string::npos)
        << server.log();
}

TEST_F(NtpDaemonTest, AuthenticatedQueriesWithMd5Sha1AndAesCmacKeys) {
    ASSERT_TRUE(have_program(ntpdig)) << ntpdig << install_hint;
    NtpDaemon server(*ns_, dir_, "ntpd");
    ASSERT_TRUE(server.start(local_clock_conf)) << server.log();
    for (const char* key : {"1", "2", "3"}) {
        // -d: ntpdig says whether the reply's MAC verified.
        auto r = run(no_sys_time(
            {ntpdig, "-d", "-t", "2", "-a", key, "-k", dir_.file("ntp.keys"), "127.0.0.1"}));
        EXPECT_TRUE(exited_ok(r)) << "key " << key << ": " << r.out;
        EXPECT_NE(r.out.find("MAC verification on reply from 127.0.0.1 succeeded"),
                  std::string::npos)
            << "key " << key << ": " << r.out;
        expect_sntp_line(r.out, 11);
    }
    // A key the server does not have: a crypto-NAK, which ntpdig does not take time from.
    auto nak = run(no_sys_time(
        {ntpdig, "-d", "-t", "2", "-a", "4", "-k", dir_.file("ntp.keys"), "127.0.0.1"}));
    EXPECT_FALSE(exited_ok(nak)) << nak.out;
    EXPECT_EQ(nak.out.find(" s11 "), std::string::npos) << nak.out;
    server.stop();
    EXPECT_NE(server.log().find("crypto_nak=1"), std::string::npos) << server.log();
    EXPECT_NE(server.log().find("reply=3"), std::string::npos) << server.log();
}

// One mode 3 request from `source` (an address of this namespace's loopback) to 127.0.0.1:123;
// the reply, or nothing within a second.
std::optional<std::string> exchange_from(const std::string& source, std::uint64_t nonce,
                                         std::uint8_t first_byte = 0x23) {
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(123);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::optional<std::string> out;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
        ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) {
        std::string request(48, '\0');
        request[0] = static_cast<char>(first_byte);
        for (int i = 0; i < 8; ++i)
            request[40 + i] = static_cast<char>(nonce >> (56 - 8 * i));
        if (first_byte == 0x16) { // a mode 6 READVAR of the system variables, as ntpq -c rv
            request.resize(12);
            request[1] = 2;
            request[3] = 1;
        }
        ::send(fd, request.data(), request.size(), 0);
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 1000) == 1) {
            char buf[600];
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n > 0) out = std::string(buf, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    return out;
}

TEST_F(NtpDaemonTest, RestrictAndTheRateLimitAreSeenOnTheWire) {
    NtpDaemon server(*ns_, dir_, "ntpd");
    ASSERT_TRUE(server.start("server 127.127.1.0\n"
                             "fudge 127.127.1.0 stratum 10\n"
                             "discard average 3 minimum 2\n"
                             "restrict default kod limited nomodify nopeer noquery\n"
                             "restrict 127.0.0.1\n"
                             "restrict 127.0.0.2 ignore\n"
                             "restrict 127.0.0.3 noserve kod\n"))
        << server.log();
    EnterNetns inside(*ns_);
    ASSERT_TRUE(inside.ok());
    auto stratum = [](const std::string& r) { return static_cast<int>(std::uint8_t(r[1])); };
    auto refid = [](const std::string& r) { return r.substr(12, 4); };

    // 127.0.0.1: no restriction, however often it asks; mode 6 answered.
    for (std::uint64_t i = 1; i <= 5; ++i) {
        auto r = exchange_from("127.0.0.1", i);
        ASSERT_TRUE(r) << server.log();
        EXPECT_EQ(stratum(*r), 11);
        EXPECT_EQ(refid(*r), "LOCL");
    }
    EXPECT_TRUE(exchange_from("127.0.0.1", 0, 0x16));
    // 127.0.0.2: ignored entirely.
    EXPECT_FALSE(exchange_from("127.0.0.2", 1));
    // 127.0.0.3: noserve kod is a DENY kiss (stratum 0, LI 3).
    auto deny = exchange_from("127.0.0.3", 1);
    ASSERT_TRUE(deny);
    EXPECT_EQ(stratum(*deny), 0);
    EXPECT_EQ(refid(*deny), "DENY");
    EXPECT_EQ(std::uint8_t((*deny)[0]) >> 6, 3);
    // 127.0.0.4, the default: served once, then kissed RATE when it comes back at once (twice
    // within a second is under `discard minimum 2`), and no mode 6 (noquery).
    auto first = exchange_from("127.0.0.4", 1);
    ASSERT_TRUE(first);
    EXPECT_EQ(stratum(*first), 11);
    auto second = exchange_from("127.0.0.4", 2);
    ASSERT_TRUE(second);
    EXPECT_EQ(stratum(*second), 0);
    EXPECT_EQ(refid(*second), "RATE");
    EXPECT_EQ(second->substr(24, 8), std::string("\0\0\0\0\0\0\0\x02", 8)); // origin = ours
    EXPECT_FALSE(exchange_from("127.0.0.4", 0, 0x16));
}

TEST(NtpDaemonConfig, CheckNamesEveryProblemWithFileAndLine) {
    TempDir dir;
    write_file(dir.file("ntp.conf"), "server 127.127.1.0\n"
                                     "fudge 127.127.1.0 stratum 10\n"
                                     "crypto\n"
                                     "peer 192.0.2.1\n"
                                     "restrict default kod limited bogus\n"
                                     "server 192.0.2.2 key 9\n"
                                     "keys " +
                                         dir.file("ntp.keys") + "\n");
    write_file(dir.file("ntp.keys"), "1 MD5 secret\n");
    auto r = run_command({ntpd_bin, "-t", "-c", dir.file("ntp.conf")});
    EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1) << r.out;
    const std::string f = dir.file("ntp.conf");
    EXPECT_NE(r.out.find(f + ":3: directive 'crypto' is not supported"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(f + ":4: 'peer' (symmetric mode) is not supported"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(f + ":5: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("bogus"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(f + ":6: key 9 is not in the keys file"), std::string::npos) << r.out;

    // The default profile's config checks clean.
    // (Its paths are relative to the checkout, where scripts/run starts superd.)
    auto ok = run_command(
        {"sh", "-c", "cd " + std::string(SOURCE_DIR) + " && " + ntpd_bin + " -t -c etc/ntp.conf"});
    EXPECT_TRUE(exited_ok(ok)) << ok.out;
    EXPECT_NE(ok.out.find("configuration OK"), std::string::npos) << ok.out;

    // Started with errors, it does not start.
    auto start = run_command({ntpd_bin, "-d", "-c", dir.file("ntp.conf"), "--listen",
                              "127.0.0.1:" + std::to_string(free_port(SOCK_DGRAM))});
    EXPECT_TRUE(WIFEXITED(start.status) && WEXITSTATUS(start.status) == 1) << start.out;
    EXPECT_NE(start.out.find("not started"), std::string::npos) << start.out;
}

TEST_F(NtpDaemonTest, ChronydAsAClientSelectsUs) {
    ASSERT_TRUE(have_program(chronyd)) << chronyd << install_hint;
    ASSERT_TRUE(have_program(chronyc)) << chronyc << install_hint;
    NtpDaemon server(*ns_, dir_, "ntpd");
    ASSERT_TRUE(server.start(local_clock_conf)) << server.log();
    // chronyd wants its command socket's folder to be its own and closed to others.
    std::string run_dir = dir_.file("chrony");
    ::mkdir(run_dir.c_str(), 0700);
    write_file(dir_.file("chrony.conf"), "server 127.0.0.1 iburst minpoll 0 maxpoll 2\n"
                                         "port 0\n"
                                         "bindcmdaddress " +
                                             run_dir +
                                             "/chronyd.sock\n"
                                             "pidfile " +
                                             run_dir +
                                             "/chronyd.pid\n"
                                             "driftfile " +
                                             run_dir + "/drift\n");
    Process client;
    ASSERT_TRUE(client.start(
        ns_->exec(no_sys_time({chronyd, "-x", "-u", "root", "-d", "-f", dir_.file("chrony.conf")})),
        dir_.file("chronyd.log")));
    std::string sources;
    bool selected = wait_until(
        [&] {
            sources = run({chronyc, "-h", run_dir + "/chronyd.sock", "-n", "sources"}, 5s).out;
            return sources.find("^* 127.0.0.1") != std::string::npos;
        },
        40s, 500ms);
    EXPECT_TRUE(selected) << sources << client.log();
    // "^* 127.0.0.1   11   0   377 ..." : our stratum.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(sources, m, std::regex(R"(\^\* 127\.0\.0\.1\s+(\d+))")))
        << sources;
    EXPECT_EQ(m[1], "11");
    client.signal(SIGTERM);
    client.wait_exit(5s);
}

// Two namespaces on a veth pair: us on 10.123.0.1, ntpsec's ntpd on 10.123.0.2 following us.
TEST_F(NtpDaemonTest, NtpsecNtpdSelectsUsAndNtpqAndNtptraceShowIt) {
    ASSERT_TRUE(have_program(ntpsec_ntpd)) << ntpsec_ntpd << install_hint;
    ASSERT_TRUE(have_program(ntpsec_bin + "/ntpq")) << "ntpq" << install_hint;
    Netns client_ns("ntpc");
    add_veth(*ns_, "vsrv", "", client_ns, "vcli", "");
    ns_->ip({"addr", "add", "10.123.0.1/24", "dev", "vsrv"});
    client_ns.ip({"addr", "add", "10.123.0.2/24", "dev", "vcli"});
    NtpDaemon server(*ns_, dir_, "ntpd");
    ASSERT_TRUE(server.start(local_clock_conf + "restrict default kod limited nomodify nopeer\n",
                             "0.0.0.0"))
        << server.log();
    write_file(dir_.file("ntpsec.conf"), "server 10.123.0.1 iburst minpoll 3 maxpoll 4\n"
                                         "driftfile " +
                                             dir_.file("ntpsec.drift") +
                                             "\n"
                                             "disable kernel\n"
                                             "restrict default\n"
                                             "restrict 127.0.0.1\n");
    Process ntpsec;
    ASSERT_TRUE(ntpsec.start(
        client_ns.exec(no_sys_time({ntpsec_ntpd, "-n", "-c", dir_.file("ntpsec.conf")})),
        dir_.file("ntpsec.log")));
    const std::string path = "PATH=" + ntpsec_bin + ":/usr/bin:/bin";
    std::string peers;
    bool selected = wait_until(
        [&] {
            peers = client_ns.run({"env", path, "ntpq", "-n", "-p", "127.0.0.1"}, 5s).out;
            return peers.find("*10.123.0.1") != std::string::npos;
        },
        60s, 1s);
    EXPECT_TRUE(selected) << peers << read_file(dir_.file("ntpsec.log"));
    // "*10.123.0.1  76.79.67.76  11 u ...": our stratum; ntpq shows a stratum-11 refid as an
    // address, LOCL's four letters read as one.
    EXPECT_NE(peers.find("76.79.67.76     11 u"), std::string::npos) << peers;

    auto rv = client_ns.run({"env", path, "ntpq", "-n", "-c", "rv", "10.123.0.1"}, 10s);
    EXPECT_NE(rv.out.find("stratum=11"), std::string::npos) << rv.out;
    EXPECT_NE(rv.out.find("refid=LOCL"), std::string::npos) << rv.out;
    auto trace = client_ns.run({"env", path, "ntptrace", "-n", "10.123.0.1"}, 10s);
    EXPECT_NE(trace.out.find("10.123.0.1: stratum 11"), std::string::npos) << trace.out;
    ntpsec.signal(SIGTERM);
    ntpsec.wait_exit(5s);
}

// Upstream A (127.0.0.2, local clock at stratum 3, so it serves 4) and B (127.0.0.1) following
// it: B serves stratum 5 with A's address as refid and keeps that in its state file. Restarted
// with A gone, B's very first reply is stratum 5 again, from the state file.
TEST_F(NtpDaemonTest, ARestartedResponderServesTheLastStateAtOnce) {
    ASSERT_TRUE(have_program(ntpdig)) << ntpdig << install_hint;
    NtpDaemon upstream(*ns_, dir_, "upstream");
    ASSERT_TRUE(upstream.start("server 127.127.1.0\nfudge 127.127.1.0 stratum 3\n", "127.0.0.2"))
        << upstream.log();
    const std::string conf = "server 127.0.0.2 iburst minpoll 3 maxpoll 4\n"
                             "driftfile @DIR@/b/ntp.drift\n";
    ::mkdir(dir_.file("b").c_str(), 0755);
    NtpDaemon b(*ns_, dir_, "b");
    ASSERT_TRUE(b.start(conf)) << b.log();
    ASSERT_TRUE(wait_until(
        [&] { return b.log().find("serving stratum 5, refid 127.0.0.2") != std::string::npos; },
        40s))
        << b.log();
    expect_sntp_line(run(no_sys_time({ntpdig, "-t", "2", "127.0.0.1"})).out, 5);
    b.stop();
    upstream.stop();
    std::string state = read_file(dir_.file("b/ntp.state"));
    EXPECT_NE(state.find("stratum 5\n"), std::string::npos) << state;
    EXPECT_NE(state.find("refid 7f000002\n"), std::string::npos) << state;

    NtpDaemon again(*ns_, dir_, "b-again");
    ASSERT_TRUE(again.start(conf)) << again.log();
    auto first = run(no_sys_time({ntpdig, "-t", "2", "127.0.0.1"}));
    expect_sntp_line(first.out, 5);
}

// `enable ntp` turns the discipline on; without CAP_SYS_TIME the kernel refuses the first slew,
// which is logged, and the server serves on. The process really had no CAP_SYS_TIME.
TEST_F(NtpDaemonTest, TheDisciplineWithoutCapSysTimeLeavesTheClockAlone) {
    NtpDaemon upstream(*ns_, dir_, "upstream");
    ASSERT_TRUE(upstream.start("server 127.127.1.0\nfudge 127.127.1.0 stratum 3\n", "127.0.0.2"))
        << upstream.log();
    NtpDaemon b(*ns_, dir_, "b");
    ASSERT_TRUE(b.start("server 127.0.0.2 iburst minpoll 3 maxpoll 4\nenable ntp\n")) << b.log();
    std::string status = read_file("/proc/" + std::to_string(b.process().pid()) + "/status");
    // ip netns exec and setpriv exec in place: the PID is superd-ntpd's own by now.
    std::smatch m;
    ASSERT_TRUE(std::regex_search(status, m, std::regex(R"(CapBnd:\s+([0-9a-f]+))"))) << status;
    EXPECT_EQ(std::stoull(m[1], nullptr, 16) & (1ull << 25), 0u) << "CAP_SYS_TIME is bounded";
    EXPECT_TRUE(wait_until(
        [&] { return b.log().find("the kernel refused to slew the clock") != std::string::npos; },
        40s))
        << b.log();
    EXPECT_NE(b.log().find("clock discipline on"), std::string::npos) << b.log();
    auto r = run(no_sys_time({ntpdig, "-t", "2", "127.0.0.1"}));
    expect_sntp_line(r.out, 5);
}

} // namespace
} // namespace superd::system_test
