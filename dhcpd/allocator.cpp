// The address side of the engine: which link a request is on, which ranges a client may use
// (pool permits), whether an address is free, and which one to offer.
#include "dhcpd/engine.hpp"

#include <algorithm>
#include <cstdio>

namespace superd::dhcp {

namespace {

std::string hex_join(std::span<const std::uint8_t> bytes) {
    std::string out;
    char buf[4];
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::snprintf(buf, sizeof buf, i ? ":%02x" : "%02x", bytes[i]);
        out += buf;
    }
    return out;
}

// ISC's pool permits for known/unknown clients: a deny excludes; an allow admits only the
// clients it names.
bool permitted(const Pool& pool, bool known) {
    const auto& k = pool.known_clients;
    const auto& u = pool.unknown_clients;
    if (k && !k->value && known) return false;
    if (u && !u->value && !known) return false;
    bool any_allow = (k && k->value) || (u && u->value);
    if (!any_allow) return true;
    return (k && k->value && known) || (u && u->value && !known);
}

bool in_range(const Range& r, std::uint32_t address) {
    return address >= r.low && address <= r.high;
}

} // namespace

detail::ClientId client_id(const Packet& request, const Config& config) {
    detail::ClientId c;
    auto hw = request.hardware_address();
    c.hardware_text = hex_join(hw);
    if (const auto* uid = request.find(option::client_identifier); uid && !uid->empty()) {
        c.uid = *uid;
        c.key = *uid;
    } else if (!hw.empty()) {
        c.key.push_back(request.htype);
        c.key.insert(c.key.end(), hw.begin(), hw.end());
    }
    if (request.htype == 1 && hw.size() == 6) {
        MacAddress mac;
        std::copy(hw.begin(), hw.end(), mac.begin());
        c.mac = mac;
        c.host = config.host_for(mac);
    }
    return c;
}

std::optional<detail::Network> Engine::network_for(const Packet& req, const RxInfo& rx) const {
    // A relay names the client's link by giaddr; otherwise the interface the request came in
    // on does. (An INFORM's ciaddr is handled by the caller, which passes it as the link.)
    std::uint32_t link = req.giaddr ? req.giaddr : rx.interface_address;
    const Subnet* selected = link ? config_.subnet_for(link) : nullptr;
    if (!selected) return std::nullopt;
    detail::Network net;
    net.selected = selected;
    for (const Subnet& s : config_.subnets)
        if (&s == selected ||
            (selected->shared_network && s.shared_network == selected->shared_network))
            net.subnets.push_back(&s);
    for (const Subnet* s : net.subnets)
        for (const Range& r : s->ranges)
            net.candidates.push_back({&r, nullptr, s});
    for (const Pool& p : config_.pools) {
        bool ours = std::ranges::any_of(net.subnets, [&](const Subnet* s) {
            return (p.subnet && &config_.subnets[*p.subnet] == s) ||
                   (p.shared_network && s->shared_network == p.shared_network);
        });
        if (!ours) continue;
        for (const Range& r : p.ranges) {
            auto s = std::ranges::find_if(net.subnets,
                                          [&](const Subnet* s) { return s->contains(r.low); });
            if (s != net.subnets.end()) net.candidates.push_back({&r, &p, *s});
        }
    }
    return net;
}

const detail::Candidate* Engine::candidate_for(const Network& net, std::uint32_t address,
                                               const ClientId& client, bool bootp) const {
    for (const auto& c : net.candidates) {
        if (!in_range(*c.range, address)) continue;
        if (bootp && !c.range->dynamic_bootp) continue;
        if (c.pool && !permitted(*c.pool, client.host != nullptr)) continue;
        return &c;
    }
    return nullptr;
}

std::optional<std::uint32_t> Engine::fixed_address(const Network& net,
                                                   const ClientId& client) const {
    if (!client.host) return std::nullopt;
    for (std::uint32_t a : client.host->fixed_addresses)
        if (std::ranges::any_of(net.subnets, [&](const Subnet* s) { return s->contains(a); }))
            return a;
    return std::nullopt;
}

bool Engine::is_fixed_anywhere(std::uint32_t address) const {
    return fixed_.contains(address);
}

