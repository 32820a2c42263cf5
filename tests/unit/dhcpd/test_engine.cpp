// The DHCP engine as a pure function: configs written to a private temporary folder, hand-built
// requests and the real client captures (captures/, see its README), fake `now` values. Asserts
// replies, lease changes and counters; log text only where the shape is the contract.
#include "dhcpd/engine.hpp"
#include "tests/unit/dhcpd/captures.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <set>

namespace superd::dhcp {
namespace {

using Bytes = std::vector<std::uint8_t>;
using test::capture;
using test::read_hex;

constexpr std::uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d) {
    return a << 24 | b << 16 | c << 8 | d;
}

constexpr std::uint32_t server = ip(10, 99, 0, 1);
constexpr std::int64_t t0 = 1'795'000'000;
const RxInfo on_link{server};

// Two subnets: 10.99.0.0/24 (the captures' lab, a three-address range, a dynamic-bootp range)
// and 10.77.0.0/24 behind a relay, whose only addresses are in a pool for known clients.
const char* lab_conf = R"(
authoritative;
default-lease-time 600;
max-lease-time 7200;
min-lease-time 300;
ddns-update-style none;
option domain-name "test.example";
option domain-name-servers 10.99.0.53, 10.99.0.54;
option ntp-servers 10.99.0.123;
subnet 10.99.0.0 netmask 255.255.255.0 {
  range 10.99.0.100 10.99.0.102;
  range dynamic-bootp 10.99.0.200 10.99.0.201;
  option routers 10.99.0.1;
  option broadcast-address 10.99.0.255;
}
subnet 10.77.0.0 netmask 255.255.255.0 {
  option routers 10.77.0.1;
  pool {
    deny unknown-clients;
    range 10.77.0.50 10.77.0.51;
  }
}
host bootpclient {
  hardware ethernet 02:00:00:99:00:04;
  fixed-address 10.99.0.44;
  next-server 10.99.0.1;
  filename "pxelinux.0";
  option host-name "bootpclient";
}
host knownclient {
  hardware ethernet 02:00:00:99:00:05;
}
)";

// The ISC dhcpd.conf the captures were taken with (captures/README.md), verbatim.
const char* capture_conf = R"(
authoritative;
default-lease-time 600;
max-lease-time 7200;
ddns-update-style none;
option domain-name "test.example";
option domain-name-servers 10.99.0.53, 10.99.0.54;
option ntp-servers 10.99.0.123;
subnet 10.99.0.0 netmask 255.255.255.0 {
  range 10.99.0.100 10.99.0.150;
  range dynamic-bootp 10.99.0.200 10.99.0.210;
  option routers 10.99.0.1;
  option subnet-mask 255.255.255.0;
  option broadcast-address 10.99.0.255;
}
host bootpclient {
  hardware ethernet 02:00:00:99:00:04;
  fixed-address 10.99.0.44;
  next-server 10.99.0.1;
  filename "pxelinux.0";
  option host-name "bootpclient";
}
)";

Bytes be32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

// A request from chaddr 02:00:00:99:00:<n>.
Packet from(std::uint8_t n, std::optional<MessageType> type, std::uint32_t xid = 0x1234) {
    Packet p;
    p.xid = xid;
    p.chaddr = {0x02, 0x00, 0x00, 0x99, 0x00, n};
    if (type) p.set(option::message_type, {static_cast<std::uint8_t>(*type)});
    return p;
}

Packet selecting(std::uint8_t n, std::uint32_t address, std::uint32_t server_id = server) {
    Packet p = from(n, MessageType::request);
    p.set(option::server_identifier, be32(server_id));
    p.set(option::requested_address, be32(address));
    return p;
}

std::vector<std::uint8_t> codes(const Packet& p) {
    std::vector<std::uint8_t> out;
    for (const auto& [code, value] : p.options)
        out.push_back(code);
    return out;
}

