#pragma once
// Starting a server: what the service block says the child gets (credentials, umask, nice,
// rlimits, environment, argv), prepared once in the parent so that the child, between fork
// and exec, only makes system calls.
#include "superd/config.hpp"

#include "common/privileges.hpp"

#include <optional>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

namespace superd::daemon {

// What spawn did. pid < 0: no child (clone failed). failed_step set with pid > 0: the child
// started but could not exec the server (it exits 126, or 127 for execve) and says why.
struct SpawnResult {
    pid_t pid = -1;
    const char* failed_step = nullptr; // "clone", "dup2", "setrlimit", "setuid", "execve"
    int error = 0;                     // errno of that step
    // With a ChildCheck: the read end of the child's report pipe (the caller closes it). The
    // child writes "L" (refused by libwrap), "A" (allowed, then_exit), or "E<step>:<errno>";
    // end of file without a record means the server was exec'd (or a twist rule ran).
    int report_fd = -1;
};

// What a forked child checks after the user switch, before exec (libwrap, as xinetd).
struct ChildCheck {
    std::string daemon_name;    // libwrap's daemon name for the service
    std::string banner_success; // contents, written to the client when the check passes
    std::string banner_fail;    // contents, written when it refuses
    bool then_exit = false;     // in-process service: report "A" and exit instead of exec
    // A datagram superd has read already: libwrap is asked about these addresses, not fd 0.
    std::optional<sockaddr_storage> client, server;
};

class LaunchPlan {
  public:
    // Fails (with a reason) when the user or groups cannot be resolved.
    static std::expected<LaunchPlan, std::string> make(const ServiceConfig& svc, bool as_root);

    // Starts the server with `fd` on 0, 1 and 2, every other descriptor closed, default signal
    // dispositions and an empty signal mask, in a new session. remote_host, when given, is
    // added to the environment as REMOTE_HOST (as xinetd does). Returns once the child has
    // exec'd the server or failed to.
    // With `check`, the child is forked (not cloned) and makes the check first.
    SpawnResult spawn(int fd, const std::optional<std::string>& remote_host,
                      const ChildCheck* check = nullptr) const;

    const std::string& path() const { return path_; }
    const std::vector<std::string>& argv() const { return argv_; }
    const std::vector<std::string>& env() const { return env_; }

    struct Limit {
        int resource;
        rlimit value;
    };
    const std::vector<Limit>& limits() const { return limits_; }
    const std::optional<common::Credentials>& credentials() const { return creds_; }
    std::optional<mode_t> umask() const { return umask_; }
    std::optional<int> nice() const { return nice_; }

  private:
    SpawnResult spawn_forked(int fd, char** argv, char** envp, const ChildCheck& check) const;
    std::string path_;
    std::vector<std::string> argv_;
    std::vector<std::string> env_;
    std::optional<common::Credentials> creds_;
    std::optional<mode_t> umask_;
    std::optional<int> nice_;
    std::vector<Limit> limits_;
};

// The environment a server gets (xinetd env.c): without passenv, superd's whole environment;
// with passenv, only the named variables; then the service's env entries (which win).
std::vector<std::string> server_environment(const ServiceConfig& svc, char** environ_now);

} // namespace superd::daemon
