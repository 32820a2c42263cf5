#pragma once
// Network namespaces and processes of the test's own. A DHCP server (ours or ISC's) and its
// clients run only inside namespaces a test created: never in the machine's own namespace and
// never on a real interface; so do NTP peers that insist on port 123 (ntpdig, ntpq, ntpsec's
// ntpd). Everything here is removed by its destructor, also when a test
// fails; processes are stopped by their PID only.
#include "tests/system/harness.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace superd::system_test {

// Whether this process may create network namespaces (root, and `ip netns add` works); if not,
// `why` says what is missing. Tests skip only for this reason.
bool netns_supported(std::string* why);

// Polls `done` every `step` until it is true or `timeout` passes; its last answer.
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(20));

// A network namespace named "sdt-<pid>-<n>-<role>" (unique among parallel test processes),
// with its loopback up. Deleting it first kills whatever still runs inside (only processes the
// test started can be there). Namespaces left by an earlier test process that died (SIGKILL,
// ctest's timeout) are removed when the first one of a later process is made.
class Netns {
  public:
    explicit Netns(const std::string& role);
    ~Netns();
    Netns(const Netns&) = delete;
    Netns& operator=(const Netns&) = delete;

    const std::string& name() const { return name_; }
    // `argv` run inside the namespace: `ip netns exec NAME argv...` (same PID: ip execs it).
    std::vector<std::string> exec(const std::vector<std::string>& argv) const;
    // `ip -n NAME args...`; throws std::runtime_error with ip's output if it fails.
    void ip(const std::vector<std::string>& args) const;
    // Runs argv inside the namespace to completion (killed after `timeout`).
    CommandResult run(const std::vector<std::string>& argv,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
    // The IPv4 addresses ("A/len") configured on `iface`.
    std::vector<std::string> addresses(const std::string& iface) const;

  private:
    std::string name_;
};

// Moves the calling thread into `ns` (setns) until the object goes: what it forks meanwhile
// (say the harness's Superd) starts there. Tests are single-threaded, so nothing else moves.
class EnterNetns {
  public:
    explicit EnterNetns(const Netns& ns);
    ~EnterNetns();
    EnterNetns(const EnterNetns&) = delete;
    EnterNetns& operator=(const EnterNetns&) = delete;
    bool ok() const { return ok_; }

  private:
    int home_ = -1;
    bool ok_ = false;
};

// A veth pair from `a` (interface `a_if`, MAC `a_mac`) to `b` (`b_if`, `b_mac`), both up. It
// goes when either namespace goes. An empty MAC lets the kernel choose.
void add_veth(const Netns& a, const std::string& a_if, const std::string& a_mac, const Netns& b,
              const std::string& b_if, const std::string& b_mac);

// A process of the test's own with stdout and stderr in a file. The destructor kills it
// (SIGKILL, by PID) and reaps it if it still runs.
class Process {
  public:
    Process() = default;
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Starts argv (searched in PATH) with stdin from /dev/null, output appended to `log_path`.
    bool start(const std::vector<std::string>& argv, const std::string& log_path);
    pid_t pid() const { return pid_; }
    // True while it has not ended (reaps it when it has).
    bool running();
    // Its wait status once it ended, within the timeout; nullopt if it still runs.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    void signal(int sig) const;
    // SIGKILL and reap.
    void kill_now();
    std::string log() const;
    const std::string& log_path() const { return log_path_; }
    std::chrono::steady_clock::time_point started() const { return started_; }

  private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::string log_path_;
    std::chrono::steady_clock::time_point started_{};
};

} // namespace superd::system_test
