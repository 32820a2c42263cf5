// superctl: the operator's tool. Asks a running superd, over its control socket, for its
// status (text or JSON), to reload its configuration, or for a state dump.
#include "superd/control.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace {

int usage() {
    std::fprintf(stderr,
                 "usage: superctl [-s socket] [--json] status\n"
                 "       superctl [-s socket] reload\n"
                 "       superctl [-s socket] dump\n"
                 "The socket is superd's --control path (default %s).\n",
                 superd::daemon::default_control_path().c_str());
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    std::string path = superd::daemon::default_control_path();
    bool json = false;
    std::string command;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if ((a == "-s" || a == "--socket") && i + 1 < argc)
            path = argv[++i];
        else if (a == "--json")
            json = true;
        else if (a == "-h" || a == "--help")
            return usage(), 0;
        else if (command.empty() && (a == "status" || a == "reload" || a == "dump"))
            command = a;
        else
            return usage();
    }
    if (command.empty()) return usage();
    if (json && command != "status") {
        std::fprintf(stderr, "superctl: --json goes with status\n");
        return 2;
    }

    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (path.size() >= sizeof sa.sun_path) {
        std::fprintf(stderr, "superctl: socket path too long: %s\n", path.c_str());
        return 1;
    }
    std::memcpy(sa.sun_path, path.c_str(), path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{10, 0}; // a reload reads the whole configuration; nothing takes longer
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        std::fprintf(stderr, "superctl: cannot connect to %s: %s (is superd running? -s PATH)\n",
                     path.c_str(), std::strerror(errno));
        return 1;
    }
    std::string request = command + (json ? " json" : "") + "\n";
    if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size())) {
        std::fprintf(stderr, "superctl: send: %s\n", std::strerror(errno));
        return 1;
    }
    std::string reply;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            std::fprintf(stderr, "superctl: no answer from %s: %s\n", path.c_str(),
                         std::strerror(errno));
            return 1;
        }
        if (n == 0) break;
        reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    std::fwrite(reply.data(), 1, reply.size(), stdout);
    bool failed = reply.starts_with("error:") || reply.starts_with("refused:");
    return failed ? 1 : 0;
}