bool Engine::owned_by(const Lease& lease, const ClientId& client) const {
    // A client that sends option 61 is that identifier, whatever its chaddr (RFC 2131 4.2):
    // the same NIC under two identifiers (dhclient, then dhcpcd's DUID) is two clients.
    if (!client.uid.empty() && !lease.uid.empty()) return client.uid == lease.uid;
    return client.mac && lease.hardware_ethernet && *client.mac == *lease.hardware_ethernet;
}

bool Engine::available(std::uint32_t address, const ClientId& client, std::int64_t now) const {
    if (address == server_ || is_fixed_anywhere(address)) return false;
    if (auto h = holds_.find(address);
        h != holds_.end() && h->second.until > now && h->second.client != client.key)
        return false;
    auto it = leases_.find(address);
    if (it == leases_.end()) return true;
    const Lease& l = it->second;
    switch (l.binding) {
    case BindingState::abandoned:
        // Something answered on it: not offered until abandon-lease-time (a day, set in
        // `ends`) has passed, and then only when no never-used address is left.
        return l.ends <= now;
    case BindingState::backup:
        return false; // the failover peer's to give
    case BindingState::active:
        return l.ends <= now || owned_by(l, client);
    default:
        return true;
    }
}

bool Engine::may_have(const Network& net, const ClientId& client, std::uint32_t address,
                      std::int64_t now, bool bootp) const {
    if (auto fixed = fixed_address(net, client)) return *fixed == address;
    return candidate_for(net, address, client, bootp) && available(address, client, now);
}

namespace {

std::string owner_key(char kind, std::span<const std::uint8_t> id) {
    std::string key(1, kind);
    key.append(id.begin(), id.end());
    return key;
}

} // namespace

void Engine::put_lease(const Lease& lease) {
    auto index = [&](const Lease& l, bool add) {
        auto touch = [&](const std::string& key) {
            auto& list = owners_[key];
            if (add) {
                list.push_back(l.address);
            } else {
                std::erase(list, l.address);
                if (list.empty()) owners_.erase(key);
            }
        };
        if (!l.uid.empty()) touch(owner_key('u', l.uid));
        if (l.hardware_ethernet) touch(owner_key('m', *l.hardware_ethernet));
    };
    auto [it, fresh] = leases_.try_emplace(lease.address, lease);
    if (!fresh) {
        index(it->second, false);
        it->second = lease;
    }
    index(lease, true);
}

std::optional<std::uint32_t> Engine::current_lease(const Network& net, const ClientId& client,
                                                   std::int64_t now, bool bootp) const {
    // The addresses recorded under the client's identifier or hardware address, lowest first.
    std::vector<std::uint32_t> mine;
    auto add = [&](const std::string& key) {
        if (auto it = owners_.find(key); it != owners_.end())
            mine.insert(mine.end(), it->second.begin(), it->second.end());
    };
    if (!client.uid.empty()) add(owner_key('u', client.uid));
    if (client.mac) add(owner_key('m', *client.mac));
    std::ranges::sort(mine);
    for (std::uint32_t address : mine) {
        const Lease& lease = leases_.at(address);
        if (lease.binding != BindingState::abandoned && owned_by(lease, client) &&
            candidate_for(net, address, client, bootp) && available(address, client, now))
            return address;
    }
    return std::nullopt;
}

std::optional<std::uint32_t> Engine::choose(const Network& net, const ClientId& client,
                                            const Packet& req, std::int64_t now, bool bootp) {
    // A fixed-address host first: when the admin adds a host entry for a client that had a
    // dynamic lease, the entry is what the admin means now.
    if (auto fixed = fixed_address(net, client)) return fixed;
    if (auto mine = current_lease(net, client, now, bootp)) return mine;
    if (auto held = hold_of_.find(client.key); held != hold_of_.end()) {
        auto h = holds_.find(held->second);
        if (h != holds_.end() && h->second.until > now &&
            may_have(net, client, held->second, now, bootp))
            return held->second;
    }
    if (auto asked = req.ip_option(option::requested_address);
        asked && may_have(net, client, *asked, now, bootp))
        return asked;
    // Never-used addresses first; else the one that expired longest ago, so that a returning
    // client most likely finds its old address still unused.
    if (auto fresh = never_used(net, client, now, bootp)) return fresh;
    // Offers that lapsed but were not swept yet are never-used addresses too.
    sweep_holds(now);
    if (auto fresh = never_used(net, client, now, bootp)) return fresh;
    auto usable = [&](const detail::Candidate& c) {
        return !(bootp && !c.range->dynamic_bootp) &&
               !(c.pool && !permitted(*c.pool, client.host != nullptr));
    };
    std::optional<std::uint32_t> oldest;
    std::int64_t oldest_ends = 0;
    for (const auto& c : net.candidates) {
        if (!usable(c)) continue;
        for (std::uint64_t a = c.range->low; a <= c.range->high; ++a) {
            auto address = static_cast<std::uint32_t>(a);
            auto it = leases_.find(address);
            if (it == leases_.end() || !available(address, client, now)) continue;
            if (!oldest || it->second.ends < oldest_ends)
                oldest = address, oldest_ends = it->second.ends;
        }
    }
    return oldest;
}

