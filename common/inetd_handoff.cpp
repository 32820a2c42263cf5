#include "common/inetd_handoff.hpp"

#include <sys/socket.h>
#include <sys/stat.h>

namespace superd::common {

HandOff detect_handoff(int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) return HandOff::none;

    int type = 0;
    socklen_t len = sizeof type;
    if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) return HandOff::none;
    if (type == SOCK_DGRAM) return HandOff::datagram;
    if (type != SOCK_STREAM) return HandOff::none;

    int listening = 0;
    len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening != 0) {
        return HandOff::listening_stream;
    }
    // An unconnected, non-listening stream socket is of no use to a module.
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) == 0) {
        return HandOff::connected_stream;
    }
    return HandOff::none;
}

const char* to_string(HandOff h) {
    switch (h) {
    case HandOff::none:
        return "none";
    case HandOff::connected_stream:
        return "connected_stream";
    case HandOff::listening_stream:
        return "listening_stream";
    case HandOff::datagram:
        return "datagram";
    }
    return "unknown";
}

} // namespace superd::common