class DhcpEngine : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string templ = ::testing::TempDir() + "dhcpengine-XXXXXX";
        ASSERT_NE(::mkdtemp(templ.data()), nullptr);
        dir_ = templ;
        use(lab_conf);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    // Replaces the config (and the engine, which keeps a reference to it).
    void use(const std::string& text) {
        std::string path = dir_ + "/dhcpd.conf";
        std::ofstream(path) << text;
        common::Diagnostics diags;
        engine_.reset();
        config_ = std::make_unique<Config>(load_config(path, diags));
        ASSERT_FALSE(diags.has_errors()) << diags.all().front().str();
        engine_ = std::make_unique<Engine>(*config_, server);
    }
    std::uint64_t count(const std::string& name) const {
        auto it = engine_->counters().find(name);
        return it == engine_->counters().end() ? 0 : it->second;
    }
    // DISCOVER then REQUEST (SELECTING) for the offered address; the address ACKed.
    std::uint32_t dora(std::uint8_t n, std::int64_t now = t0) {
        auto offer = engine_->handle(from(n, MessageType::discover), on_link, now);
        EXPECT_TRUE(offer);
        if (!offer) return 0;
        auto ack = engine_->handle(selecting(n, offer->packet.yiaddr), on_link, now);
        EXPECT_TRUE(ack);
        EXPECT_EQ(ack->packet.message_type(), MessageType::ack);
        return ack ? ack->packet.yiaddr : 0;
    }

    std::string dir_;
    std::unique_ptr<Config> config_;
    std::unique_ptr<Engine> engine_;
};

TEST_F(DhcpEngine, DoraForANewClient) {
    Packet discover = from(1, MessageType::discover);
    auto offer = engine_->handle(discover, on_link, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.op, 2);
    EXPECT_EQ(offer->packet.message_type(), MessageType::offer);
    EXPECT_EQ(offer->packet.yiaddr, ip(10, 99, 0, 100));
    EXPECT_EQ(offer->packet.xid, discover.xid);
    EXPECT_EQ(offer->packet.chaddr, discover.chaddr);
    EXPECT_EQ(offer->packet.ip_option(option::server_identifier), server);
    EXPECT_EQ(offer->packet.u32_option(option::lease_time), 600u);
    EXPECT_EQ(offer->packet.u32_option(option::renewal_time), 300u);
    EXPECT_EQ(offer->packet.u32_option(option::rebinding_time), 525u);
    EXPECT_EQ(offer->packet.ip_option(option::subnet_mask), ip(255, 255, 255, 0));
    EXPECT_EQ(offer->packet.ip_option(option::routers), ip(10, 99, 0, 1));
    // No parameter request list: every configured option, after the mandatory ones.
    EXPECT_EQ(codes(offer->packet), (Bytes{53, 54, 51, 58, 59, 1, 3, 6, 15, 28, 42}));
    EXPECT_FALSE(offer->lease_change); // an offer promises nothing durable
    EXPECT_TRUE(offer->to.link_layer_unicast);
    EXPECT_EQ(offer->to.address, ip(10, 99, 0, 100));
    EXPECT_EQ(offer->request_line, "DHCPDISCOVER from 02:00:00:99:00:01 via 10.99.0.1");
    EXPECT_EQ(offer->log_line, "DHCPOFFER on 10.99.0.100 to 02:00:00:99:00:01 via 10.99.0.1");

    Packet request = selecting(1, ip(10, 99, 0, 100));
    request.set(option::host_name, {'v', 'm'});
    auto ack = engine_->handle(request, on_link, t0 + 1);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->packet.message_type(), MessageType::ack);
    EXPECT_EQ(ack->packet.yiaddr, ip(10, 99, 0, 100));
    EXPECT_EQ(ack->log_line, "DHCPACK on 10.99.0.100 to 02:00:00:99:00:01 via 10.99.0.1");
    EXPECT_EQ(ack->request_line,
              "DHCPREQUEST for 10.99.0.100 (10.99.0.1) from 02:00:00:99:00:01 via 10.99.0.1");
    ASSERT_TRUE(ack->lease_change);
    const Lease& l = *ack->lease_change;
    EXPECT_EQ(l.address, ip(10, 99, 0, 100));
    EXPECT_EQ(l.binding, BindingState::active);
    EXPECT_EQ(l.starts, t0 + 1);
    EXPECT_EQ(l.cltt, t0 + 1);
    EXPECT_EQ(l.ends, t0 + 1 + 600);
    EXPECT_EQ(l.hardware_ethernet, (MacAddress{0x02, 0, 0, 0x99, 0, 1}));
    EXPECT_EQ(l.client_hostname, "vm");
    EXPECT_TRUE(l.uid.empty());
    EXPECT_EQ(engine_->leases().at(l.address), l);
    EXPECT_EQ(count("offer"), 1u);
    EXPECT_EQ(count("ack"), 1u);
}

