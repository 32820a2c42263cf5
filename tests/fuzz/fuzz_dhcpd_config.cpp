// libFuzzer target: the ISC dhcpd.conf parser, superd::dhcp::load_config. The input is written
// to a file in a private temporary folder (made once per process), then parsed as the top-level
// config file, and the parsed structs are checked against what the parser promises.
#include "fuzz_setup.hpp"

#include "dhcpd/config.hpp"
#include "dhcpd/packet.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    superd::fuzz::ScratchFile::create("fuzz_dhcpd_config: mkdtemp", "dhcpd.conf");
    return 0;
}

namespace {

// Requests the parsed `if`s are evaluated against: none, a bare one, and PXE firmware / iPXE
// with the options conditions usually read (60, 77, 93, 12, 61).
std::vector<superd::dhcp::Packet> requests() {
    using superd::dhcp::Packet;
    std::vector<Packet> out(3);
    out[1].set(60, {'P', 'X', 'E', 'C', 'l', 'i', 'e', 'n', 't', ':', 'A', 'r', 'c', 'h'});
    out[1].set(93, {0x00, 0x07});
    out[2].set(77, {'i', 'P', 'X', 'E'});
    out[2].set(12, {'h'});
    out[2].set(61, {1, 2, 0, 0, 0x99, 0, 1});
    out[2].hlen = 16; // the longest hardware address
    return out;
}

void check_options(const superd::dhcp::Parameters& p) {
    for (const auto& o : p.options)
        superd::fuzz::require(o.value.size() <= 1020 && o.code != 0 && o.code != 255,
                              "an option is bounded and has a real code");
}

void check_branches(const std::vector<superd::dhcp::IfStatement>& conditionals) {
    for (const auto& statement : conditionals) {
        superd::fuzz::require(!statement.branches.empty(), "an if has a branch");
        for (std::size_t i = 0; i < statement.branches.size(); ++i) {
            const auto& b = statement.branches[i];
            superd::fuzz::require(b.condition || i + 1 == statement.branches.size(),
                                  "only the last branch may be an else");
            if (b.condition)
                superd::fuzz::require(!b.condition->nodes.empty() &&
                                          b.condition->nodes.size() <= 256,
                                      "a condition is bounded");
            check_options(b.params);
            check_branches(b.nested);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // `include` makes the parser read whatever path the input names (/dev/zero never ends), so
    // inputs containing the word are rejected (-1: not added to the corpus); the unit tests
    // cover includes.
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (text.find("include") != std::string_view::npos) return -1;
    superd::fuzz::ScratchFile::write(data, size);

    superd::common::Diagnostics diags;
    superd::dhcp::Config config =
        superd::dhcp::load_config(superd::fuzz::ScratchFile::path(), diags);

    using superd::dhcp::ScopeKind;
    using superd::fuzz::require;
    require(!config.scopes.empty() && config.scopes[0].kind == ScopeKind::global,
            "scope 0 is the global scope");
    for (std::size_t i = 1; i < config.scopes.size(); ++i)
        require(config.scopes[i].parent && *config.scopes[i].parent < i,
                "every other scope has an earlier parent");
    for (const auto& s : config.subnets) {
        require((s.network & ~s.netmask) == 0, "a subnet has no host bits");
        require(((~s.netmask) & (~s.netmask + 1)) == 0, "a netmask is contiguous");
        require(s.scope < config.scopes.size() && config.scopes[s.scope].kind == ScopeKind::subnet,
                "a subnet owns a subnet scope");
        for (const auto& r : s.ranges)
            require(r.low <= r.high, "a range is ordered");
        // Resolving must work for every subnet, with and without a host or pool.
        auto e = superd::dhcp::effective_parameters(config, s);
        require(e.find_option(1) != nullptr, "option 1 is always resolved");
        for (const auto& pool : config.pools)
            (void)superd::dhcp::effective_parameters(config, s, &pool);
        for (const auto& host : config.hosts)
            (void)superd::dhcp::effective_parameters(config, s, nullptr, &host);
        static const auto packets = requests();
        for (const auto& request : packets) {
            const auto* host = config.hosts.empty() ? nullptr : &config.hosts.front();
            const auto* pool = config.pools.empty() ? nullptr : &config.pools.front();
            auto r = superd::dhcp::effective_parameters(config, s, pool, host, &request);
            require(r.find_option(1) != nullptr, "option 1 is resolved with a request too");
        }
    }
    for (const auto& pool : config.pools)
        require(pool.subnet.has_value() != pool.shared_network.has_value(),
                "a pool is in exactly one of a subnet or a shared-network");
    for (const auto& scope : config.scopes) {
        check_options(scope.params);
        check_branches(scope.conditionals);
    }
    for (const auto& d : diags.all())
        require(!d.str().empty() && d.where.line >= 0, "a diagnostic has text");
    return 0;
}
