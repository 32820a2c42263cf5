// The message side of the engine: one handler per DHCP message type (RFC 2131 4.3), the reply
// options, ISC dhcpd's log lines and the drop counters. Addresses come from allocator.cpp.
#include "dhcpd/engine.hpp"

#include <algorithm>

namespace superd::dhcp {

namespace {

std::vector<std::uint8_t> be32(std::uint32_t v) {
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

std::string via(const Packet& req, const RxInfo& rx) {
    if (!req.giaddr && !rx.interface_name.empty()) return " via " + rx.interface_name;
    return " via " + ipv4_string(req.giaddr ? req.giaddr : rx.interface_address);
}

// Options the engine writes itself, or that only a client sends: never copied from the config.
bool engine_managed(std::uint8_t code) {
    switch (code) {
    case option::pad:
    case option::requested_address:
    case option::lease_time:
    case option::overload:
    case option::message_type:
    case option::server_identifier:
    case option::parameter_request_list:
    case option::max_message_size:
    case option::renewal_time:
    case option::rebinding_time:
    case option::client_identifier:
    case option::relay_agent_information:
    case option::end:
        return true;
    default:
        return false;
    }
}

// Option 51 as asked, else default-lease-time, within [min-lease-time, max-lease-time].
std::uint32_t lease_seconds(const EffectiveParameters& p, const Packet& req) {
    std::uint32_t t = req.u32_option(option::lease_time).value_or(p.default_lease_time);
    t = std::min(t, p.max_lease_time);
    return std::max(t, p.min_lease_time);
}

void put_lease_time(Packet& out, std::uint32_t seconds) {
    out.set(option::lease_time, be32(seconds));
    // T1 = 50 %, T2 = 87.5 % (RFC 2131 4.4.5); an infinite lease keeps infinite timers.
    bool infinite = seconds == 0xffffffff;
    out.set(option::renewal_time, be32(infinite ? seconds : seconds / 2));
    out.set(option::rebinding_time,
            be32(infinite ? seconds : static_cast<std::uint32_t>(std::uint64_t{seconds} * 7 / 8)));
}

// The boot fields and the scope's options: subnet mask first, then what the client asked for in
// its order (option 55), or everything configured when it did not ask; option 82 echoed last, as
// the relay must find it unchanged (RFC 3046 2.2).
void put_options(Packet& out, const Packet& req, const EffectiveParameters& p) {
    if (p.next_server) out.siaddr = *p.next_server;
    if (p.filename) out.file = *p.filename;
    if (p.server_name) out.sname = *p.server_name;
    if (const auto* mask = p.find_option(option::subnet_mask))
        out.set(option::subnet_mask, mask->value);
    auto put = [&](std::uint8_t code) {
        if (engine_managed(code) || out.find(code)) return;
        if (const auto* o = p.find_option(code)) out.set(code, o->value);
    };
    if (const auto* prl = req.find(option::parameter_request_list)) {
        for (std::uint8_t code : *prl)
            put(code);
    } else {
        for (const auto& o : p.options)
            put(o.code);
    }
    if (const auto* relay = req.find(option::relay_agent_information))
        out.set(option::relay_agent_information, *relay);
}

} // namespace

Engine::Engine(const Config& config, std::uint32_t server_address)
    : config_(config)
    , server_address_(server_address) {
    for (const Host& h : config_.hosts)
        fixed_.insert(h.fixed_addresses.begin(), h.fixed_addresses.end());
}

void Engine::load(const std::map<std::uint32_t, Lease>& replayed) {
    leases_.clear();
    owners_.clear();
    holds_.clear();
    hold_of_.clear();
    for (const auto& [address, lease] : replayed)
        put_lease(lease);
}

std::nullopt_t Engine::drop(const std::string& counter, const std::string& line) {
    ++counters_[counter];
    last_drop_ = line;
    last_drop_counter_ = counter;
    return std::nullopt;
}

std::optional<Reply> Engine::handle(const Packet& req, const RxInfo& rx, std::int64_t now) {
    server_ = rx.server_address ? rx.server_address : server_address_;
    // Don't ever answer a reply: two servers on a link would echo each other forever.
    if (req.op != 1) return drop("bad_request", "BOOTREPLY received" + via(req, rx) + ": ignored");
    if (client_id(req, config_).key.empty())
        return drop("bad_request", "request without chaddr or client identifier" + via(req, rx));
    auto type = req.dhcp ? req.message_type() : std::nullopt;
    if (!type) return bootp(req, rx, now);
    switch (*type) {
    case MessageType::discover:
        return discover(req, rx, now);
    case MessageType::request:
        return request(req, rx, now);
    case MessageType::decline:
        return decline(req, rx, now);
    case MessageType::release:
        return release(req, rx, now);
    case MessageType::inform:
        return inform(req, rx);
    default:
        return drop("bad_request", std::string(to_string(*type)) + " from a client" + via(req, rx));
    }
}

Packet Engine::reply_base(const Packet& req, std::optional<MessageType> type) const {
    Packet out;
    out.op = 2;
    out.htype = req.htype;
    out.hlen = req.hlen;
    out.xid = req.xid;
    out.flags = req.flags;
    out.giaddr = req.giaddr;
    out.chaddr = req.chaddr;
    out.dhcp = req.dhcp;
    if (type) {
        out.set(option::message_type, {static_cast<std::uint8_t>(*type)});
        out.set(option::server_identifier, be32(server_));
    }
    return out;
}

std::optional<Reply> Engine::discover(const Packet& req, const RxInfo& rx, std::int64_t now) {
    auto client = client_id(req, config_);
    std::string line = "DHCPDISCOVER from " + client.hardware_text + via(req, rx);
    auto net = network_for(req, rx);
    if (!net) return drop("no_subnet", line + ": unknown network segment");
    auto scope = effective_parameters(config_, *net->selected, nullptr, client.host, &req);
    if (!scope.allow_booting) return drop("booting_denied", line + ": booting disallowed");
    if (!client.host && !scope.allow_unknown_clients)
        return drop("unknown_client", line + ": unknown client");
    auto address = choose(*net, client, req, now, false);
    if (!address)
        return drop("no_free_address", line + ": network " + ipv4_string(net->selected->network) +
                                           "/" + std::to_string(net->selected->prefix_length()) +
                                           ": no free leases");
    auto params = params_for(req, *net, client, *address);
    Reply r;
    r.packet = reply_base(req, MessageType::offer);
    r.packet.yiaddr = *address;
    put_lease_time(r.packet, lease_seconds(params, req));
    put_options(r.packet, req, params);
    r.to = reply_destination(req, r.packet);
    if (fixed_address(*net, client) != address) {
        // Probe only an address new to this client: its own lease, or one we offered it a
        // moment ago (a retransmitted DISCOVER), was probed or used already.
        auto held = holds_.find(*address);
        auto leased = leases_.find(*address);
        bool known = (held != holds_.end() && held->second.client == client.key &&
                      held->second.until > now) ||
                     (leased != leases_.end() && owned_by(leased->second, client));
        if (params.ping_check && !known) r.probe = *address;
        hold(*address, client, now);
    }
    r.request_line = line;
    r.log_line =
        "DHCPOFFER on " + ipv4_string(*address) + " to " + client.hardware_text + via(req, rx);
    ++counters_["offer"];
    return r;
}

std::optional<Reply> Engine::request(const Packet& req, const RxInfo& rx, std::int64_t now) {
    auto client = client_id(req, config_);
    auto server = req.ip_option(option::server_identifier);
    std::uint32_t address = req.ip_option(option::requested_address).value_or(req.ciaddr);
    std::string line = "DHCPREQUEST for " + ipv4_string(address) +
                       (server ? " (" + ipv4_string(*server) + ")" : "") + " from " +
                       client.hardware_text + via(req, rx);
    if (address == 0) return drop("bad_request", line + ": no requested address");
    if (server && *server != server_) {
        // The client took another server's offer: ours is free again (RFC 2131 4.3.2).
        forget_holds(client);
        return drop("not_for_us", line + ": for another server");
    }
    auto net = network_for(req, rx);
    if (!net) return drop("no_subnet", line + ": unknown network segment");
    // `deny booting` (ISC): the client is ignored, not refused, so another server may answer.
    if (!effective_parameters(config_, *net->selected, nullptr, client.host, &req).allow_booting)
        return drop("booting_denied", line + ": booting disallowed");
    bool on_net =
        std::ranges::any_of(net->subnets, [&](const Subnet* s) { return s->contains(address); });
    if (server && req.ciaddr == 0) {
        // SELECTING: the client chose our offer; it must hear a NAK when we cannot keep it.
        if (on_net && may_have(*net, client, address, now, false))
            return ack(req, rx, *net, client, address, now, line);
        return nak(req, rx, address, line);
    }
    // INIT-REBOOT (option 50, no ciaddr), RENEWING or REBINDING (ciaddr).
    if (!on_net) return nak_if_authoritative(req, rx, *net, client, address, line, "wrong network");
    if (auto fixed = fixed_address(*net, client)) {
        if (*fixed == address) return ack(req, rx, *net, client, address, now, line);
        return nak_if_authoritative(req, rx, *net, client, address, line, "not its fixed address");
    }
    auto it = leases_.find(address);
    if (it == leases_.end())
        // RFC 2131 4.3.2: with no record of the client, remain silent.
        return drop("unknown_lease", line + ": lease " + ipv4_string(address) + " unknown");
    bool mine = it->second.binding != BindingState::abandoned && owned_by(it->second, client);
    if (mine && candidate_for(*net, address, client, false) && available(address, client, now))
        return ack(req, rx, *net, client, address, now, line);
    if (!mine && available(address, client, now))
        return drop("unknown_lease", line + ": lease " + ipv4_string(address) + " unknown");
    return nak_if_authoritative(req, rx, *net, client, address, line, "address not available");
}

Reply Engine::ack(const Packet& req, const RxInfo& rx, const Network& net, const ClientId& client,
                  std::uint32_t address, std::int64_t now, const std::string& line) {
    auto params = params_for(req, net, client, address);
    std::uint32_t seconds = lease_seconds(params, req);
    Reply r;
    r.packet = reply_base(req, MessageType::ack);
    r.packet.ciaddr = req.ciaddr;
    r.packet.yiaddr = address;
    put_lease_time(r.packet, seconds);
    put_options(r.packet, req, params);
    r.to = reply_destination(req, r.packet);
    // A fixed address is the config's, not the lease file's (ISC records none either).
    if (fixed_address(net, client) != address) {
        Lease l;
        l.address = address;
        l.starts = l.cltt = now;
        l.ends = seconds == 0xffffffff ? Lease::never : now + seconds;
        l.binding = BindingState::active;
        l.next_binding = BindingState::free;
        l.hardware_ethernet = client.mac;
        l.uid = client.uid;
        if (const auto* name = req.find(option::host_name))
            l.client_hostname.assign(name->begin(), name->end());
        put_lease(l);
        r.lease_change = std::move(l);
    }
    drop_hold(address);
    r.request_line = line;
    r.log_line =
        "DHCPACK on " + ipv4_string(address) + " to " + client.hardware_text + via(req, rx);
    ++counters_["ack"];
    return r;
}

Reply Engine::nak(const Packet& req, const RxInfo& rx, std::uint32_t address,
                  const std::string& line) {
    Reply r;
    r.packet = reply_base(req, MessageType::nak);
    // Through a relay, the broadcast bit makes the relay broadcast the NAK on the client's link
    // (RFC 2131 4.3.2): the client's address is exactly what is wrong.
    if (req.giaddr) r.packet.flags |= broadcast_flag;
    if (const auto* relay = req.find(option::relay_agent_information))
        r.packet.set(option::relay_agent_information, *relay);
    r.to = reply_destination(req, r.packet);
    r.request_line = line;
    r.log_line = "DHCPNAK on " + ipv4_string(address) + " to " +
                 client_id(req, config_).hardware_text + via(req, rx);
    ++counters_["nak"];
    return r;
}

std::optional<Reply> Engine::nak_if_authoritative(const Packet& req, const RxInfo& rx,
                                                  const Network& net, const ClientId& client,
                                                  std::uint32_t address, const std::string& line,
                                                  const char* why) {
    // A server that is not authoritative may be wrong about the link; another may know better.
    if (effective_parameters(config_, *net.selected, nullptr, client.host, &req).authoritative)
        return nak(req, rx, address, line);
    return drop("not_authoritative", line + ": " + why + ", not authoritative");
}

std::optional<Reply> Engine::decline(const Packet& req, const RxInfo& rx, std::int64_t now) {
    auto client = client_id(req, config_);
    auto address = req.ip_option(option::requested_address).value_or(0);
    std::string line =
        "DHCPDECLINE of " + ipv4_string(address) + " from " + client.hardware_text + via(req, rx);
    if (address == 0) return drop("bad_request", line + ": no requested address");
    if (auto server = req.ip_option(option::server_identifier); server && *server != server_)
        return drop("not_for_us", line + ": for another server");
    if (is_fixed_anywhere(address)) return drop("decline_fixed", line + ": fixed address");
    auto it = leases_.find(address);
    auto held = holds_.find(address);
    bool mine = (it != leases_.end() && owned_by(it->second, client)) ||
                (held != holds_.end() && held->second.client == client.key);
    if (!mine) return drop("decline_unknown", line + ": not found");
    Reply r;
    r.send = false;
    r.lease_change = mark_abandoned(address, now);
    r.log_line = line + ": abandoned";
    ++counters_["decline"];
    return r;
}

std::optional<Lease> Engine::abandon(std::uint32_t address, std::int64_t now) {
    if (is_fixed_anywhere(address)) return std::nullopt;
    ++counters_["abandoned_by_ping"];
    return mark_abandoned(address, now);
}

Lease Engine::mark_abandoned(std::uint32_t address, std::int64_t now) {
    // Someone else answers on this address: it is never offered again until the lease ends.
    // ISC keeps it abandoned for abandon-lease-time (a day).
    Lease l;
    l.address = address;
    l.starts = l.cltt = now;
    l.ends = now + 86400;
    l.binding = BindingState::abandoned;
    l.next_binding = BindingState::free;
    put_lease(l);
    drop_hold(address);
    return l;
}

std::optional<Reply> Engine::release(const Packet& req, const RxInfo& rx, std::int64_t now) {
    auto client = client_id(req, config_);
    std::string line = "DHCPRELEASE of " + ipv4_string(req.ciaddr) + " from " +
                       client.hardware_text + via(req, rx);
    if (req.ciaddr == 0) return drop("bad_request", line + ": no ciaddr");
    if (auto server = req.ip_option(option::server_identifier); server && *server != server_)
        return drop("not_for_us", line + ": for another server");
    auto it = leases_.find(req.ciaddr);
    if (it == leases_.end() || it->second.binding != BindingState::active ||
        !owned_by(it->second, client))
        return drop("release_unknown", line + " (not found)");
    // The client's identity stays on the lease, so that it gets the same address next time.
    Lease& l = it->second;
    l.binding = BindingState::released;
    l.ends = l.cltt = now;
    Reply r;
    r.send = false;
    r.lease_change = l;
    r.log_line = line + " (found)";
    ++counters_["release"];
    return r;
}

std::optional<Reply> Engine::inform(const Packet& req, const RxInfo& rx) {
    auto client = client_id(req, config_);
    std::string line = "DHCPINFORM from " + ipv4_string(req.ciaddr) + via(req, rx);
    if (req.ciaddr == 0) return drop("bad_request", line + ": no ciaddr");
    // The client's own address names its subnet best; a relay's giaddr still wins.
    auto net = network_for(req, RxInfo{req.ciaddr});
    if (!net) net = network_for(req, rx);
    if (!net) return drop("no_subnet", line + ": unknown network segment");
    Reply r;
    r.packet = reply_base(req, MessageType::ack);
    r.packet.ciaddr = req.ciaddr;
    // No yiaddr and no lease time: the client keeps the address it has (RFC 2131 4.3.5).
    put_options(r.packet, req, params_for(req, *net, client, req.ciaddr));
    r.to = reply_destination(req, r.packet);
    r.request_line = line;
    r.log_line =
        "DHCPACK to " + ipv4_string(req.ciaddr) + " (" + client.hardware_text + ")" + via(req, rx);
    ++counters_["inform_ack"];
    return r;
}

std::optional<Reply> Engine::bootp(const Packet& req, const RxInfo& rx, std::int64_t now) {
    auto client = client_id(req, config_);
    std::string line = "BOOTREQUEST from " + client.hardware_text + via(req, rx);
    auto net = network_for(req, rx);
    if (!net) return drop("no_subnet", line + ": unknown network segment");
    auto scope = effective_parameters(config_, *net->selected, nullptr, client.host, &req);
    if (!scope.allow_booting) return drop("booting_denied", line + ": booting disallowed");
    if (!scope.allow_bootp) return drop("bootp_denied", line + ": BOOTP from dynamic client");
    if (!client.host && !scope.allow_unknown_clients)
        return drop("unknown_client", line + ": unknown client");
    // Only a fixed address or a `range dynamic-bootp` one: a BOOTP client never renews.
    auto address = choose(*net, client, req, now, true);
    if (!address) return drop("no_free_address", line + ": no available leases");
    Reply r;
    r.packet = reply_base(req, std::nullopt);
    r.packet.yiaddr = *address;
    put_options(r.packet, req, params_for(req, *net, client, *address));
    r.to = reply_destination(req, r.packet);
    if (fixed_address(*net, client) != address) {
        Lease l;
        l.address = *address;
        l.starts = l.cltt = now;
        l.ends = Lease::never;
        l.binding = BindingState::active;
        l.hardware_ethernet = client.mac;
        l.uid = client.uid;
        put_lease(l);
        r.lease_change = std::move(l);
    }
    r.request_line = line;
    r.log_line =
        "BOOTREPLY for " + ipv4_string(*address) + " to " + client.hardware_text + via(req, rx);
    ++counters_["bootreply"];
    return r;
}

} // namespace superd::dhcp
