// What needs the whole parsed config: the cross-statement checks, and resolving the parameters
// in force for a client through the scope chain.
#include "dhcpd/config.hpp"
#include "dhcpd/config_tokens.hpp"
#include "dhcpd/packet.hpp"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <map>

namespace superd::dhcp {

std::string to_string(const MacAddress& mac) {
    char text[18];
    std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                  mac[3], mac[4], mac[5]);
    return text;
}

std::string ipv4_string(std::uint32_t a) {
    return std::to_string(a >> 24) + '.' + std::to_string(a >> 16 & 0xff) + '.' +
           std::to_string(a >> 8 & 0xff) + '.' + std::to_string(a & 0xff);
}

std::string_view to_string(ScopeKind kind) {
    switch (kind) {
    case ScopeKind::global:
        return "global";
    case ScopeKind::group:
        return "group";
    case ScopeKind::shared_network:
        return "shared-network";
    case ScopeKind::subnet:
        return "subnet";
    case ScopeKind::pool:
        return "pool";
    case ScopeKind::host:
        return "host";
    }
    return "?";
}

int Subnet::prefix_length() const {
    return std::popcount(netmask);
}

const OptionValue* Parameters::find_option(std::uint8_t code) const {
    auto it = std::ranges::find(options, code, &OptionValue::code);
    return it == options.end() ? nullptr : &*it;
}

const OptionValue* EffectiveParameters::find_option(std::uint8_t code) const {
    auto it = std::ranges::find(options, code, &OptionValue::code);
    return it == options.end() ? nullptr : &*it;
}

const Subnet* Config::subnet_for(std::uint32_t address) const {
    auto it = std::ranges::find_if(subnets, [&](const Subnet& s) { return s.contains(address); });
    return it == subnets.end() ? nullptr : &*it;
}

const Host* Config::host_for(const MacAddress& mac) const {
    auto it = std::ranges::find_if(hosts, [&](const Host& h) {
        return h.hardware_ethernet && h.hardware_ethernet->value == mac;
    });
    return it == hosts.end() ? nullptr : &*it;
}

namespace {

std::string subnet_text(const Subnet& s) {
    return ipv4_string(s.network) + " netmask " + ipv4_string(s.netmask);
}

std::string at(const SourceLocation& where) {
    return where.file + ":" + std::to_string(where.line);
}

// The later statement (Setting::order) of the two wins.
template <class T>
void overlay(std::optional<Setting<T>>& into, const std::optional<Setting<T>>& from) {
    if (from && (!into || from->order > into->order)) into = from;
}

void overlay(Parameters& into, const Parameters& from) {
    overlay(into.default_lease_time, from.default_lease_time);
    overlay(into.max_lease_time, from.max_lease_time);
    overlay(into.min_lease_time, from.min_lease_time);
    overlay(into.authoritative, from.authoritative);
    overlay(into.next_server, from.next_server);
    overlay(into.filename, from.filename);
    overlay(into.server_name, from.server_name);
    overlay(into.allow_booting, from.allow_booting);
    overlay(into.allow_bootp, from.allow_bootp);
    overlay(into.allow_unknown_clients, from.allow_unknown_clients);
    overlay(into.ping_check, from.ping_check);
    for (const auto& o : from.options) {
        auto same = std::ranges::find(into.options, o.code, &OptionValue::code);
        if (same == into.options.end()) {
            into.options.push_back(o);
        } else if (o.order > same->order) {
            *same = o;
        }
    }
}

// ISC's execute_statements: of each `if`, the first branch whose condition is true (null is
// not), with the `if`s inside it.
void run(const std::vector<IfStatement>& conditionals, const EvalContext& context,
         Parameters& into) {
    for (const auto& statement : conditionals) {
        for (const auto& branch : statement.branches) {
            if (branch.condition && evaluate(*branch.condition, context) != true) continue;
            overlay(into, branch.params);
            run(branch.nested, context, into);
            break;
        }
    }
}

template <class T> void inherit(T& out, const std::optional<Setting<T>>& in, bool& done) {
    if (in && !done) out = in->value, done = true;
}

// Settings from the most specific scope to the least; the first one found wins.
class Resolver {
  public:
    void add(const Parameters& p) {
        inherit(out_.default_lease_time, p.default_lease_time, set_[0]);
        inherit(out_.max_lease_time, p.max_lease_time, set_[1]);
        inherit(out_.min_lease_time, p.min_lease_time, set_[2]);
        inherit(out_.authoritative, p.authoritative, set_[3]);
        inherit(out_.allow_booting, p.allow_booting, set_[4]);
        inherit(out_.allow_bootp, p.allow_bootp, set_[5]);
        inherit(out_.allow_unknown_clients, p.allow_unknown_clients, set_[6]);
        inherit(out_.ping_check, p.ping_check, set_[7]);
        if (p.next_server && !out_.next_server) out_.next_server = p.next_server->value;
        if (p.filename && !out_.filename) out_.filename = p.filename->value;
        if (p.server_name && !out_.server_name) out_.server_name = p.server_name->value;
        for (const auto& o : p.options)
            options_.try_emplace(o.code, o);
    }
    EffectiveParameters finish(const Subnet& subnet) && {
        // ISC sends the subnet's own mask unless a scope sets option 1.
        if (!options_.contains(option::subnet_mask)) {
            OptionValue mask{"subnet-mask", option::subnet_mask, {}, subnet.where};
            for (int shift = 24; shift >= 0; shift -= 8)
                mask.value.push_back(static_cast<std::uint8_t>(subnet.netmask >> shift));
            options_.emplace(option::subnet_mask, std::move(mask));
        }
        for (auto& [code, o] : options_)
            out_.options.push_back(std::move(o));
        return std::move(out_);
    }