TEST_F(DhcpEngine, SameClientGetsTheSameAddressAgain) {
    // Two DISCOVERs without a REQUEST: the held offer.
    auto a = engine_->handle(from(1, MessageType::discover), on_link, t0);
    auto b = engine_->handle(from(1, MessageType::discover), on_link, t0 + 5);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->packet.yiaddr, b->packet.yiaddr);
    // After a lease, even once it has expired.
    std::uint32_t leased = dora(1, t0 + 10);
    auto again = engine_->handle(from(1, MessageType::discover), on_link, t0 + 100000);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->packet.yiaddr, leased);
    // Replayed from the lease file into a new engine: the same.
    Engine restarted(*config_, server);
    restarted.load(engine_->leases());
    auto replayed = restarted.handle(from(1, MessageType::discover), on_link, t0 + 20);
    ASSERT_TRUE(replayed);
    EXPECT_EQ(replayed->packet.yiaddr, leased);
}

TEST_F(DhcpEngine, TwoClientsGetDifferentAddresses) {
    auto a = engine_->handle(from(1, MessageType::discover), on_link, t0);
    auto b = engine_->handle(from(2, MessageType::discover), on_link, t0);
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->packet.yiaddr, b->packet.yiaddr);
    // Once the holds are over, the addresses never requested are free for others again: the
    // never-used ones go first (the range's third, and the dynamic-bootp range's two, which
    // DHCP clients may use too), then the two that lapsed.
    std::set<std::uint32_t> later;
    for (std::uint8_t n : {3, 5, 6, 7, 8}) {
        auto c = engine_->handle(from(n, MessageType::discover), on_link, t0 + offer_hold_seconds);
        ASSERT_TRUE(c) << int(n);
        later.insert(c->packet.yiaddr);
    }
    EXPECT_EQ(later,
              (std::set<std::uint32_t>{ip(10, 99, 0, 100), ip(10, 99, 0, 101), ip(10, 99, 0, 102),
                                       ip(10, 99, 0, 200), ip(10, 99, 0, 201)}));
}

TEST_F(DhcpEngine, ClientIdentifierIsTheIdentity) {
    // The same chaddr under two client identifiers is two clients (dhclient then dhcpcd).
    Packet one = from(1, MessageType::discover);
    one.set(option::client_identifier, {0x01, 0x02, 0, 0, 0x99, 0, 1});
    Packet two = from(1, MessageType::discover);
    two.set(option::client_identifier, {0xff, 1, 2, 3});
    auto a = engine_->handle(one, on_link, t0);
    auto b = engine_->handle(two, on_link, t0);
    ASSERT_TRUE(a && b);
    EXPECT_NE(a->packet.yiaddr, b->packet.yiaddr);
}

TEST_F(DhcpEngine, FixedAddressHost) {
    auto offer = engine_->handle(from(4, MessageType::discover), on_link, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.yiaddr, ip(10, 99, 0, 44));
    EXPECT_EQ(offer->packet.siaddr, ip(10, 99, 0, 1));
    EXPECT_EQ(offer->packet.file, "pxelinux.0");
    auto ack = engine_->handle(selecting(4, ip(10, 99, 0, 44)), on_link, t0);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->packet.message_type(), MessageType::ack);
    EXPECT_FALSE(ack->lease_change); // the config holds it, not the lease file
    // Nobody else may take it, even by asking for it.
    Packet greedy = selecting(1, ip(10, 99, 0, 44));
    auto nak = engine_->handle(greedy, on_link, t0);
    ASSERT_TRUE(nak);
    EXPECT_EQ(nak->packet.message_type(), MessageType::nak);
}

TEST_F(DhcpEngine, RequestedAddressHonouredWhenFree) {
    Packet d = from(1, MessageType::discover);
    d.set(option::requested_address, be32(ip(10, 99, 0, 102)));
    auto offer = engine_->handle(d, on_link, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.yiaddr, ip(10, 99, 0, 102));
    // Held for client 1: client 2 asking for it gets another one.
    Packet d2 = from(2, MessageType::discover);
    d2.set(option::requested_address, be32(ip(10, 99, 0, 102)));
    auto other = engine_->handle(d2, on_link, t0);
    ASSERT_TRUE(other);
    EXPECT_NE(other->packet.yiaddr, ip(10, 99, 0, 102));
    // Outside every range: ignored.
    Packet d3 = from(3, MessageType::discover);
    d3.set(option::requested_address, be32(ip(10, 99, 0, 7)));
    auto third = engine_->handle(d3, on_link, t0);
    ASSERT_TRUE(third);
    EXPECT_NE(third->packet.yiaddr, ip(10, 99, 0, 7));
}

