#pragma once
// etc/vnc.ini: the consoles superd-vncd serves, one `[console NAME]` section each, plus an
// optional `[defaults]` section whose keys every console gets unless it sets them itself.
// Parsed into plain structs; every problem goes to a Diagnostics as "file:line: message" (all
// of them, never only the first); an unknown section or key is an error that names it. No
// sockets, no processes, no logging. docs/superd-vncd.md describes every key.
//
// The result is built once and shared read-only; reload parses a new one and swaps it in only
// when it has no errors.
#include "common/address.hpp"
#include "common/diagnostics.hpp"
#include "vnc/config/password_file.hpp"

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace superd::vnc {

using common::SourceLocation;

// `shared`: what happens when a viewer connects while others are connected.
enum class SharePolicy {
    shared,   // `yes`: every viewer joins, whatever its ClientInit shared-flag says
    takeover, // `no`: RFB's rule: shared-flag 0 disconnects the others, 1 joins them
    exclusive // `exclusive`: refused while another viewer is connected
};
std::string_view to_string(SharePolicy value);

// `restart`: what happens when the command exits.
enum class RestartPolicy {
    never,     // the console stays down; viewers see the last screen
    always,    // started again after restart_delay
    on_failure // started again only after a non-zero exit status or a signal
};
std::string_view to_string(RestartPolicy value);

inline constexpr int min_columns = 10;
inline constexpr int max_columns = 400;
inline constexpr int min_rows = 5;
inline constexpr int max_rows = 200;
inline constexpr std::uint16_t display_base_port = 5900;

struct ConsoleConfig {
    std::string name;                 // [console NAME]: [A-Za-z0-9_.-]+, unique
    std::vector<std::string> command; // argv for execvp; never empty in a clean config
    int columns = 80;                 // geometry
    int rows = 25;                    //
    std::optional<std::string> font;  // a .psf/.psf.gz path; none: the built-in font
    common::IpAddress listen_address = common::IpAddress::v4(0x7F000001); // standalone
    std::optional<std::uint16_t> port; // port, display or listen; none: only handed over
    SharePolicy shared = SharePolicy::shared;
    std::optional<std::string> password_file;          // none: no authentication
    std::optional<std::string> viewonly_password_file; // its first block: view-only
    std::optional<std::string> tls_cert;               // both or neither
    std::optional<std::string> tls_key;                //
    bool tls_only = false;                             // refuse every non-TLS security type
    RestartPolicy restart = RestartPolicy::always;
    std::chrono::seconds restart_delay{1};
    std::string title;                        // the desktop name; defaults to `name`
    int max_viewers = 16;                     // viewers connected at once
    std::uint32_t clipboard_max = 256 * 1024; // bytes of cut text, each way; 0: no clipboard
    // Every byte the command writes to the pty, appended as received (before the terminal
    // emulation), like conserver's logfile; none: no log.
    std::optional<std::string> log;

    SourceLocation where; // the [console NAME] line
    // Where each key that is set came from: the console's own line, else the [defaults] line.
    std::vector<std::pair<std::string, SourceLocation>> set_at;
    // The line that set `key`; the [console NAME] line when the key has its built-in default.
    SourceLocation where_of(std::string_view key) const;
    bool is_set(std::string_view key) const;
};

struct VncConfig {
    std::vector<ConsoleConfig> consoles; // in file order
    // The console named `name`, or nullptr.
    const ConsoleConfig* find(std::string_view name) const;
    // The console listening on `port` (standalone or handed over by superd), or nullptr.
    const ConsoleConfig* find_by_port(std::uint16_t port) const;
};

// The passwords the console accepts: password_file's (its second block, if any, the view-only
// one), with viewonly_password_file's first block as the view-only password when that is set.
// nullopt: no password_file, no authentication. Error: "PATH: reason".
std::expected<std::optional<Passwords>, std::string>
read_console_passwords(const ConsoleConfig& console);

// Parses `text` as the contents of the file `file`: diagnostics name `file`, and relative paths
// in it are taken relative to the file's folder. Never throws for bad input.
VncConfig parse_config(std::string_view text, const std::string& file, common::Diagnostics& diags);

// Reads the file at `path` and parses it; then, for a config without errors, checks what the
// consoles name on disk: the password files are readable vncpasswd files, the TLS files and
// fonts readable, the folder of each console log exists. The config is usable only when
// !diags.has_errors().
VncConfig load_config(const std::string& path, common::Diagnostics& diags);

} // namespace superd::vnc
