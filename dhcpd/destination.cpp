#include "dhcpd/destination.hpp"

namespace superd::dhcp {

Destination reply_destination(const Packet& request, const Packet& reply) {
    Destination d;
    // Through a relay: to the relay's server port, whatever the message (the relay delivers it
    // on the client's link; for a NAK the server sets the broadcast bit so that it broadcasts).
    if (request.giaddr != 0) {
        d.address = request.giaddr;
        d.port = server_port;
        return d;
    }
    // A NAK goes to everyone on the link: the client's address is exactly what is wrong.
    if (reply.message_type() == MessageType::nak) {
        d.address = limited_broadcast;
        return d;
    }
    // A client with an address (RENEWING, INFORM) gets a plain unicast.
    if (request.ciaddr != 0) {
        d.address = request.ciaddr;
        return d;
    }
    // A client that asked for broadcast, or one whose hardware address cannot be used (no
    // address to give, or not Ethernet-like), gets a broadcast.
    if ((request.flags & broadcast_flag) || reply.yiaddr == 0 || request.hlen == 0 ||
        request.hlen > 16) {
        d.address = limited_broadcast;
        return d;
    }
    d.address = reply.yiaddr;
    d.link_layer_unicast = true;
    return d;
}

} // namespace superd::dhcp
