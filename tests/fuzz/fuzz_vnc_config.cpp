// libFuzzer target: the vnc.ini parser, superd::vnc::parse_config, on arbitrary text (NUL
// bytes, long lines and broken sections included). It reads no file: the text is parsed as
// "/etc/superd/vnc.ini" in memory, and the structs are checked against what the parser
// promises. load_config adds only file reads (covered by the unit tests).
#include "fuzz_setup.hpp"

#include "vnc/config/config.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace superd::vnc;
    using superd::fuzz::require;
    std::string_view text(reinterpret_cast<const char*>(data), size);

    superd::common::Diagnostics diags;
    VncConfig config = parse_config(text, "/etc/superd/vnc.ini", diags);
    const bool clean = !diags.has_errors();

    for (const auto& d : diags.all())
        require(!d.message.empty() && d.where.file == "/etc/superd/vnc.ini" && d.where.line >= 0,
                "a diagnostic names the file and has text");
    require(clean || diags.error_count() > 0, "errors are counted");
    require(!clean || !config.consoles.empty(), "a clean config has a console");

    std::set<std::string> names;
    std::set<std::uint16_t> ports;
    std::set<std::string> logs;
    for (const ConsoleConfig& c : config.consoles) {
        require(!c.name.empty() && c.where.line > 0, "a console has a name and a line");
        require(names.insert(c.name).second, "console names are unique");
        require(config.find(c.name) == &c, "find returns the console");
        require(c.columns >= min_columns && c.columns <= max_columns && c.rows >= min_rows &&
                    c.rows <= max_rows,
                "the geometry is within the limits");
        require(c.max_viewers >= 1 && c.clipboard_max <= 64u * 1024 * 1024, "limits in range");
        require(c.title.size() <= 255, "a title fits RFB's desktop name");
        for (const auto& [key, where] : c.set_at)
            require(where.line > 0 && c.is_set(key), "a set key has its line");
        if (c.port) {
            require(*c.port != 0, "a port is 1..65535");
            require(!clean || ports.insert(*c.port).second, "a clean config's ports are unique");
            require(!clean || config.find_by_port(*c.port) == &c, "find_by_port finds it");
        }
        if (!clean) continue;
        require(!c.command.empty(), "a clean console has a command");
        require(c.tls_cert.has_value() == c.tls_key.has_value(), "TLS files come in pairs");
        require(!c.tls_only || c.tls_cert.has_value(), "tls_only has TLS files");
        require(!c.viewonly_password_file || c.password_file, "view-only needs full access");
        require(!c.log || (!c.log->empty() && logs.insert(*c.log).second),
                "a clean config's logs are named and unique");
    }
    return 0;
}
