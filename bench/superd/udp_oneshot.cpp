// udp_oneshot: the one-shot `dgram wait = yes` server of bench/superd.
// Started by superd or xinetd with the bound UDP socket on fd 0: reads ONE datagram, sends it
// back to its sender, exits. alarm() ends it if no datagram is there (so a daemon that lost the
// datagram before the server ran cannot hang the benchmark).
#include <sys/socket.h>
#include <unistd.h>

int main() {
    alarm(2);
    char buf[2048];
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(0, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return 1;
    if (sendto(0, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len) != n)
        return 1;
    return 0;
}
