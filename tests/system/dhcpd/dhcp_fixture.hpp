#pragma once
// The fixture of superd-dhcpd's system tests: real DHCP clients from Debian (busybox udhcpc,
// ISC dhclient, dhcpcd, bootpc, behind ISC dhcrelay) against the server, each test in network
// namespaces of its own (see netns.hpp). The server's command line is ISC dhcpd's, so
// DHCPD_TEST_SERVER=/usr/sbin/dhcpd runs the same tests against ISC dhcpd (our anchor).
//
// Peer quirks met while writing these tests (Debian 12):
// - ISC dhcpd refuses to start ("There's already a DHCP server running") while its pid file
//   names a live process, which after a kill -9 may be an unrelated one that reused the PID:
//   every server here gets its own -pf, removed before each start.
// - ISC dhcpd does not rewrite a lease renewed within 25% of its age ("reuse_lease"), and then
//   answers with the remaining time: only a fresh lease carries the configured lease time.
// - ISC dhcpd writes a released lease as `binding state free`, not `released`.
// - udhcpc renews (SIGUSR1) by unicast from its address, so its script must configure the
//   address, or the renewal is never sent. `udhcpc -q` still runs the script ("bound") first.
// - dhclient has no "renew now"; it renews at 3/4..1 of T1 (lease 16 s: after 6 to 8 s).
//   `dhclient -r` with the same -pf stops the running dhclient (SIGTERM) and sends the release.
// - dhcpcd needs its own /run and /var/lib/dhcpcd (tmpfs in a private mount namespace), its
//   own -f config and -c script, else it rewrites the host's resolv.conf through its hooks;
//   `noarp` saves its 1 s address probe. It configures address and routes itself.
// - bootpc sends to 255.255.255.255 without binding to the device: it needs a route for it
//   ("sendto: Network is unreachable" otherwise), and `--serverbcast`, or the reply unicast to
//   an address it has not configured yet is dropped by its kernel. `--hwaddr` sends htype 0.
// - ISC dhcpd writes no lease for a host's fixed-address (DHCP or BOOTP); a dynamic-bootp
//   lease is written active with `ends never`.
// - dhcrelay -a puts the downstream interface's name in the circuit-id (sub-option 1); it is
//   ready when it has bound UDP port 67 in its namespace (as ISC dhcpd is).
#include "tests/system/harness.hpp"
#include "tests/system/netns.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace superd::system_test::dhcp {

// True when DHCPD_TEST_SERVER names another server (ISC dhcpd) to run the tests against.
bool testing_other_server();
// The server under test: DHCPD_TEST_SERVER, or our superd-dhcpd.
std::string server_binary();
// `SERVER [-4] -f -d -cf CONF -lf LEASES -pf LEASES.pid IFACE...`: foreground, log to stderr,
// ISC's options (-4 for ISC dhcpd only); the pid file beside the leases, never in /run.
std::vector<std::string> server_argv(const std::string& conf, const std::string& leases,
                                     const std::vector<std::string>& ifaces);

// A peer program from Debian; a test whose peer is missing fails (it never skips).
#define REQUIRE_PEER(path, package)                                                                \
    ASSERT_TRUE(::superd::system_test::have_program(path))                                         \
        << (path) << " is missing: apt-get install " << (package) << " (scripts/install-deps)"

// "02:99:NN:00:00:HH": the MAC of client `host` in test network `net`.
std::string client_mac(int net, int host);

// Replaces every "@key@" in `text` (config templates contain braces).
std::string fill(std::string text, const std::map<std::string, std::string>& values);

// A server namespace and a client namespace joined by a veth pair: `srv0` with NET.1/24 in
// the server's, `cli0` (MAC `mac`, no address) in the client's. NET is "10.99.<net>".
struct NetPair {
    NetPair(int net, const std::string& mac);
    std::string net; // "10.99.N"
    std::string mac;
    Netns srv{"srv"};
    Netns cli{"cli"};
};

// The server under test in a namespace, with its stderr in `dir`/dhcpd.log.
class DhcpServer {
  public:
    DhcpServer(const Netns& ns, const TempDir& dir, std::vector<std::string> ifaces);
    DhcpServer(const Netns& ns, const TempDir& dir, const std::string& iface)
        : DhcpServer(ns, dir, std::vector<std::string>{iface}) {}
    const std::string& conf() const { return conf_; }
    const std::string& leases() const { return leases_; }
    // Starts it (creating an empty lease file if there is none) and waits until it listens on
    // UDP port 67 in its namespace; fails with its log if it exits or stays deaf for 10 s.
    ::testing::AssertionResult start();
    void kill9() { proc_.kill_now(); }
    bool running() { return proc_.running(); }
    std::string log() const { return read_file(log_); }

  private:
    const Netns& ns_;
    std::vector<std::string> ifaces_;
    std::string conf_, leases_, log_;
    Process proc_;
};

// superd (the harness's Superd) started in namespace `ns` with one service that hands UDP port
// 67 to our superd-dhcpd (dgram, wait = yes, fd 0) running `-cf CONF -lf LEASES --idle-timeout
// IDLE` (and --log-file DIR/dhcpd.log, as the module may not log to stderr under superd).
// superd's service log is DIR/services.log (START:/EXIT: lines). Not for ISC dhcpd: it cannot
// take its socket on fd 0.
::testing::AssertionResult start_under_superd(Superd& superd, const Netns& ns, const TempDir& dir,
                                              int idle_seconds);

// True when UDP port `port` has a socket bound in namespace `ns`.
bool udp_port_bound(const Netns& ns, int port);

// The last state of one address in an ISC-format lease file (later entries override).
struct Lease {
    std::string address;
    std::string state; // "active", "free", "released", ... ("binding state")
    std::string mac;   // "hardware ethernet"
    std::string text;  // the whole entry
};
std::map<std::string, Lease> read_leases(const std::string& path);

// What the clients' scripts wrote: blocks of "key=value" lines, one block per event, blank
// lines between; key "event" is the event (udhcpc's $1, dhclient's and dhcpcd's $reason).
using Record = std::map<std::string, std::string>;
std::vector<Record> read_records(const std::string& path);
// The first record with event `event`, at index >= `from`, waiting for it up to `timeout`.
std::optional<Record> wait_record(const std::string& path, const std::string& event,
                                  std::chrono::milliseconds timeout, std::size_t from = 0);

// Hook scripts writing records to `out`. The udhcpc and dhclient ones configure the address
// (the clients leave that to their scripts); every record is written after that.
std::string udhcpc_script(const std::string& out);
std::string dhclient_script(const std::string& out);
std::string dhcpcd_script(const std::string& out);

// `udhcpc` (busybox) in the foreground on `iface` with `script`: gives up after 5 tries a
// second apart. `extra` goes before the interface option.
std::vector<std::string> udhcpc_argv(const std::string& iface, const std::string& script,
                                     const std::vector<std::string>& extra = {});

// Skips a test only when network namespaces cannot be made; gives each test a folder that the
// clients' helpers (which may run as other users) can read.
class DhcpTest : public ::testing::Test {
  protected:
    void SetUp() override;
    std::string file(const std::string& name) const { return dir_.file(name); }
    TempDir dir_;
};

} // namespace superd::system_test::dhcp