TEST_F(DhcpEngine, PoolDenyUnknownClients) {
    const RxInfo far{ip(10, 77, 0, 1)};
    EXPECT_FALSE(engine_->handle(from(1, MessageType::discover), far, t0));
    EXPECT_EQ(count("no_free_address"), 1u);
    EXPECT_EQ(engine_->last_drop(), "DHCPDISCOVER from 02:00:00:99:00:01 via 10.77.0.1: network "
                                    "10.77.0.0/24: no free leases");
    auto known = engine_->handle(from(5, MessageType::discover), far, t0);
    ASSERT_TRUE(known);
    EXPECT_EQ(known->packet.yiaddr, ip(10, 77, 0, 50));
    EXPECT_EQ(known->packet.ip_option(option::routers), ip(10, 77, 0, 1));
}

TEST_F(DhcpEngine, RenewExtendsTheLease) {
    std::uint32_t address = dora(1);
    Packet renew = from(1, MessageType::request);
    renew.ciaddr = address;
    auto ack = engine_->handle(renew, on_link, t0 + 300);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->packet.message_type(), MessageType::ack);
    EXPECT_EQ(ack->packet.ciaddr, address);
    EXPECT_EQ(ack->packet.yiaddr, address);
    ASSERT_TRUE(ack->lease_change);
    EXPECT_EQ(ack->lease_change->ends, t0 + 300 + 600);
    EXPECT_EQ(ack->to.address, address); // unicast to the bound client
    EXPECT_FALSE(ack->to.link_layer_unicast);
    // Another client renewing that address: NAK (authoritative).
    Packet thief = from(2, MessageType::request);
    thief.ciaddr = address;
    auto nak = engine_->handle(thief, on_link, t0 + 300);
    ASSERT_TRUE(nak);
    EXPECT_EQ(nak->packet.message_type(), MessageType::nak);
}

TEST_F(DhcpEngine, InitRebootOnTheWrongNetwork) {
    Packet reboot = from(1, MessageType::request);
    reboot.set(option::requested_address, be32(ip(192, 168, 1, 10)));
    auto nak = engine_->handle(reboot, on_link, t0);
    ASSERT_TRUE(nak);
    EXPECT_EQ(nak->packet.message_type(), MessageType::nak);
    EXPECT_EQ(nak->packet.yiaddr, 0u);
    EXPECT_EQ(nak->to.address, limited_broadcast);
    EXPECT_EQ(nak->log_line, "DHCPNAK on 192.168.1.10 to 02:00:00:99:00:01 via 10.99.0.1");
    EXPECT_EQ(count("nak"), 1u);

    // Its own lease on the right network: ACK.
    std::uint32_t address = dora(2);
    Packet mine = from(2, MessageType::request);
    mine.set(option::requested_address, be32(address));
    auto ack = engine_->handle(mine, on_link, t0 + 50);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->packet.message_type(), MessageType::ack);
    // An address in our subnet we have no record of: silence (RFC 2131 4.3.2).
    Packet unknown = from(3, MessageType::request);
    unknown.set(option::requested_address, be32(ip(10, 99, 0, 102)));
    EXPECT_FALSE(engine_->handle(unknown, on_link, t0 + 50));
    EXPECT_EQ(count("unknown_lease"), 1u);

    use(std::string(lab_conf).replace(0, std::strlen("\nauthoritative;"), "\n"));
    EXPECT_FALSE(engine_->handle(reboot, on_link, t0));
    EXPECT_EQ(count("not_authoritative"), 1u);
    EXPECT_EQ(count("nak"), 0u);
}

TEST_F(DhcpEngine, SelectingAnotherServerIsDropped) {
    auto offer = engine_->handle(from(1, MessageType::discover), on_link, t0);
    ASSERT_TRUE(offer);
    EXPECT_FALSE(engine_->handle(selecting(1, ip(10, 99, 0, 100), ip(10, 99, 0, 2)), on_link, t0));
    EXPECT_EQ(count("not_for_us"), 1u);
    EXPECT_EQ(count("ack"), 0u);
    // Our offer is released at once: the next client gets it.
    auto next = engine_->handle(from(2, MessageType::discover), on_link, t0 + 1);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->packet.yiaddr, offer->packet.yiaddr);
}

