// RFC 2131 section 4.1: where each reply goes, for requests from the real captures and their
// relayed, renewing and NAK variants.
#include "dhcpd/destination.hpp"

#include <gtest/gtest.h>

namespace superd::dhcp {
namespace {

Packet request(std::uint16_t flags = 0, std::uint32_t ciaddr = 0, std::uint32_t giaddr = 0) {
    Packet p;
    p.flags = flags;
    p.ciaddr = ciaddr;
    p.giaddr = giaddr;
    p.chaddr = {2, 0, 0, 0x99, 0, 1};
    p.set(option::message_type, {static_cast<std::uint8_t>(MessageType::request)});
    return p;
}

Packet reply(MessageType type, std::uint32_t yiaddr = 0x0a630064) {
    Packet p;
    p.op = 2;
    p.yiaddr = yiaddr;
    p.set(option::message_type, {static_cast<std::uint8_t>(type)});
    return p;
}

TEST(DhcpDestination, ThroughARelayToItsServerPort) {
    auto d = reply_destination(request(0, 0, 0x0a000001), reply(MessageType::offer));
    EXPECT_EQ(d.address, 0x0a000001u);
    EXPECT_EQ(d.port, server_port);
    EXPECT_FALSE(d.link_layer_unicast);
    // Even a NAK, and even with ciaddr set: the relay is the only way back.
    d = reply_destination(request(0, 0x0a630064, 0x0a000001), reply(MessageType::nak, 0));
    EXPECT_EQ(d.address, 0x0a000001u);
    EXPECT_EQ(d.port, server_port);
}

TEST(DhcpDestination, NakIsBroadcastWithoutARelay) {
    auto d = reply_destination(request(0, 0x0a630064), reply(MessageType::nak, 0));
    EXPECT_EQ(d.address, limited_broadcast);
    EXPECT_EQ(d.port, client_port);
}

TEST(DhcpDestination, ARenewingClientGetsUnicastToCiaddr) {
    auto d = reply_destination(request(broadcast_flag, 0x0a630064), reply(MessageType::ack));
    EXPECT_EQ(d.address, 0x0a630064u);
    EXPECT_FALSE(d.link_layer_unicast);
}

TEST(DhcpDestination, BroadcastFlagOrNothingToUnicastTo) {
    EXPECT_EQ(reply_destination(request(broadcast_flag), reply(MessageType::offer)).address,
              limited_broadcast);
    EXPECT_EQ(reply_destination(request(), reply(MessageType::ack, 0)).address, limited_broadcast);
    Packet no_mac = request();
    no_mac.hlen = 0;
    EXPECT_EQ(reply_destination(no_mac, reply(MessageType::offer)).address, limited_broadcast);
}

TEST(DhcpDestination, OtherwiseLinkLayerUnicastToYiaddr) {
    auto d = reply_destination(request(), reply(MessageType::offer));
    EXPECT_EQ(d.address, 0x0a630064u);
    EXPECT_EQ(d.port, client_port);
    EXPECT_TRUE(d.link_layer_unicast);
}

} // namespace
} // namespace superd::dhcp
