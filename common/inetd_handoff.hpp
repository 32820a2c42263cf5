#pragma once
// What superd (or inetd, xinetd, systemd with Accept=) handed a module on a file descriptor.
namespace superd::common {

enum class HandOff {
    none,             // not a socket (a terminal, a pipe, /dev/null, closed): run standalone
    connected_stream, // stream/wait=no: one client's connection
    listening_stream, // stream/wait=yes: the listening socket; accept clients, exit when idle
    datagram,         // dgram/wait=yes: the bound UDP socket; read datagrams, exit when idle
};

// Tells the cases apart with fstat, getsockopt(SO_TYPE, SO_ACCEPTCONN) and getpeername.
HandOff detect_handoff(int fd = 0);
const char* to_string(HandOff h);

} // namespace superd::common