TEST_F(DhcpEngine, DeclineAbandonsTheAddress) {
    std::uint32_t address = dora(1);
    Packet decline = from(1, MessageType::decline);
    decline.set(option::server_identifier, be32(server));
    decline.set(option::requested_address, be32(address));
    auto r = engine_->handle(decline, on_link, t0 + 2);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->send);
    ASSERT_TRUE(r->lease_change);
    EXPECT_EQ(r->lease_change->address, address);
    EXPECT_EQ(r->lease_change->binding, BindingState::abandoned);
    EXPECT_EQ(r->log_line, "DHCPDECLINE of 10.99.0.100 from 02:00:00:99:00:01 via 10.99.0.1: "
                           "abandoned");
    for (std::uint8_t n : {1, 2, 3}) {
        auto offer = engine_->handle(from(n, MessageType::discover), on_link, t0 + 10 + n);
        ASSERT_TRUE(offer);
        EXPECT_NE(offer->packet.yiaddr, address);
    }
    // A DECLINE from a client that does not hold the address changes nothing.
    Packet stranger = from(9, MessageType::decline);
    stranger.set(option::requested_address, be32(ip(10, 99, 0, 101)));
    EXPECT_FALSE(engine_->handle(stranger, on_link, t0 + 20));
    EXPECT_EQ(count("decline_unknown"), 1u);
}

TEST_F(DhcpEngine, ReleaseFreesTheBinding) {
    std::uint32_t address = dora(1);
    Packet release = from(1, MessageType::release);
    release.ciaddr = address;
    release.set(option::server_identifier, be32(server));
    auto r = engine_->handle(release, on_link, t0 + 30);
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->send);
    ASSERT_TRUE(r->lease_change);
    EXPECT_EQ(r->lease_change->binding, BindingState::released);
    EXPECT_EQ(r->lease_change->ends, t0 + 30);
    EXPECT_EQ(r->log_line, "DHCPRELEASE of 10.99.0.100 from 02:00:00:99:00:01 via 10.99.0.1 "
                           "(found)");
    EXPECT_EQ(count("release"), 1u);
    // Twice: not found.
    EXPECT_FALSE(engine_->handle(release, on_link, t0 + 31));
    EXPECT_EQ(count("release_unknown"), 1u);
}

TEST_F(DhcpEngine, InformGetsOptionsOnly) {
    Packet inform = from(7, MessageType::inform);
    inform.ciaddr = ip(10, 99, 0, 77);
    inform.set(option::parameter_request_list, {3, 6});
    auto r = engine_->handle(inform, RxInfo{}, t0);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->packet.message_type(), MessageType::ack);
    EXPECT_EQ(r->packet.yiaddr, 0u);
    EXPECT_EQ(r->packet.ciaddr, ip(10, 99, 0, 77));
    EXPECT_FALSE(r->packet.find(option::lease_time));
    EXPECT_EQ(codes(r->packet), (Bytes{53, 54, 1, 3, 6}));
    EXPECT_FALSE(r->lease_change);
    EXPECT_EQ(r->to.address, ip(10, 99, 0, 77));
    EXPECT_EQ(count("inform_ack"), 1u);
}

TEST_F(DhcpEngine, BootpOnlyForFixedHostsAndDynamicBootpRanges) {
    auto fixed = engine_->handle(from(4, std::nullopt), on_link, t0);
    ASSERT_TRUE(fixed);
    EXPECT_FALSE(fixed->packet.message_type());
    EXPECT_FALSE(fixed->packet.find(option::server_identifier));
    EXPECT_EQ(fixed->packet.yiaddr, ip(10, 99, 0, 44));
    EXPECT_FALSE(fixed->lease_change);

    auto dynamic = engine_->handle(from(1, std::nullopt), on_link, t0);
    ASSERT_TRUE(dynamic);
    EXPECT_EQ(dynamic->packet.yiaddr, ip(10, 99, 0, 200));
    ASSERT_TRUE(dynamic->lease_change);
    EXPECT_EQ(dynamic->lease_change->ends, Lease::never);
    EXPECT_EQ(dynamic->log_line, "BOOTREPLY for 10.99.0.200 to 02:00:00:99:00:01 via 10.99.0.1");
    // Two dynamic-bootp addresses: the third BOOTP client gets none.
    EXPECT_TRUE(engine_->handle(from(2, std::nullopt), on_link, t0));
    EXPECT_FALSE(engine_->handle(from(3, std::nullopt), on_link, t0));
    EXPECT_EQ(count("no_free_address"), 1u);

    use(std::string(lab_conf) + "deny bootp;\n");
    EXPECT_FALSE(engine_->handle(from(1, std::nullopt), on_link, t0));
    EXPECT_EQ(count("bootp_denied"), 1u);
}

