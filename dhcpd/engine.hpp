#pragma once
// The DHCPv4 / BOOTP server policy (RFC 2131, RFC 951, RFC 1542): a decoded request, where it
// arrived and the time in, the reply, where it goes and the lease to record out. Pure: no
// sockets, no clock, no logging, no file. The caller appends and commits `lease_change` before
// it sends the reply (an ACK must never promise what a crash could forget), logs the lines, and
// passes `now` so that tests choose the time.
//
// Contract for the caller: the Config must outlive the Engine (a reload builds a new Engine and
// load()s it with the old one's leases()).
#include "dhcpd/config.hpp"
#include "dhcpd/destination.hpp"
#include "dhcpd/lease_file.hpp"
#include "dhcpd/packet.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace superd::dhcp {

struct RxInfo {
    // Our address on the interface the request arrived on, or 0. Picks the subnet when the
    // request was not relayed (giaddr 0); a relayed request's giaddr picks it otherwise.
    std::uint32_t interface_address = 0;
    // The address the request reached us at, sent back as the server identifier (option 54) and
    // compared with the client's; 0: the one given to the Engine's constructor.
    std::uint32_t server_address = 0;
    // The arrival interface's name: ISC's log lines say "via eth0" for a client on our own link.
    std::string interface_name;
};

struct Reply {
    Packet packet;
    Destination to;
    // False for DECLINE and RELEASE: the client expects no answer, yet the lease changes.
    bool send = true;
    // To append to the lease file and commit BEFORE the packet is sent.
    std::optional<Lease> lease_change;
    // ISC dhcpd's shapes: request_line is what came in ("DHCPDISCOVER from 02:.. via 10.99.0.1"),
    // log_line what we did ("DHCPOFFER on 10.99.0.100 to 02:.. via 10.99.0.1"). Either may be
    // empty when ISC prints only one line (RELEASE, DECLINE).
    std::string request_line;
    std::string log_line;
    // ping-check: an address this client never had is about to be offered. The caller sends an
    // ICMP echo to it first and sends the OFFER only when nobody answers (abandon() otherwise).
    // The engine already holds the address for this client, so others are not offered it.
    std::optional<std::uint32_t> probe;
};

// How long an offered address stays reserved for the client it was offered to, so that two
// DISCOVERs in a row do not get the same address.
inline constexpr std::int64_t offer_hold_seconds = 120;

namespace detail {

// Who a client is (RFC 2131 4.2): option 61 when sent, else htype + chaddr.
struct ClientId {
    std::vector<std::uint8_t> key;
    std::vector<std::uint8_t> uid; // option 61, empty if none
    std::optional<MacAddress> mac; // when htype 1 (Ethernet) and hlen 6
    const Host* host = nullptr;    // by MAC; the client is "known" when set
    std::string hardware_text;     // chaddr as aa:bb:.., for log lines
};

// One range the client may be given an address from, with what scopes it.
struct Candidate {
    const Range* range = nullptr;
    const Pool* pool = nullptr; // null for a range declared directly in the subnet
    const Subnet* subnet = nullptr;
};

// The subnet the request belongs to, and its shared-network siblings: one link.
struct Network {
    const Subnet* selected = nullptr;
    std::vector<const Subnet*> subnets;
    std::vector<Candidate> candidates;
};

} // namespace detail

class Engine {
  public:
    // server_address: our address on the link, sent as the server identifier (option 54).
    Engine(const Config& config, std::uint32_t server_address);

    // Replaces the lease table with the leases replayed from the lease file.
    void load(const std::map<std::uint32_t, Lease>& replayed);

    // nullopt: the request is dropped; one counter was bumped and last_drop() says why. Never
    // throws on wire input.
    std::optional<Reply> handle(const Packet& request, const RxInfo& rx, std::int64_t now);

    // Named counters: drops ("no_subnet", "not_for_us", "no_free_address", "bad_request",
    // "unknown_lease", "not_authoritative", "unknown_client", "bootp_denied", ...) and replies
    // ("offer", "ack", "nak", "inform_ack", "bootreply", "decline", "release").
    const std::map<std::string, std::uint64_t>& counters() const { return counters_; }
    // Something answered a ping-check probe of `address`: it is in use by a host we do not know
    // of. Marks it abandoned (never offered again until the lease ends) and returns the lease to
    // record; nullopt when the address is not ours to abandon (a fixed address).
    std::optional<Lease> abandon(std::uint32_t address, std::int64_t now);
    // ISC-shaped line for the last dropped request, e.g. "DHCPDISCOVER from .. via ..: network
    // 10.99.0.0/24: no free leases".
    const std::string& last_drop() const { return last_drop_; }
    const std::string& last_drop_counter() const { return last_drop_counter_; }
    const std::map<std::uint32_t, Lease>& leases() const { return leases_; }

