#include "superd/launcher.hpp"

#include "superd/libwrap.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char** environ;

namespace superd::daemon {
namespace {

std::string env_name(const std::string& entry) {
    return entry.substr(0, entry.find('='));
}

void set_env(std::vector<std::string>& env, const std::string& entry) {
    auto name = env_name(entry);
    auto it = std::find_if(env.begin(), env.end(),
                           [&](const std::string& e) { return env_name(e) == name; });
    if (it != env.end())
        *it = entry;
    else
        env.push_back(entry);
}

} // namespace

std::vector<std::string> server_environment(const ServiceConfig& svc, char** environ_now) {
    std::vector<std::string> env;
    for (char** e = environ_now; e != nullptr && *e != nullptr; ++e) {
        std::string entry = *e;
        if (svc.lists.passenv_given && std::find(svc.lists.passenv.begin(), svc.lists.passenv.end(),
                                                 env_name(entry)) == svc.lists.passenv.end())
            continue;
        env.push_back(entry);
    }
    for (const auto& e : svc.env)
        set_env(env, e);
    return env;
}

std::expected<LaunchPlan, std::string> LaunchPlan::make(const ServiceConfig& svc, bool as_root) {
    LaunchPlan p;
    p.path_ = svc.server;
    p.argv_ = svc.argv();
    p.env_ = server_environment(svc, environ);
    // user and group only take effect when superd runs as root (as in xinetd).
    if (as_root && !svc.user.empty()) {
        std::optional<std::string> group;
        if (svc.group_given && svc.gid) group = std::to_string(*svc.gid);
        auto creds = common::resolve_credentials(svc.user, group, svc.groups);
        if (!creds) return std::unexpected(creds.error());
        p.creds_ = *creds;
    }
    p.umask_ = svc.umask;
    p.nice_ = svc.nice;
    auto add = [&](int resource, const Rlimit& r) {
        if (r.set) p.limits_.push_back({resource, rlimit{r.value, r.value}});
    };
    add(RLIMIT_AS, svc.rlimit_as);
    add(RLIMIT_CPU, svc.rlimit_cpu);
    add(RLIMIT_DATA, svc.rlimit_data);
    add(RLIMIT_RSS, svc.rlimit_rss);
    add(RLIMIT_STACK, svc.rlimit_stack);
    add(RLIMIT_NOFILE, svc.rlimit_files);
    return p;
}

namespace {

// What the child needs, in memory it shares with the parent until execve (CLONE_VM).
struct ChildStart {
    const LaunchPlan* plan;
    int fd;
    char** argv;
    char** envp;
    // Fork mode only (a real copy of superd): the check to make, and where to report on it.
    const ChildCheck* check = nullptr;
    int report_fd = -1;
    // Written by the child when it cannot exec; read by the parent once the child has exited
    // or exec'd (CLONE_VFORK), so no synchronisation is needed.
    const char* failed_step = nullptr;
    int failed_errno = 0;
};

// setgroups/setresgid/setresuid as raw system calls: glibc's wrappers would ask every thread of
// the *parent* to change ids too (setxid broadcast), since the child shares its memory.
int apply_credentials_raw(const common::Credentials& c) noexcept {
    long rc = c.groups.empty() ? ::syscall(SYS_setgroups, 0, nullptr)
                               : ::syscall(SYS_setgroups, c.groups.size(), c.groups.data());
    if (rc != 0) return errno;
    if (::syscall(SYS_setresgid, c.gid, c.gid, c.gid) != 0) return errno;
    if (::syscall(SYS_setresuid, c.uid, c.uid, c.uid) != 0) return errno;
    uid_t r = 0, e = 0, s = 0;
    if (::syscall(SYS_getresuid, &r, &e, &s) != 0) return errno;
    if (r != c.uid || e != c.uid || s != c.uid) return EPERM;
    gid_t gr = 0, ge = 0, gs = 0;
    if (::syscall(SYS_getresgid, &gr, &ge, &gs) != 0) return errno;
    if (gr != c.gid || ge != c.gid || gs != c.gid) return EPERM;
    if (c.uid != 0 && ::syscall(SYS_setresuid, 0, 0, 0) == 0) return EPERM;
    return 0;
}

// 126: the server could not be started; 127: not found or not executable (as a shell says).
// Runs in the child (see child_main), so not instrumented either.
[[noreturn]] __attribute__((no_sanitize("address", "undefined"))) void
child_fail(ChildStart& cs, const char* step, int err, int status = 126) {
    cs.failed_step = step;
    cs.failed_errno = err;
    if (cs.report_fd >= 0) { // fork mode: the parent has its own copy of cs, so say it
        char record[64];
        int n = std::snprintf(record, sizeof record, "E%s:%d", step, err);
        if (n > 0) (void)!::write(cs.report_fd, record, static_cast<std::size_t>(n));
    }
    _exit(status);
}

void write_all(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}

// Fork mode, after the user switch (xinetd's order): libwrap, then the banners. Returns when
// the server is to be exec'd; a refused or builtin check ends the child here.
void run_check(const ChildStart& cs) {
    const ChildCheck& check = *cs.check;
    bool allowed = check.client
                       ? libwrap_allows_addresses(reinterpret_cast<const sockaddr*>(&*check.client),
                                                  reinterpret_cast<const sockaddr*>(&*check.server),
                                                  check.daemon_name)
                       : libwrap_allows(0, check.daemon_name);
    if (!allowed) {
        int type = 0;
        socklen_t len = sizeof type;
        if (check.client) {
            // superd has read the datagram already: nothing to consume, nothing to answer
        } else if (::getsockopt(0, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_DGRAM) {
            char byte; // the refused datagram is consumed, or it would start the next child
            (void)::recv(0, &byte, 1, MSG_DONTWAIT);
        } else {
            write_all(0, check.banner_fail);
        }
        (void)!::write(cs.report_fd, "L", 1);
        _exit(0);
    }
    if (check.then_exit) { // an in-process service: superd serves the connection itself
        (void)!::write(cs.report_fd, "A", 1);
        _exit(0);
    }
    write_all(0, check.banner_success);
}

// Runs in the child on its own stack, sharing the parent's memory until execve: system calls
// only, no allocation, nothing written but ChildStart's failure fields. Not instrumented: the
// sanitizers' bookkeeping is the parent's and must not be touched from here.
__attribute__((no_sanitize("address", "undefined"))) int child_main(void* arg) {
    auto& cs = *static_cast<ChildStart*>(arg);
    const LaunchPlan& plan = *cs.plan;
    // All signals are blocked (the parent did that before clone): set every disposition to
    // the default before unblocking, so that no handler of superd's ever runs here.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);

    if (cs.fd != 0 && ::dup2(cs.fd, 0) < 0) child_fail(cs, "dup2", errno);
    if (::dup2(0, 1) < 0 || ::dup2(0, 2) < 0) child_fail(cs, "dup2", errno);
    int keep_from = 3;
    if (cs.report_fd >= 0) { // the report pipe moves to 3 and closes on exec (EOF: exec'd)
        if (cs.report_fd != 3 && ::dup3(cs.report_fd, 3, O_CLOEXEC) < 0)
            child_fail(cs, "dup2", errno);
        cs.report_fd = 3;
        keep_from = 4;
    }
    // The socket is blocking for the server, whatever superd did with it.
    int fl = ::fcntl(0, F_GETFL);
    if (fl >= 0 && (fl & O_NONBLOCK)) ::fcntl(0, F_SETFL, fl & ~O_NONBLOCK);
    ::close_range(static_cast<unsigned>(keep_from), ~0U, 0);
    ::setsid();

    for (const auto& l : plan.limits())
        if (::setrlimit(l.resource, &l.value) != 0) child_fail(cs, "setrlimit", errno);
    if (plan.credentials())
        if (int err = apply_credentials_raw(*plan.credentials()); err != 0)
            child_fail(cs, "setuid", err);
    if (plan.umask()) ::umask(*plan.umask());
    if (plan.nice()) {
        errno = 0;
        ::nice(*plan.nice());
    }
    if (cs.check != nullptr) run_check(cs);
    ::execve(plan.path().c_str(), cs.argv, cs.envp);
    child_fail(cs, "execve", errno, 127);
}

// The child's stack while it runs before execve. The parent is suspended meanwhile (CLONE_VFORK)
// and spawns from one thread, so one stack serves every spawn.
constexpr std::size_t child_stack_size = 64 * 1024;
alignas(64) char child_stack[child_stack_size];

} // namespace

SpawnResult LaunchPlan::spawn(int fd, const std::optional<std::string>& remote_host,
                              const ChildCheck* check) const {
    // Everything the child needs is built here, before clone.
    std::vector<char*> argv;
    for (const auto& a : argv_)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::string remote = remote_host ? "REMOTE_HOST=" + *remote_host : std::string();
    std::vector<char*> envp;
    for (const auto& e : env_)
        if (!remote_host || env_name(e) != "REMOTE_HOST")
            envp.push_back(const_cast<char*>(e.c_str()));
    if (remote_host) envp.push_back(remote.data());
    envp.push_back(nullptr);

    if (check != nullptr) return spawn_forked(fd, argv.data(), envp.data(), *check);

    // clone(CLONE_VM | CLONE_VFORK), as posix_spawn does, instead of fork: no copy of superd's
    // page tables, and superd continues once the child has exec'd. posix_spawn itself cannot
    // set credentials, rlimits, umask or nice. Signals stay blocked until the child has reset
    // every handler (superd's would otherwise run on the child's stack in shared memory).
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    ChildStart cs{this, fd, argv.data(), envp.data()};
    pid_t pid =
        ::clone(child_main, child_stack + child_stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &cs);
    int clone_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);