TEST_F(DhcpEngine, RelayedRequestUsesGiaddr) {
    Packet d = from(5, MessageType::discover);
    d.giaddr = ip(10, 77, 0, 1);
    d.hops = 1;
    const Bytes agent{1, 4, 'p', 'o', 'r', 't', 2, 2, 0xab, 0xcd};
    d.set(option::relay_agent_information, agent);
    auto offer = engine_->handle(d, on_link, t0); // arrived on 10.99.0.1: giaddr wins
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.yiaddr, ip(10, 77, 0, 50));
    EXPECT_EQ(offer->packet.giaddr, ip(10, 77, 0, 1));
    EXPECT_EQ(offer->to.address, ip(10, 77, 0, 1));
    EXPECT_EQ(offer->to.port, server_port);
    ASSERT_TRUE(offer->packet.find(option::relay_agent_information));
    EXPECT_EQ(*offer->packet.find(option::relay_agent_information), agent);
    EXPECT_EQ(offer->packet.options.back().first, option::relay_agent_information);

    // A relayed NAK carries the broadcast bit, and option 82 too.
    Packet reboot = from(5, MessageType::request);
    reboot.giaddr = ip(10, 77, 0, 1);
    reboot.set(option::requested_address, be32(ip(10, 99, 0, 100)));
    reboot.set(option::relay_agent_information, agent);
    auto nak = engine_->handle(reboot, on_link, t0);
    ASSERT_TRUE(nak);
    EXPECT_EQ(nak->packet.message_type(), MessageType::nak);
    EXPECT_TRUE(nak->packet.flags & broadcast_flag);
    EXPECT_EQ(nak->to.address, ip(10, 77, 0, 1));
    EXPECT_EQ(*nak->packet.find(option::relay_agent_information), agent);

    // A giaddr in no subnet of ours.
    Packet lost = from(1, MessageType::discover);
    lost.giaddr = ip(172, 16, 0, 1);
    EXPECT_FALSE(engine_->handle(lost, on_link, t0));
    EXPECT_EQ(count("no_subnet"), 1u);
}

TEST_F(DhcpEngine, LeaseTimeIsClamped) {
    auto asked = [&](std::optional<std::uint32_t> seconds, std::uint8_t n) {
        Packet d = from(n, MessageType::discover);
        if (seconds) d.set(option::lease_time, be32(*seconds));
        auto r = engine_->handle(d, on_link, t0);
        return r ? r->packet.u32_option(option::lease_time) : std::nullopt;
    };
    EXPECT_EQ(asked(std::nullopt, 1), 600u);
    EXPECT_EQ(asked(100000, 2), 7200u); // max-lease-time
    EXPECT_EQ(asked(10, 3), 300u);      // min-lease-time
}

TEST_F(DhcpEngine, ExhaustionIsCounted) {
    // Three addresses in the range, and DHCP clients may use the two dynamic-bootp ones too.
    for (std::uint8_t n : {1, 2, 3, 4, 5})
        EXPECT_NE(dora(n == 4 ? 6 : n), 0u); // 4 is the fixed-address host
    EXPECT_FALSE(engine_->handle(from(9, MessageType::discover), on_link, t0 + 1));
    EXPECT_EQ(count("no_free_address"), 1u);
    // When a lease has expired, its address goes to a new client.
    auto late = engine_->handle(from(9, MessageType::discover), on_link, t0 + 601);
    ASSERT_TRUE(late);
    EXPECT_EQ(late->packet.yiaddr, ip(10, 99, 0, 100));
}

TEST_F(DhcpEngine, BadInputIsDroppedAndCounted) {
    Packet reply = from(1, MessageType::offer);
    EXPECT_FALSE(engine_->handle(reply, on_link, t0));
    reply.op = 2;
    EXPECT_FALSE(engine_->handle(reply, on_link, t0));
    Packet nothing = from(1, MessageType::discover);
    nothing.hlen = 0;
    EXPECT_FALSE(engine_->handle(nothing, on_link, t0));
    EXPECT_FALSE(engine_->handle(from(1, MessageType::request), on_link, t0)); // no address
    EXPECT_EQ(count("bad_request"), 4u);
    EXPECT_FALSE(engine_->handle(from(1, MessageType::discover), RxInfo{}, t0));
    EXPECT_EQ(count("no_subnet"), 1u);
}