  private:
    struct Hold {
        std::vector<std::uint8_t> client;
        std::int64_t until = 0;
    };
    using ClientId = detail::ClientId;
    using Network = detail::Network;

    // Message handlers (engine.cpp).
    std::optional<Reply> discover(const Packet& req, const RxInfo& rx, std::int64_t now);
    std::optional<Reply> request(const Packet& req, const RxInfo& rx, std::int64_t now);
    std::optional<Reply> decline(const Packet& req, const RxInfo& rx, std::int64_t now);
    std::optional<Reply> release(const Packet& req, const RxInfo& rx, std::int64_t now);
    std::optional<Reply> inform(const Packet& req, const RxInfo& rx);
    std::optional<Reply> bootp(const Packet& req, const RxInfo& rx, std::int64_t now);
    Reply ack(const Packet& req, const RxInfo& rx, const Network& net, const ClientId& client,
              std::uint32_t address, std::int64_t now, const std::string& line);
    std::optional<Reply> nak_if_authoritative(const Packet& req, const RxInfo& rx,
                                              const Network& net, const ClientId& client,
                                              std::uint32_t address, const std::string& line,
                                              const char* why);
    Reply nak(const Packet& req, const RxInfo& rx, std::uint32_t address, const std::string& line);
    Lease mark_abandoned(std::uint32_t address, std::int64_t now);
    Packet reply_base(const Packet& req, std::optional<MessageType> type) const;
    std::nullopt_t drop(const std::string& counter, const std::string& line);

    // Address policy (allocator.cpp).
    std::optional<Network> network_for(const Packet& req, const RxInfo& rx) const;
    const detail::Candidate* candidate_for(const Network& net, std::uint32_t address,
                                           const ClientId& client, bool bootp) const;
    std::optional<std::uint32_t> fixed_address(const Network& net, const ClientId& client) const;
    bool is_fixed_anywhere(std::uint32_t address) const;
    bool owned_by(const Lease& lease, const ClientId& client) const;
    bool available(std::uint32_t address, const ClientId& client, std::int64_t now) const;
    bool may_have(const Network& net, const ClientId& client, std::uint32_t address,
                  std::int64_t now, bool bootp) const;
    std::optional<std::uint32_t> current_lease(const Network& net, const ClientId& client,
                                               std::int64_t now, bool bootp) const;
    std::optional<std::uint32_t> choose(const Network& net, const ClientId& client,
                                        const Packet& req, std::int64_t now, bool bootp);
    std::optional<std::uint32_t> never_used(const Network& net, const ClientId& client,
                                            std::int64_t now, bool bootp);
    void sweep_holds(std::int64_t now);
    // `req` is what the config's `if`s look at.
    EffectiveParameters params_for(const Packet& req, const Network& net, const ClientId& client,
                                   std::uint32_t address) const;
    void hold(std::uint32_t address, const ClientId& client, std::int64_t now);
    void forget_holds(const ClientId& client);
    void drop_hold(std::uint32_t address);
    // Every write to leases_ goes through here, to keep owners_ in step.
    void put_lease(const Lease& lease);

    const Config& config_;
    std::uint32_t server_address_;
    std::uint32_t server_ = 0; // for the request being handled: rx.server_address or the default
    std::map<std::uint32_t, Lease> leases_;
    std::map<std::uint32_t, Hold> holds_;
    // Indexes, so that a request costs about the same with 10 leases or 100,000: the addresses
    // of leases recorded under each client identifier ('u' + option 61) and hardware address
    // ('m' + MAC); the address held for each client (at most one); the fixed addresses; for
    // each range, where its never-used addresses begin (every address below was leased or
    // offered once); offered addresses that went back unleased, below those cursors.
    std::unordered_map<std::string, std::vector<std::uint32_t>> owners_;
    std::map<std::vector<std::uint8_t>, std::uint32_t> hold_of_;
    std::unordered_set<std::uint32_t> fixed_;
    std::unordered_map<const Range*, std::uint32_t> cursors_;
    std::set<std::uint32_t> returned_;
    unsigned holds_since_sweep_ = 0;
    std::map<std::string, std::uint64_t> counters_;
    std::string last_drop_;
    std::string last_drop_counter_;
};

// The client's identity, as the engine keys leases and offers by it.
detail::ClientId client_id(const Packet& request, const Config& config);

} // namespace superd::dhcp
