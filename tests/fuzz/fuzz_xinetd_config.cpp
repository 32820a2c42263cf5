// libFuzzer target: the whole xinetd-format file parser, superd::daemon::load_config.
// The input is written to a file in a private temporary folder (made once per process), then
// parsed as the top-level config file.
#include "fuzz_setup.hpp"

#include "superd/config.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    superd::fuzz::local_name_lookups_only();
    superd::fuzz::ScratchFile::create("fuzz_xinetd_config: mkdtemp", "superd.conf");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // `include` and `includedir` make the parser read whatever path the input names: /dev/zero
    // or a FIFO never ends, `includedir /` walks the file system. Inputs that contain the word
    // anywhere are rejected (-1: not added to the corpus), which keeps every run finite and
    // independent of the machine. The include code is left to the unit tests.
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (text.find("include") != std::string_view::npos) return -1;
    superd::fuzz::ScratchFile::write(data, size);

    superd::common::Diagnostics diags;
    superd::daemon::Config config =
        superd::daemon::load_config(superd::fuzz::ScratchFile::path(), diags);

    using superd::daemon::SocketType;
    using superd::fuzz::require;
    std::set<std::string> ids;
    for (const auto& s : config.services) {
        // What check_entry guarantees of every service it keeps.
        require(s.socket_type == SocketType::stream || s.socket_type == SocketType::dgram,
                "a kept service has socket_type stream or dgram");
        require(s.socket_type != SocketType::dgram || s.wait,
                "a kept dgram service has wait = yes");
        require(ids.insert(s.id).second, "kept service ids are unique");
        require(!s.disable, "a kept service is not disabled");
        (void)s.argv();
        (void)s.uses_ipv6();
    }
    for (const auto& d : diags.all())
        require(!d.str().empty(), "a diagnostic has text");
    return 0;
}
