#include "tests/system/netns.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

namespace superd::system_test {

namespace {

using Clock = std::chrono::steady_clock;

bool exited_ok(const CommandResult& r) {
    return r.status >= 0 && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0;
}

CommandResult run_ip(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"ip"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {}, 10s);
}

void run_ip_or_throw(const std::vector<std::string>& args) {
    auto r = run_ip(args);
    if (exited_ok(r)) return;
    std::string line = "ip";
    for (const auto& a : args)
        line += " " + a;
    throw std::runtime_error(line + ": " + r.out);
}

std::vector<pid_t> pids_inside(const std::string& ns) {
    std::vector<pid_t> pids;
    std::istringstream in(run_ip({"netns", "pids", ns}).out);
    for (long p; in >> p;)
        if (p > 1 && p != ::getpid()) pids.push_back(static_cast<pid_t>(p));
    return pids;
}

// Kills what still runs in the namespace, then deletes it. Only the test's own processes (and
// what they started) can be inside a namespace the test made.
void remove_namespace(const std::string& ns) {
    wait_until(
        [&] {
            auto pids = pids_inside(ns);
            for (pid_t p : pids)
                ::kill(p, SIGKILL);
            return pids.empty();
        },
        5s, 50ms);
    run_ip({"netns", "del", ns});
}

// Namespaces "sdt-<pid>-..." whose test process no longer exists (it was killed before its
// destructors ran) are that earlier run's leftovers.
void remove_stale_namespaces() {
    static std::once_flag once;
    std::call_once(once, [] {
        std::istringstream in(run_ip({"netns", "list"}).out);
        static const std::regex stale(R"(^(sdt-(\d+)-\d+-[a-z0-9]+)\b)");
        for (std::string line; std::getline(in, line);) {
            std::smatch m;
            if (!std::regex_search(line, m, stale)) continue;
            pid_t owner = static_cast<pid_t>(std::stol(m[2]));
            if (owner == ::getpid() || ::kill(owner, 0) == 0 || errno != ESRCH) continue;
            remove_namespace(m[1]);
        }
    });
}

} // namespace

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step) {
    auto deadline = Clock::now() + timeout;
    for (;;) {
        if (done()) return true;
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(step);
    }
}

bool netns_supported(std::string* why) {
    if (::geteuid() != 0) {
        *why = "network namespaces need root";
        return false;
    }
    static int cached = -1; // probed once per process
    static std::string reason;
    if (cached < 0) {
        std::string probe = "sdt-" + std::to_string(::getpid()) + "-0-probe";
        auto r = run_ip({"netns", "add", probe});
        cached = exited_ok(r) ? 1 : 0;
        reason = "ip netns add failed: " + r.out;
        if (cached) run_ip({"netns", "del", probe});
    }
    if (!cached) *why = reason;
    return cached == 1;
}

Netns::Netns(const std::string& role) {
    static std::atomic<int> counter{0};
    remove_stale_namespaces();
    name_ = "sdt-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + "-" + role;
    run_ip_or_throw({"netns", "add", name_});
    try {
        ip({"link", "set", "lo", "up"});
    } catch (...) {
        remove_namespace(name_);
        throw;
    }
}

Netns::~Netns() {
    remove_namespace(name_);
}

std::vector<std::string> Netns::exec(const std::vector<std::string>& argv) const {
    std::vector<std::string> out{"ip", "netns", "exec", name_};
    out.insert(out.end(), argv.begin(), argv.end());
    return out;
}

void Netns::ip(const std::vector<std::string>& args) const {
    std::vector<std::string> all{"-n", name_};
    all.insert(all.end(), args.begin(), args.end());
    run_ip_or_throw(all);
}

CommandResult Netns::run(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout) const {
    return run_command(exec(argv), {}, timeout);
}

std::vector<std::string> Netns::addresses(const std::string& iface) const {
    std::vector<std::string> out;
    std::string text = run_ip({"-n", name_, "-4", "-o", "addr", "show", "dev", iface}).out;
    static const std::regex inet(R"(inet (\d+\.\d+\.\d+\.\d+/\d+))");
    for (std::sregex_iterator it(text.begin(), text.end(), inet), end; it != end; ++it)
        out.push_back((*it)[1]);
    return out;
}

EnterNetns::EnterNetns(const Netns& ns) {
    home_ = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int fd = ::open(("/run/netns/" + ns.name()).c_str(), O_RDONLY | O_CLOEXEC);
    ok_ = home_ >= 0 && fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
}

EnterNetns::~EnterNetns() {
    if (home_ < 0) return;
    if (ok_ && ::setns(home_, CLONE_NEWNET) != 0) std::abort(); // never stay in a test netns
    ::close(home_);
}

void add_veth(const Netns& a, const std::string& a_if, const std::string& a_mac, const Netns& b,
              const std::string& b_if, const std::string& b_mac) {
    std::vector<std::string> args{"link", "add", "name", a_if};
    if (!a_mac.empty()) args.insert(args.end(), {"address", a_mac});
    args.insert(args.end(), {"type", "veth", "peer", "name", b_if});
    if (!b_mac.empty()) args.insert(args.end(), {"address", b_mac});
    args.insert(args.end(), {"netns", b.name()});
    a.ip(args);
    a.ip({"link", "set", a_if, "up"});
    b.ip({"link", "set", b_if, "up"});
}

// ---- Process

Process::~Process() {
    kill_now();
}

bool Process::start(const std::vector<std::string>& args, const std::string& log_path) {
    log_path_ = log_path;
    started_ = Clock::now();
    status_.reset();
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
        ::signal(SIGPIPE, SIG_DFL); // the harness ignores it; a child should not inherit that
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        ::dup2(out, 1);
        ::dup2(out, 2);
        std::vector<std::string> copy = args;
        std::vector<char*> argv;
        for (auto& a : copy)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    return true;
}

bool Process::running() {
    return pid_ > 0 && !wait_exit(0ms);
}

std::optional<int> Process::wait_exit(std::chrono::milliseconds timeout) {
    if (status_) return status_;
    if (pid_ <= 0) return std::nullopt;
    auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            status_ = status;
            return status_;
        }
        if (r < 0 && errno != EINTR) return std::nullopt;
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(5ms);
    }
}

void Process::signal(int sig) const {
    if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

void Process::kill_now() {
    if (pid_ <= 0 || status_) return;
    ::kill(pid_, SIGKILL);
    wait_exit(5s);
}

std::string Process::log() const {
    return read_file(log_path_);
}

} // namespace superd::system_test
