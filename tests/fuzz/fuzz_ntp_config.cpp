// libFuzzer target: the ntp.conf parser, superd::ntp::load_config, and the restrict table built
// from what it returns; and the same bytes as an ntp.keys file (parse_keys). The input is written
// to a file in a private temporary folder (made once per process), then parsed as the top-level
// config file, and the parsed structs are checked against what the parser promises.
#include "fuzz_setup.hpp"

#include "ntpd/config.hpp"
#include "ntpd/keys.hpp"
#include "ntpd/restrict.hpp"

#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    superd::fuzz::ScratchFile::create("fuzz_ntp_config: mkdtemp", "ntp.conf");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // `includefile` makes the parser read whatever path the input names (/dev/zero never ends),
    // so inputs containing the word are rejected (-1: not added to the corpus); the unit tests
    // cover includes.
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (text.find("include") != std::string_view::npos) return -1;
    superd::fuzz::ScratchFile::write(data, size);

    superd::common::Diagnostics diags;
    superd::ntp::Config config = superd::ntp::load_config(superd::fuzz::ScratchFile::path(), diags);
    const bool clean = !diags.has_errors();

    using superd::fuzz::require;
    using namespace superd::ntp;
    for (const auto& s : config.servers) {
        require(!s.address.empty(), "a server has an address");
        require(s.minpoll >= 3 && s.minpoll <= 17 && s.maxpoll >= 3 && s.maxpoll <= 17,
                "poll bounds are in 3..17");
        require(!clean || s.minpoll <= s.maxpoll, "a clean config has minpoll <= maxpoll");
        require(s.version >= 1 && s.version <= 4, "a version is 1..4");
        require(!s.key || (*s.key >= 1 && *s.key <= 65535), "a key is 1..65535");
        require(!s.fudge || s.is_local_clock(), "only the local clock has a fudge");
        if (s.fudge) {
            require(!s.fudge->stratum || (*s.fudge->stratum >= 0 && *s.fudge->stratum <= 15),
                    "a fudge stratum is 0..15");
            require(!s.fudge->refid || (!s.fudge->refid->empty() && s.fudge->refid->size() <= 4),
                    "a refid is 1..4 characters");
        }
        require(!s.is_local_clock() || s.kind == ServerKind::server, "the local clock is a server");
    }
    for (const auto& r : config.restricts) {
        require(!(r.is_default && r.is_source), "an entry is default or source, not both");
        if (r.is_default || r.is_source) continue;
        const auto& network = r.network.network();
        require(network.is_v4() == (r.family == Family::ipv4), "an address entry has its family");
        require(r.network.prefix_len() >= 0 &&
                    r.network.prefix_len() <= (network.is_v4() ? 32 : 128),
                "a prefix fits its family");
        require(superd::common::Cidr(network, r.network.prefix_len()) == r.network,
                "an address entry has no host bits");
    }
    for (const auto& k : config.trusted_keys)
        require(k.first >= 1 && k.first <= k.last && k.last <= 65535, "a key range is ordered");
    if (clean) {
        int minclock = config.tos.minclock ? config.tos.minclock->value : 3;
        int maxclock = config.tos.maxclock ? config.tos.maxclock->value : 10;
        require(minclock <= maxclock, "a clean config has minclock <= maxclock");
    }

    // The table answers for every entry's own address; a host entry's flags are always part of
    // its answer (nothing is more specific than a host, and equal entries merge).
    RestrictTable table = RestrictTable::from_config(config);
    for (const auto& r : config.restricts) {
        if (r.is_default || r.is_source) continue;
        RestrictFlags got = table.match(r.network.network(), 123);
        int host = r.network.network().is_v4() ? 32 : 128;
        if (r.network.prefix_len() == host)
            require((got.bits & r.flags.bits) == r.flags.bits, "a host entry's flags apply");
    }
    for (const auto& d : diags.all())
        require(!d.str().empty() && d.where.line >= 0, "a diagnostic has text");

    // A keys file: every key kept has an id in range and a secret of its type's length.
    superd::common::Diagnostics key_diags;
    KeyTable keys = parse_keys(text, "ntp.keys", key_diags);
    for (const auto& [id, key] : keys.all()) {
        require(id >= 1 && id <= max_key_id && key.id == id, "a key id is 1..65535");
        require(!key.secret.empty() && key.secret.size() <= max_key_bytes, "a secret fits");
        require(key.type != KeyType::aes128_cmac || key.secret.size() == aes128_key_bytes,
                "an AES-CMAC key has 16 bytes");
    }
    return 0;
}
