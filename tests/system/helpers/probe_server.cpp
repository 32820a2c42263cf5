// A `stream wait = no` server for the system tests that reports what superd gave it, one
// "key=value" line each: open descriptors above 2, blocked and ignored signals, session,
// umask, nice, credentials, RLIMIT_NOFILE, and the socket options of the connection on fd 0.
#include <cstdio>
#include <fstream>
#include <string>

#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

std::string status_field(const std::string& name) {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name + ":", 0) == 0) {
            auto v = line.substr(name.size() + 1);
            return v.substr(v.find_first_not_of(" \t"));
        }
    return "?";
}

int sockopt(int level, int name) {
    int v = -1;
    socklen_t len = sizeof v;
    if (::getsockopt(0, level, name, &v, &len) != 0) return -1;
    return v;
}

} // namespace

int main(int argc, char** argv) {
    std::string out;
    auto put = [&](const std::string& k, const std::string& v) { out += k + "=" + v + "\n"; };
    std::string fds;
    for (int fd = 3; fd < 4096; ++fd) {
        struct stat st;
        if (::fstat(fd, &st) == 0) fds += (fds.empty() ? "" : ",") + std::to_string(fd);
    }
    put("fds", fds.empty() ? "none" : fds);
    put("sigblk", status_field("SigBlk"));
    put("sigign", status_field("SigIgn"));
    put("session_leader", ::getsid(0) == ::getpid() ? "yes" : "no");
    mode_t mask = ::umask(0);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%03o", mask);
    put("umask", octal);
    put("nice", std::to_string(::getpriority(PRIO_PROCESS, 0)));
    put("uid", std::to_string(::getuid()));
    put("gid", std::to_string(::getgid()));
    gid_t groups[64];
    int n = ::getgroups(64, groups);
    std::string gl;
    for (int i = 0; i < n; ++i)
        gl += (gl.empty() ? "" : ",") + std::to_string(groups[i]);
    put("groups", gl.empty() ? "none" : gl);
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    put("nofile", std::to_string(rl.rlim_cur));
    put("nodelay", std::to_string(sockopt(IPPROTO_TCP, TCP_NODELAY) != 0));
    put("keepalive", std::to_string(sockopt(SOL_SOCKET, SO_KEEPALIVE) != 0));
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    ::getsockname(0, reinterpret_cast<sockaddr*>(&local), &len);
    put("family", local.ss_family == AF_INET6 ? "inet6" : "inet");
    std::string args;
    for (int i = 0; i < argc; ++i)
        args += (i ? " " : "") + std::string(argv[i]);
    put("argv", args);
    ::write(1, out.data(), out.size());
    return 0;
}