    SpawnResult r;
    if (pid < 0) {
        r.pid = -1;
        r.failed_step = "clone";
        r.error = clone_errno;
        return r;
    }
    r.pid = pid;
    if (cs.failed_step != nullptr) {
        r.failed_step = cs.failed_step;
        r.error = cs.failed_errno;
    }
    return r;
}

SpawnResult LaunchPlan::spawn_forked(int fd, char** argv, char** envp,
                                     const ChildCheck& check) const {
    // A check runs library code (libwrap: files, name lookups, spawn and twist rules) in the
    // child, which needs a copy of superd, not its memory: fork. The child reports on a pipe.
    SpawnResult r;
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        r.failed_step = "pipe";
        r.error = errno;
        return r;
    }
    // Keep both ends off 0-2 (superd may run with those closed): the child dup2s onto them.
    for (int& end : pipe_fds)
        if (end < 3) {
            int moved = ::fcntl(end, F_DUPFD_CLOEXEC, 3);
            ::close(end);
            end = moved;
        }
    ChildStart cs{this, fd, argv, envp, &check, pipe_fds[1]};
    // As for clone: no handler of superd's may run in the child before it resets them.
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipe_fds[0]);
        child_main(&cs);
    }
    int fork_errno = errno;
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    ::close(pipe_fds[1]);
    if (pid < 0) {
        ::close(pipe_fds[0]);
        r.failed_step = "fork";
        r.error = fork_errno;
        return r;
    }
    r.pid = pid;
    r.report_fd = pipe_fds[0];
    return r;
}

} // namespace superd::daemon
