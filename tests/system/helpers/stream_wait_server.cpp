// A `stream wait = yes` server for the system tests: superd hands it the listening socket on
// fd 0. It accepts every connection that comes while it runs, answers each with one line naming
// its PID, and exits after IDLE_MS (argv[1], default 1000) without a new connection.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
    int idle_ms = argc > 1 ? std::atoi(argv[1]) : 1000;
    int served = 0;
    for (;;) {
        pollfd p{0, POLLIN, 0};
        int r = ::poll(&p, 1, idle_ms);
        if (r == 0) return 0; // idle: hand the socket back to superd
        if (r < 0) return 2;
        int c = ::accept(0, nullptr, nullptr);
        if (c < 0) return 3;
        ++served;
        std::string line =
            "wait-server pid=" + std::to_string(::getpid()) + " n=" + std::to_string(served) + "\n";
        if (::write(c, line.data(), line.size()) < 0) return 4;
        ::close(c);
    }
}