std::optional<std::uint32_t> Engine::never_used(const Network& net, const ClientId& client,
                                                std::int64_t now, bool bootp) {
    // A lease record is never deleted, so each range keeps a cursor below which every address
    // was leased or offered: a fresh range costs a step per new client, not a walk over every
    // lease and offer. Offers that lapse unleased go to returned_, searched first (lowest
    // first, as a range is handed out).
    for (const auto& c : net.candidates) {
        if ((bootp && !c.range->dynamic_bootp) ||
            (c.pool && !permitted(*c.pool, client.host != nullptr)))
            continue;
        const Range& r = *c.range;
        for (auto it = returned_.lower_bound(r.low); it != returned_.end() && *it <= r.high;) {
            std::uint32_t address = *it;
            if (leases_.contains(address)) {
                it = returned_.erase(it); // leased since: not never-used any more
                continue;
            }
            if (available(address, client, now)) return address;
            ++it;
        }
        auto [cursor, fresh] = cursors_.try_emplace(&r, r.low);
        std::uint64_t a = cursor->second;
        for (; a <= r.high; ++a) {
            auto address = static_cast<std::uint32_t>(a);
            if (leases_.contains(address) || holds_.contains(address) ||
                is_fixed_anywhere(address) || address == server_)
                continue;
            break;
        }
        cursor->second = static_cast<std::uint32_t>(std::min<std::uint64_t>(a, r.high));
        if (a <= r.high) {
            auto address = static_cast<std::uint32_t>(a);
            if (available(address, client, now)) return address;
        }
    }
    return std::nullopt;
}

EffectiveParameters Engine::params_for(const Packet& req, const Network& net,
                                       const ClientId& client, std::uint32_t address) const {
    const Subnet* subnet = net.selected;
    const Pool* pool = nullptr;
    if (address) {
        for (const Subnet* s : net.subnets)
            if (s->contains(address)) subnet = s;
        if (const auto* c = candidate_for(net, address, client, false)) pool = c->pool;
    }
    return effective_parameters(config_, *subnet, pool, client.host, &req);
}

void Engine::hold(std::uint32_t address, const ClientId& client, std::int64_t now) {
    forget_holds(client);
    drop_hold(address); // an expired hold of another client's
    returned_.erase(address);
    holds_[address] = Hold{client.key, now + offer_hold_seconds};
    hold_of_[client.key] = address;
    // Offers never taken up expire by time; sweep them out now and then so memory stays bounded.
    if (++holds_since_sweep_ >= 4096) sweep_holds(now);
}

void Engine::sweep_holds(std::int64_t now) {
    holds_since_sweep_ = 0;
    for (auto it = holds_.begin(); it != holds_.end();) {
        if (it->second.until > now) {
            ++it;
            continue;
        }
        hold_of_.erase(it->second.client);
        if (!leases_.contains(it->first)) returned_.insert(it->first);
        it = holds_.erase(it);
    }
}

void Engine::forget_holds(const ClientId& client) {
    if (auto it = hold_of_.find(client.key); it != hold_of_.end()) drop_hold(it->second);
}

void Engine::drop_hold(std::uint32_t address) {
    auto it = holds_.find(address);
    if (it == holds_.end()) return;
    if (auto of = hold_of_.find(it->second.client); of != hold_of_.end() && of->second == address)
        hold_of_.erase(of);
    holds_.erase(it);
    if (!leases_.contains(address)) returned_.insert(address);
}

} // namespace superd::dhcp
