#pragma once
// Where a reply goes (RFC 2131 section 4.1, RFC 1542 for BOOTP): to the relay, to the client's
// address, broadcast, or unicast to the offered address at the link layer. Pure: the transport
// turns the answer into a sendto (or a raw frame for the link-layer case).
#include "dhcpd/packet.hpp"

#include <cstdint>

namespace superd::dhcp {

inline constexpr std::uint16_t server_port = 67;
inline constexpr std::uint16_t client_port = 68;
inline constexpr std::uint32_t limited_broadcast = 0xffffffff;

struct Destination {
    std::uint32_t address = 0; // host order
    std::uint16_t port = client_port;
    // The client has no address yet and did not ask for a broadcast: the reply must reach
    // chaddr at `address` (yiaddr) without ARP (the client cannot answer ARP before it is
    // configured).
    bool link_layer_unicast = false;
};

// `request` is what the client (or relay) sent, `reply` what the server answers (its yiaddr and
// message type are used; a NAK is never unicast to the client).
Destination reply_destination(const Packet& request, const Packet& reply);

} // namespace superd::dhcp
