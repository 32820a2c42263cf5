#pragma once
// The ISC dhcpd.conf subset superd-dhcpd understands (dhcpd.conf(5), dhcp-options(5)), parsed
// into plain structs. Every statement keeps its file:line; every problem goes to a Diagnostics
// (all of them, never only the first). No sockets, no logging: the daemon decides what to print.
//
// The result is meant to be built once and then shared read-only (e.g. shared_ptr<const Config>):
// reload parses a new one and swaps it in only when it has no errors.
#include "common/diagnostics.hpp"
#include "dhcpd/expression.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::dhcp {

using common::SourceLocation;

// A value and the statement that set it. `order` numbers the statements of the whole config in
// the order they were read: within a scope, the later of two statements wins, whether one of
// them sits in an `if` or not.
template <class T> struct Setting {
    T value{};
    SourceLocation where;
    std::uint32_t order = 0;
};

using MacAddress = std::array<std::uint8_t, 6>;
std::string to_string(const MacAddress& mac); // "aa:bb:cc:dd:ee:ff"
std::string ipv4_string(std::uint32_t host_order);

// One `option NAME VALUE;` already in wire form: the code and the value bytes as they go into
// Packet::set (without the length byte, which the packet encoder writes).
struct OptionValue {
    std::string name; // as written in the config
    std::uint8_t code = 0;
    std::vector<std::uint8_t> value;
    SourceLocation where;
    std::uint32_t order = 0; // as Setting::order
};

// The parameters one scope sets itself; unset means "inherit from the enclosing scope".
struct Parameters {
    std::optional<Setting<std::uint32_t>> default_lease_time, max_lease_time, min_lease_time;
    std::optional<Setting<bool>> authoritative;
    std::optional<Setting<std::uint32_t>> next_server; // host byte order
    std::optional<Setting<std::string>> filename, server_name;
    std::optional<Setting<bool>> allow_booting, allow_bootp;
    // `allow|deny unknown-clients;` outside a pool (ISC's boot-unknown-clients).
    std::optional<Setting<bool>> allow_unknown_clients;
    std::optional<Setting<bool>> ping_check;
    std::vector<OptionValue> options; // one per code; a later statement replaces an earlier one

    const OptionValue* find_option(std::uint8_t code) const;
};

enum class ScopeKind { global, group, shared_network, subnet, pool, host };
std::string_view to_string(ScopeKind kind);

struct IfStatement;

// One branch of an `if`: `if` and `elsif` have a condition, `else` has none.
struct Branch {
    std::optional<Expression> condition;
    Parameters params;               // what the branch sets
    std::vector<IfStatement> nested; // the `if`s inside it
    SourceLocation where;
};

// `if C { } elsif C { } else { }`: the first branch whose condition is true is run.
struct IfStatement {
    std::vector<Branch> branches;
    SourceLocation where;
};

struct Scope {
    ScopeKind kind = ScopeKind::global;
    std::optional<std::size_t> parent; // index into Config::scopes; none for the global scope
    Parameters params;                 // the statements outside any `if`
    std::vector<IfStatement> conditionals;
};

struct Range {
    std::uint32_t low = 0, high = 0; // host byte order, low <= high
    bool dynamic_bootp = false;
    SourceLocation where;
};

struct SharedNetwork {
    std::string name;
    std::size_t scope = 0;
    SourceLocation where;
};

struct Subnet {
    std::uint32_t network = 0, netmask = 0; // host byte order; network has no host bits
    std::size_t scope = 0;
    std::optional<std::size_t> shared_network; // index into Config::shared_networks
    std::vector<Range> ranges;                 // those outside any pool
    SourceLocation where;

    bool contains(std::uint32_t address) const { return (address & netmask) == network; }
    int prefix_length() const;
};

struct Pool {
    std::size_t scope = 0;
    // Exactly one is set: the subnet or the shared-network the pool is declared in.
    std::optional<std::size_t> subnet, shared_network;
    std::vector<Range> ranges;
    // `allow|deny unknown-clients;` / `allow|deny known-clients;` (unset: anyone).
    std::optional<Setting<bool>> unknown_clients, known_clients;
    SourceLocation where;
};

struct Host {
    std::string name;
    std::size_t scope = 0;
    std::optional<std::size_t> subnet; // when declared inside a subnet
    std::optional<Setting<MacAddress>> hardware_ethernet;
    std::vector<std::uint32_t> fixed_addresses; // host byte order
    SourceLocation fixed_address_where;
    SourceLocation where;
};

struct Config {
    std::vector<Scope> scopes; // scopes[0] is the global scope
    std::vector<SharedNetwork> shared_networks;
    std::vector<Subnet> subnets;
    std::vector<Pool> pools;
    std::vector<Host> hosts;
    std::optional<Setting<std::string>> log_facility;
    std::optional<Setting<std::string>> ddns_update_style; // only "none" is accepted

    const Parameters& global() const { return scopes.front().params; }
    const Subnet* subnet_for(std::uint32_t address) const;
    const Host* host_for(const MacAddress& mac) const;
};

// The parameters in force for a client, most specific first: host (and the groups it is in) >
// pool > subnet > shared-network (and groups around them) > global, as ISC dhcpd resolves them.
// Unset values take ISC's defaults; subnet-mask (option 1) defaults to the subnet's netmask.
// The `if`s of each scope are evaluated against `request` (none: every option is missing).
struct EffectiveParameters {
    std::uint32_t default_lease_time = 43200;
    std::uint32_t max_lease_time = 86400;
    std::uint32_t min_lease_time = 0;
    bool authoritative = false;
    std::optional<std::uint32_t> next_server;
    std::optional<std::string> filename, server_name;
    bool allow_booting = true, allow_bootp = true, allow_unknown_clients = true;
    bool ping_check = true;
    std::vector<OptionValue> options; // sorted by code, one per code

    const OptionValue* find_option(std::uint8_t code) const;
};
EffectiveParameters effective_parameters(const Config& config, const Subnet& subnet,
                                         const Pool* pool = nullptr, const Host* host = nullptr,
                                         const Packet* request = nullptr);

// What one scope sets for this request: its statements, and those of the `if` branches taken,
// the later statement winning.
Parameters scope_parameters(const Scope& scope, const EvalContext& context);

// Parses the file at `path` and what it includes (relative to the including file). Errors and
// warnings go to diags as "file:line: message"; the config is usable only when
// !diags.has_errors(). Never throws for bad input.
Config load_config(const std::string& path, common::Diagnostics& diags);

} // namespace superd::dhcp