// The real clients' packets, against the config ISC dhcpd answered them with: the same
// addresses, and the options in ISC's order (ours add T1/T2).
TEST_F(DhcpEngine, RealCapturesGetWhatIscDhcpdGave) {
    use(capture_conf);
    struct Exchange {
        std::string client;
        std::uint32_t to_address; // where ISC sent the OFFER/ACK (IP destination)
    };
    std::int64_t now = t0;
    for (const auto& [client, to_address] :
         {Exchange{"udhcpc", ip(10, 99, 0, 100)}, Exchange{"dhclient", ip(10, 99, 0, 101)},
          Exchange{"dhcpcd", ip(10, 99, 0, 102)}}) {
        SCOPED_TRACE(client);
        for (const char* step : {"discover", "request"}) {
            SCOPED_TRACE(step);
            Packet in = capture(client + "_" + step + ".hex");
            Packet isc = capture("iscdhcpd_" + std::string(*step == 'd' ? "offer" : "ack") +
                                 "_to_" + client + ".hex");
            auto r = engine_->handle(in, on_link, now++);
            ASSERT_TRUE(r) << engine_->last_drop();
            EXPECT_EQ(r->packet.message_type(), isc.message_type());
            EXPECT_EQ(r->packet.yiaddr, isc.yiaddr);
            EXPECT_EQ(r->packet.xid, isc.xid);
            EXPECT_EQ(r->to.address, to_address);
            auto ours = codes(r->packet);
            std::erase_if(ours, [](std::uint8_t c) {
                return c == option::renewal_time || c == option::rebinding_time;
            });
            EXPECT_EQ(ours, codes(isc));
            for (const auto& [code, value] : isc.options)
                EXPECT_EQ(*r->packet.find(code), value) << "option " << int(code);
            if (*step == 'r') {
                ASSERT_TRUE(r->lease_change);
                EXPECT_EQ(r->lease_change->address, isc.yiaddr);
                EXPECT_EQ(r->lease_change->ends, r->lease_change->starts + 600);
            }
        }
    }
    EXPECT_EQ(engine_->leases().at(ip(10, 99, 0, 101)).client_hostname, "vm");
    EXPECT_EQ(engine_->leases().at(ip(10, 99, 0, 100)).uid, (Bytes{1, 2, 0, 0, 0x99, 0, 1}));

    // udhcpc's RELEASE (a later run, same client identifier).
    auto released = engine_->handle(capture("udhcpc_release.hex"), on_link, now);
    ASSERT_TRUE(released) << engine_->last_drop();
    EXPECT_EQ(released->lease_change->binding, BindingState::released);

    // bootpc, to the fixed-address host, both runs.
    for (const char* name : {"bootpc_request.hex", "bootpc_request_nobroadcastflag.hex"}) {
        SCOPED_TRACE(name);
        Packet in = capture(name);
        Packet isc = capture(std::string("iscdhcpd_bootreply_to_bootpc") +
                             (in.flags ? ".hex" : "_unicast.hex"));
        auto r = engine_->handle(in, on_link, now);
        ASSERT_TRUE(r) << engine_->last_drop();
        EXPECT_FALSE(r->packet.message_type());
        EXPECT_EQ(r->packet.yiaddr, isc.yiaddr);
        EXPECT_EQ(r->packet.siaddr, isc.siaddr);
        EXPECT_EQ(r->packet.file, isc.file);
        EXPECT_EQ(r->packet.flags, isc.flags);
        EXPECT_EQ(r->to.address, in.flags ? limited_broadcast : isc.yiaddr);
        for (const auto& [code, value] : isc.options)
            EXPECT_EQ(*r->packet.find(code), value) << "option " << int(code);
    }
}

} // namespace
} // namespace superd::dhcp

namespace superd::dhcp {
namespace {

TEST_F(DhcpEngine, PingCheckProbesOnlyAnAddressNewToTheClient) {
    auto first = engine_->handle(from(1, MessageType::discover), on_link, t0);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->probe, first->packet.yiaddr);
    // The DISCOVER again (the probe still runs, or the offer was lost): held for it, no probe.
    auto again = engine_->handle(from(1, MessageType::discover), on_link, t0 + 1);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->packet.yiaddr, first->packet.yiaddr);
    EXPECT_FALSE(again->probe);
    // A second client is never offered the held address, and its own is probed.
    auto other = engine_->handle(from(2, MessageType::discover), on_link, t0 + 1);
    ASSERT_TRUE(other);
    EXPECT_NE(other->packet.yiaddr, first->packet.yiaddr);
    EXPECT_EQ(other->probe, other->packet.yiaddr);
    // Its own lease is not probed when the client comes back.
    std::uint32_t leased = dora(3, t0 + 2);
    auto back = engine_->handle(from(3, MessageType::discover), on_link, t0 + 500);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->packet.yiaddr, leased);
    EXPECT_FALSE(back->probe);
    // A fixed address is the admin's promise: never probed.
    auto fixed = engine_->handle(from(4, MessageType::discover), on_link, t0);
    ASSERT_TRUE(fixed);
    EXPECT_EQ(fixed->packet.yiaddr, ip(10, 99, 0, 44));
    EXPECT_FALSE(fixed->probe);
}

