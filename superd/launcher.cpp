#include "superd/launcher.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern char** environ;

namespace superd::daemon {
namespace {

std::string env_name(const std::string& entry) { return entry.substr(0, entry.find('=')); }

void set_env(std::vector<std::string>& env, const std::string& entry) {
    auto name = env_name(entry);
    auto it = std::find_if(env.begin(), env.end(), [&](const std::string& e) { return env_name(e) == name; });
    if (it != env.end()) *it = entry;
    else env.push_back(entry);
}

} // namespace

std::vector<std::string> server_environment(const ServiceConfig& svc, char** environ_now) {
    std::vector<std::string> env;
    for (char** e = environ_now; e != nullptr && *e != nullptr; ++e) {
        std::string entry = *e;
        if (svc.lists.passenv_given &&
            std::find(svc.lists.passenv.begin(), svc.lists.passenv.end(), env_name(entry)) ==
                svc.lists.passenv.end())
            continue;
        env.push_back(entry);
    }
    for (const auto& e : svc.env) set_env(env, e);
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

pid_t LaunchPlan::spawn(int fd, const std::optional<std::string>& remote_host) const {
    // Everything the child needs is built here, before fork.
    std::vector<char*> argv;
    for (const auto& a : argv_) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::string remote = remote_host ? "REMOTE_HOST=" + *remote_host : std::string();
    std::vector<char*> envp;
    for (const auto& e : env_)
        if (!remote_host || env_name(e) != "REMOTE_HOST") envp.push_back(const_cast<char*>(e.c_str()));
    if (remote_host) envp.push_back(remote.data());
    envp.push_back(nullptr);

    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid > 0) return pid;

    // Child: only async-signal-safe calls from here to execve.
    struct sigaction dfl{};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);

    if (fd != 0 && dup2(fd, 0) < 0) _exit(126);
    if (dup2(0, 1) < 0 || dup2(0, 2) < 0) _exit(126);
    // The socket is blocking for the server, whatever superd did with it.
    int fl = fcntl(0, F_GETFL);
    if (fl >= 0) fcntl(0, F_SETFL, fl & ~O_NONBLOCK);
    close_range(3, ~0U, 0);
    setsid();

    for (const auto& l : limits_) setrlimit(l.resource, &l.value);
    if (creds_ && common::apply_credentials(*creds_) != 0) _exit(126);
    if (umask_) umask(*umask_);
    if (nice_) {
        errno = 0;
        nice(*nice_);
    }
    execve(path_.c_str(), argv.data(), envp.data());
    _exit(127);
}

} // namespace superd::daemon
