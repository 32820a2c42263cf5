// libFuzzer target: the ISC dhcpd.conf parser, superd::dhcp::load_config. The input is written
// to a file in a private temporary folder (made once per process), then parsed as the top-level
// config file, and the parsed structs are checked against what the parser promises.
#include "fuzz_setup.hpp"

#include "dhcpd/config.hpp"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    superd::fuzz::ScratchFile::create("fuzz_dhcpd_config: mkdtemp", "dhcpd.conf");
    return 0;
}

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
    }
    for (const auto& pool : config.pools)
        require(pool.subnet.has_value() != pool.shared_network.has_value(),
                "a pool is in exactly one of a subnet or a shared-network");
    for (const auto& scope : config.scopes)
        for (const auto& o : scope.params.options)
            require(o.value.size() <= 1020 && o.code != 0 && o.code != 255,
                    "an option is bounded and has a real code");
    for (const auto& d : diags.all())
        require(!d.str().empty() && d.where.line >= 0, "a diagnostic has text");
    return 0;
}