TEST_F(DhcpEngine, PingCheckFalseProbesNothing) {
    use(std::string(lab_conf) + "ping-check false;\n");
    auto offer = engine_->handle(from(1, MessageType::discover), on_link, t0);
    ASSERT_TRUE(offer);
    EXPECT_FALSE(offer->probe);
}

TEST_F(DhcpEngine, AnAnsweredProbeAbandonsTheAddress) {
    auto offer = engine_->handle(from(1, MessageType::discover), on_link, t0);
    ASSERT_TRUE(offer && offer->probe);
    auto lease = engine_->abandon(*offer->probe, t0 + 1);
    ASSERT_TRUE(lease);
    EXPECT_EQ(lease->binding, BindingState::abandoned);
    EXPECT_EQ(lease->address, ip(10, 99, 0, 100));
    EXPECT_EQ(count("abandoned_by_ping"), 1u);
    // Asked again, the engine offers another address, to be probed in its turn.
    auto next = engine_->handle(from(1, MessageType::discover), on_link, t0 + 1);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->packet.yiaddr, ip(10, 99, 0, 101));
    EXPECT_EQ(next->probe, ip(10, 99, 0, 101));
    // Nobody else gets the abandoned one either.
    auto other = engine_->handle(from(2, MessageType::discover), on_link, t0 + 2);
    ASSERT_TRUE(other);
    EXPECT_EQ(other->packet.yiaddr, ip(10, 99, 0, 102));
    EXPECT_FALSE(engine_->abandon(ip(10, 99, 0, 44), t0)); // a fixed address is not ours to
    // A day later, once every never-used address is gone, it is reclaimed.
    const std::int64_t day_later = t0 + 1 + 86400;
    for (std::uint8_t n : {2, 3, 5, 6})
        EXPECT_NE(dora(n, day_later), ip(10, 99, 0, 100));
    auto reclaimed = engine_->handle(from(9, MessageType::discover), on_link, day_later);
    ASSERT_TRUE(reclaimed);
    EXPECT_EQ(reclaimed->packet.yiaddr, ip(10, 99, 0, 100));
}

TEST_F(DhcpEngine, ServerIdentifierAndLogNameComeFromTheArrival) {
    RxInfo rx{server, ip(10, 99, 0, 2), "veth-lab"};
    auto offer = engine_->handle(from(1, MessageType::discover), rx, t0);
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->packet.ip_option(option::server_identifier), ip(10, 99, 0, 2));
    EXPECT_EQ(offer->request_line, "DHCPDISCOVER from 02:00:00:99:00:01 via veth-lab");
    // A REQUEST naming the other address of ours is for another server.
    EXPECT_FALSE(engine_->handle(selecting(1, offer->packet.yiaddr, server), rx, t0));
    EXPECT_EQ(count("not_for_us"), 1u);
    auto ack = engine_->handle(selecting(1, offer->packet.yiaddr, ip(10, 99, 0, 2)), rx, t0);
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->packet.message_type(), MessageType::ack);
}

} // namespace
} // namespace superd::dhcp

namespace superd::dhcp {
namespace {

TEST_F(DhcpEngine, DenyBootingIgnoresTheHost) {
    use(std::string(lab_conf) + "host banned {\n  hardware ethernet 02:00:00:99:00:07;\n"
                                "  deny booting;\n}\n");
    EXPECT_FALSE(engine_->handle(from(7, MessageType::discover), on_link, t0));
    EXPECT_FALSE(engine_->handle(selecting(7, ip(10, 99, 0, 100)), on_link, t0));
    EXPECT_FALSE(engine_->handle(from(7, std::nullopt), on_link, t0)); // BOOTP too
    EXPECT_EQ(count("booting_denied"), 3u);
    EXPECT_TRUE(engine_->handle(from(8, MessageType::discover), on_link, t0)); // others served
}

} // namespace
} // namespace superd::dhcp