  private:
    EffectiveParameters out_;
    bool set_[8] = {};
    std::map<std::uint8_t, OptionValue> options_; // ordered by code
};

} // namespace

Parameters scope_parameters(const Scope& scope, const EvalContext& context) {
    Parameters out = scope.params;
    run(scope.conditionals, context, out);
    return out;
}

EffectiveParameters effective_parameters(const Config& config, const Subnet& subnet,
                                         const Pool* pool, const Host* host,
                                         const Packet* request) {
    const EvalContext context{request, host != nullptr};
    Resolver resolver;
    auto add = [&](const Scope& scope) {
        if (scope.conditionals.empty()) return resolver.add(scope.params); // no copy
        resolver.add(scope_parameters(scope, context));
    };
    // The host and the groups it sits in; a subnet around the host comes later, below the pool.
    for (auto s = host ? std::optional(host->scope) : std::nullopt; s;
         s = config.scopes[*s].parent) {
        const Scope& scope = config.scopes[*s];
        if (scope.kind != ScopeKind::host && scope.kind != ScopeKind::group) break;
        add(scope);
    }
    if (pool) add(config.scopes[pool->scope]);
    for (std::optional<std::size_t> s = subnet.scope; s; s = config.scopes[*s].parent)
        add(config.scopes[*s]);
    return std::move(resolver).finish(subnet);
}

namespace detail {

namespace {

void check_range(const Config& config, const Range& range, const Pool* pool, const Subnet* subnet,
                 common::Diagnostics& diags) {
    auto inside = [&](const Subnet& s) { return s.contains(range.low) && s.contains(range.high); };
    std::string text = "range " + ipv4_string(range.low) + " " + ipv4_string(range.high);
    if (subnet) {
        if (!inside(*subnet))
            diags.error(range.where, text + " is outside subnet " + subnet_text(*subnet));
        return;
    }
    // A pool in a shared-network: its range must be in one of that network's subnets.
    bool found = std::ranges::any_of(config.subnets, [&](const Subnet& s) {
        return s.shared_network == pool->shared_network && inside(s);
    });
    if (!found)
        diags.error(range.where, text + " is outside every subnet of shared-network '" +
                                     config.shared_networks[*pool->shared_network].name + "'");
}

} // namespace

void check_config(const Config& config, common::Diagnostics& diags) {
    const auto& subnets = config.subnets;
    for (std::size_t j = 0; j < subnets.size(); ++j) {
        for (std::size_t i = 0; i < j; ++i) {
            std::uint32_t common_mask = subnets[i].netmask & subnets[j].netmask;
            if ((subnets[i].network & common_mask) != (subnets[j].network & common_mask)) continue;
            diags.error(subnets[j].where, "subnet " + subnet_text(subnets[j]) +
                                              " overlaps subnet " + subnet_text(subnets[i]) +
                                              " at " + at(subnets[i].where));
            break;
        }
        for (const auto& r : subnets[j].ranges)
            check_range(config, r, nullptr, &subnets[j], diags);
    }
    for (const auto& pool : config.pools) {
        for (const auto& r : pool.ranges)
            check_range(config, r, &pool, pool.subnet ? &subnets[*pool.subnet] : nullptr, diags);
    }
    std::map<MacAddress, const Host*> by_mac;
    for (const auto& host : config.hosts) {
        if (host.hardware_ethernet) {
            auto [it, fresh] = by_mac.emplace(host.hardware_ethernet->value, &host);
            if (!fresh)
                diags.error(host.hardware_ethernet->where,
                            "hardware ethernet " + to_string(host.hardware_ethernet->value) +
                                " of host '" + host.name + "' is already used by host '" +
                                it->second->name + "' at " + at(it->second->where));
        }
        for (std::uint32_t address : host.fixed_addresses) {
            // A warning, as in ISC: the host may be meant for a relay network added later.
            if (config.subnet_for(address) == nullptr)
                diags.warning(host.fixed_address_where, "fixed-address " + ipv4_string(address) +
                                                            " of host '" + host.name +
                                                            "' is not in any declared subnet");
        }
    }
}

} // namespace detail

} // namespace superd::dhcp
