// A one-shot `dgram wait = yes` server for the system tests: reads ONE datagram from the socket
// superd handed over on fd 0, answers "re:" + payload to its sender, and exits. An optional
// argv[1] delays the answer by that many milliseconds, so that requests queue up meanwhile.
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <sys/socket.h>

int main(int argc, char** argv) {
    char buf[2048];
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(0, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return 2;
    if (argc > 1) std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(argv[1])));
    std::string answer = "re:" + std::string(buf, static_cast<std::size_t>(n));
    if (::sendto(0, answer.data(), answer.size(), 0, reinterpret_cast<sockaddr*>(&from), len) < 0)
        return 3;
    return 0;
}
