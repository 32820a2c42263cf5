// etc/vnc.ini: sections, the keys of a console, [defaults], and the checks across keys and
// consoles. The INI syntax is ini_file.cpp's, the values' syntax config_values.cpp's.
#include "vnc/config/config.hpp"

#include "vnc/config/command_line.hpp"
#include "vnc/config/config_values.hpp"
#include "vnc/config/ini_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <sys/stat.h>
#include <unistd.h>

namespace superd::vnc {

using detail::quote;

namespace {

std::string where_text(const SourceLocation& where) {
    return "line " + std::to_string(where.line);
}

bool valid_console_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::ranges::all_of(name, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '.' || c == '-';
    });
}

// Applies the keys of one section ([defaults] or a console's) to a ConsoleConfig.
class KeyApplier {
  public:
    KeyApplier(ConsoleConfig& console, bool in_defaults, const std::string& file,
               common::Diagnostics& diags)
        : console_(console)
        , in_defaults_(in_defaults)
        , file_(file)
        , diags_(diags) {}

    void apply(const IniEntry& entry);

  private:
    using Handler = void (KeyApplier::*)(const IniEntry&);
    struct Key {
        std::string_view name;
        bool console_only; // meaningless in [defaults]: one value per console
        Handler handler;
    };
    static const Key keys[];

    void error(const IniEntry& entry, std::string message) {
        diags_.error(entry.where, std::move(message));
    }
    void record(const IniEntry& entry);
    // The port comes from one key only: port, display or listen's ADDR:PORT.
    void set_port(const IniEntry& entry, long long port);
    std::string path(const IniEntry& entry) const {
        return detail::relative_to_file(file_, entry.value);
    }

    void command(const IniEntry& e);
    void geometry(const IniEntry& e);
    void font(const IniEntry& e);
    void port(const IniEntry& e);
    void display(const IniEntry& e);
    void listen(const IniEntry& e);
    void shared(const IniEntry& e);
    void password_file(const IniEntry& e) { console_.password_file = path(e); }
    void viewonly_password_file(const IniEntry& e) { console_.viewonly_password_file = path(e); }
    void tls_cert(const IniEntry& e) { console_.tls_cert = path(e); }
    void tls_key(const IniEntry& e) { console_.tls_key = path(e); }
    void tls_only(const IniEntry& e);
    void restart(const IniEntry& e);
    void restart_delay(const IniEntry& e);
    void title(const IniEntry& e);
    void max_viewers(const IniEntry& e);
    void clipboard_max(const IniEntry& e);
    void log(const IniEntry& e) { console_.log = path(e); }

    ConsoleConfig& console_;
    bool in_defaults_;
    const std::string& file_;
    common::Diagnostics& diags_;
    std::map<std::string, SourceLocation, std::less<>> seen_; // keys of this section
    std::optional<IniEntry> port_from_;
};

const KeyApplier::Key KeyApplier::keys[] = {
    {"command", true, &KeyApplier::command},
    {"geometry", false, &KeyApplier::geometry},
    {"font", false, &KeyApplier::font},
    {"port", true, &KeyApplier::port},
    {"display", true, &KeyApplier::display},
    {"listen", false, &KeyApplier::listen},
    {"shared", false, &KeyApplier::shared},
    {"password_file", false, &KeyApplier::password_file},
    {"viewonly_password_file", false, &KeyApplier::viewonly_password_file},
    {"tls_cert", false, &KeyApplier::tls_cert},
    {"tls_key", false, &KeyApplier::tls_key},
    {"tls_only", false, &KeyApplier::tls_only},
    {"restart", false, &KeyApplier::restart},
    {"restart_delay", false, &KeyApplier::restart_delay},
    {"title", true, &KeyApplier::title},
    {"max_viewers", false, &KeyApplier::max_viewers},
    {"clipboard_max", false, &KeyApplier::clipboard_max},
    {"log", true, &KeyApplier::log}, // one file per console: two would interleave
};

void KeyApplier::apply(const IniEntry& entry) {
    const Key* key = std::ranges::find(keys, entry.key, &Key::name);
    if (key == std::end(keys)) {
        error(entry, "unknown key " + quote(entry.key) +
                         (in_defaults_ ? " in [defaults]" : " in [console " + console_.name + "]"));
        return;
    }
    if (auto [at, fresh] = seen_.try_emplace(entry.key, entry.where); !fresh) {
        error(entry,
              "duplicate key " + quote(entry.key) + " (first at " + where_text(at->second) + ")");
        return;
    }
    if (in_defaults_ && key->console_only) {
        error(entry, quote(entry.key) + " cannot be in [defaults]: it is one console's own");
        return;
    }
    if (entry.value.empty() && entry.key != "title") {
        error(entry, quote(entry.key) + " needs a value");
        return;
    }
    record(entry);
    (this->*key->handler)(entry);
}

void KeyApplier::record(const IniEntry& entry) {
    auto at = std::ranges::find(console_.set_at, entry.key,
                                &std::pair<std::string, SourceLocation>::first);
    if (at != console_.set_at.end())
        at->second = entry.where; // the console's own line replaces the [defaults] one
    else
        console_.set_at.emplace_back(entry.key, entry.where);
}

void KeyApplier::command(const IniEntry& e) {
    if (auto argv = split_command(e.value))
        console_.command = std::move(*argv);
    else
        error(e, argv.error());
    // A program named by a relative path with a '/' is the config's neighbour; a bare name is
    // looked up in PATH when it is started.
    if (!console_.command.empty()) {
        std::string& program = console_.command.front();
        if (program.find('/') != std::string::npos)
            program = detail::relative_to_file(file_, program);
    }
}

void KeyApplier::geometry(const IniEntry& e) {
    if (auto g = detail::parse_geometry(e.value)) {
        console_.columns = g->columns;
        console_.rows = g->rows;
    } else {
        error(e, g.error());
    }
}

void KeyApplier::font(const IniEntry& e) {
    if (e.value == "builtin") {
        console_.font.reset();
    } else if (e.value.ends_with(".psf") || e.value.ends_with(".psf.gz")) {
        console_.font = path(e);
    } else {
        error(e, "font " + quote(e.value) +
                     " is not a PC Screen Font file (.psf or .psf.gz) nor 'builtin'");
    }
}

void KeyApplier::set_port(const IniEntry& entry, long long port) {
    if (port_from_) {
        error(entry, quote(entry.key) + " and " + quote(port_from_->key) + " both set the port (" +
                         port_from_->key + " at " + where_text(port_from_->where) + "); keep one");
        return;
    }
    port_from_ = entry;
    console_.port = static_cast<std::uint16_t>(port);
}

void KeyApplier::port(const IniEntry& e) {
    if (auto port = detail::parse_integer("port", e.value, 1, 65535))
        set_port(e, *port);
    else
        error(e, port.error());
}

void KeyApplier::display(const IniEntry& e) {
    if (auto display = detail::parse_integer("display", e.value, 0, 65535 - display_base_port))
        set_port(e, display_base_port + *display);
    else
        error(e, display.error());
}

void KeyApplier::listen(const IniEntry& e) {
    auto listen = detail::parse_listen(e.value);
    if (!listen) {
        error(e, listen.error());
        return;
    }
    console_.listen_address = listen->address;
    if (listen->port && in_defaults_)
        error(e, "'listen' in [defaults] takes an address only: a port is one console's own");
    else if (listen->port)
        set_port(e, *listen->port);
}

void KeyApplier::shared(const IniEntry& e) {
    if (e.value == "yes")
        console_.shared = SharePolicy::shared;
    else if (e.value == "no")
        console_.shared = SharePolicy::takeover;
    else if (e.value == "exclusive")
        console_.shared = SharePolicy::exclusive;
    else
        error(e, "'shared' is yes, no or exclusive, not " + quote(e.value));
}

void KeyApplier::tls_only(const IniEntry& e) {
    if (auto value = detail::parse_yes_no("tls_only", e.value))
        console_.tls_only = *value;
    else
        error(e, value.error());
}

void KeyApplier::restart(const IniEntry& e) {
    if (e.value == "never")
        console_.restart = RestartPolicy::never;
    else if (e.value == "always")
        console_.restart = RestartPolicy::always;
    else if (e.value == "on-failure")
        console_.restart = RestartPolicy::on_failure;
    else
        error(e, "'restart' is never, always or on-failure, not " + quote(e.value));
}

void KeyApplier::restart_delay(const IniEntry& e) {
    if (auto seconds = detail::parse_integer("restart_delay", e.value, 0, 3600))
        console_.restart_delay = std::chrono::seconds(*seconds);
    else
        error(e, seconds.error());
}

void KeyApplier::title(const IniEntry& e) {
    if (e.value.size() > 255)
        error(e, "'title' is longer than 255 bytes");
    else
        console_.title = e.value;
}

void KeyApplier::max_viewers(const IniEntry& e) {
    if (auto n = detail::parse_integer("max_viewers", e.value, 1, 1000))
        console_.max_viewers = static_cast<int>(*n);
    else
        error(e, n.error());
}

void KeyApplier::clipboard_max(const IniEntry& e) {
    if (auto bytes = detail::parse_size("clipboard_max", e.value, 64 * 1024 * 1024))
        console_.clipboard_max = static_cast<std::uint32_t>(*bytes);
    else
        error(e, bytes.error());
}

bool is_loopback(const common::IpAddress& address) {
    common::IpAddress a = address.unmapped();
    if (a.is_v4()) return (a.v4_host_order() >> 24) == 127;
    return a == *common::IpAddress::parse("::1");
}

// What needs several keys of one console (after [defaults] and its own keys).
void check_console(const ConsoleConfig& c, common::Diagnostics& diags) {
    if (!c.is_set("command"))
        diags.error(c.where, "console " + quote(c.name) + " has no 'command'");
    if (c.is_set("tls_cert") != c.is_set("tls_key")) {
        const char* set = c.is_set("tls_cert") ? "tls_cert" : "tls_key";
        const char* missing = c.is_set("tls_cert") ? "tls_key" : "tls_cert";
        diags.error(c.where_of(set), "console " + quote(c.name) + ": " + set + " without " +
                                         missing + " (both or neither)");
    }
    if (c.tls_only && !c.is_set("tls_cert") && !c.is_set("tls_key"))
        diags.error(c.where_of("tls_only"),
                    "console " + quote(c.name) + ": tls_only needs tls_cert and tls_key");
    if (c.is_set("viewonly_password_file") && !c.is_set("password_file"))
        diags.error(c.where_of("viewonly_password_file"),
                    "console " + quote(c.name) +
                        ": viewonly_password_file needs a password_file (full access) too");
    if (c.port && !c.password_file && !is_loopback(c.listen_address))
        diags.warning(c.where, "console " + quote(c.name) + " listens on " +
                                   c.listen_address.str() +
                                   " without a password_file: whoever reaches port " +
                                   std::to_string(*c.port) + " gets the console");
}

class ConfigBuilder {
  public:
    ConfigBuilder(const std::string& file, common::Diagnostics& diags)
        : file_(file)
        , diags_(diags) {}

    VncConfig build(const std::vector<IniSection>& sections) && {
        std::vector<const IniSection*> consoles;
        const IniSection* defaults = nullptr;
        std::map<std::string, SourceLocation, std::less<>> names;
        for (const IniSection& section : sections) {
            std::vector<std::string> words = common_words(section.header);
            if (words.size() == 1 && words[0] == "defaults") {
                if (defaults != nullptr)
                    diags_.error(section.where, "duplicate section [defaults] (first at " +
                                                    where_text(defaults->where) + ")");
                else
                    defaults = &section;
            } else if (!words.empty() && words[0] == "console") {
                if (words.size() != 2 || !valid_console_name(words[1])) {
                    diags_.error(section.where,
                                 "invalid section [" + section.header +
                                     "]: expected [console NAME], NAME of letters, digits, "
                                     "'_', '.' and '-' (at most 64)");
                } else if (auto [at, fresh] = names.try_emplace(words[1], section.where); !fresh) {
                    diags_.error(section.where, "duplicate console " + quote(words[1]) +
                                                    " (first at " + where_text(at->second) + ")");
                } else {
                    consoles.push_back(&section);
                }
            } else {
                diags_.error(section.where, "unknown section [" + section.header +
                                                "]: expected [console NAME] or [defaults]");
            }
        }

        ConsoleConfig base;
        if (defaults != nullptr) {
            KeyApplier applier(base, true, file_, diags_);
            for (const IniEntry& entry : defaults->entries)
                applier.apply(entry);
        }
        VncConfig config;
        for (const IniSection* section : consoles)
            config.consoles.push_back(build_console(base, *section));
        check_ports(config);
        check_logs(config);
        if (config.consoles.empty() && names.empty())
            diags_.error({file_, 0}, "no [console NAME] section: nothing to serve");
        return config;
    }

  private:
    static std::vector<std::string> common_words(std::string_view text) {
        std::vector<std::string> words;
        std::size_t i = 0;
        while (i < text.size()) {
            if (text[i] == ' ' || text[i] == '\t') {
                ++i;
                continue;
            }
            std::size_t end = text.find_first_of(" \t", i);
            if (end == std::string_view::npos) end = text.size();
            words.emplace_back(text.substr(i, end - i));
            i = end;
        }
        return words;
    }

    ConsoleConfig build_console(const ConsoleConfig& base, const IniSection& section) {
        ConsoleConfig console = base;
        console.name = common_words(section.header)[1];
        console.where = section.where;
        KeyApplier applier(console, false, file_, diags_);
        for (const IniEntry& entry : section.entries)
            applier.apply(entry);
        if (!console.is_set("title")) console.title = console.name;
        check_console(console, diags_);
        return console;
    }

    // find_by_port tells consoles apart by their port, so no two may share one.
    void check_ports(const VncConfig& config) {
        for (std::size_t i = 0; i < config.consoles.size(); ++i) {
            const ConsoleConfig& c = config.consoles[i];
            if (!c.port) continue;
            for (std::size_t j = 0; j < i; ++j) {
                const ConsoleConfig& first = config.consoles[j];
                if (first.port != c.port) continue;
                diags_.error(c.where_of(c.is_set("port")      ? "port"
                                        : c.is_set("display") ? "display"
                                                              : "listen"),
                             "port " + std::to_string(*c.port) + " of console " + quote(c.name) +
                                 " is already console " + quote(first.name) + "'s (" +
                                 where_text(first.where) + ")");
                break;
            }
        }
    }

    // Two consoles appending to one log file would interleave their bytes.
    void check_logs(const VncConfig& config) {
        for (std::size_t i = 0; i < config.consoles.size(); ++i) {
            const ConsoleConfig& c = config.consoles[i];
            if (!c.log) continue;
            for (std::size_t j = 0; j < i; ++j) {
                const ConsoleConfig& first = config.consoles[j];
                if (first.log != c.log) continue;
                diags_.error(c.where_of("log"), "log " + *c.log + " of console " + quote(c.name) +
                                                    " is already console " + quote(first.name) +
                                                    "'s (" + where_text(first.where) + ")");
                break;
            }
        }
    }

    const std::string& file_;
    common::Diagnostics& diags_;
};

void check_readable(const ConsoleConfig& c, std::string_view key,
                    const std::optional<std::string>& path, common::Diagnostics& diags) {
    if (path && ::access(path->c_str(), R_OK) != 0)
        diags.error(c.where_of(key), std::string(key) + " " + *path + ": " + std::strerror(errno));
}

// The log file itself is created when the console starts; its folder must be there already.
void check_log_folder(const ConsoleConfig& c, common::Diagnostics& diags) {
    if (!c.log) return;
    std::string folder = std::filesystem::path(*c.log).parent_path().string();
    if (folder.empty()) folder = ".";
    struct stat st {};
    std::string why;
    if (::stat(c.log->c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        why = "is a directory";
    else if (::stat(folder.c_str(), &st) != 0)
        why = "folder " + folder + ": " + std::strerror(errno);
    else if (!S_ISDIR(st.st_mode))
        why = folder + " is not a directory";
    if (!why.empty()) diags.error(c.where_of("log"), "log " + *c.log + ": " + why);
}

void check_password_file(const ConsoleConfig& c, std::string_view key,
                         const std::optional<std::string>& path, common::Diagnostics& diags) {
    if (!path) return;
    if (auto passwords = read_password_file(*path); !passwords)
        diags.error(c.where_of(key), std::string(key) + " " + passwords.error());
}

} // namespace

std::string_view to_string(SharePolicy value) {
    switch (value) {
    case SharePolicy::shared:
        return "yes";
    case SharePolicy::takeover:
        return "no";
    case SharePolicy::exclusive:
        return "exclusive";
    }
    return "?";
}

std::string_view to_string(RestartPolicy value) {
    switch (value) {
    case RestartPolicy::never:
        return "never";
    case RestartPolicy::always:
        return "always";
    case RestartPolicy::on_failure:
        return "on-failure";
    }
    return "?";
}

SourceLocation ConsoleConfig::where_of(std::string_view key) const {
    for (const auto& [name, where] : set_at)
        if (name == key) return where;
    return where;
}

bool ConsoleConfig::is_set(std::string_view key) const {
    return std::ranges::any_of(set_at, [&](const auto& entry) { return entry.first == key; });
}

const ConsoleConfig* VncConfig::find(std::string_view name) const {
    auto at = std::ranges::find(consoles, name, &ConsoleConfig::name);
    return at == consoles.end() ? nullptr : &*at;
}

const ConsoleConfig* VncConfig::find_by_port(std::uint16_t port) const {
    auto at = std::ranges::find(consoles, std::optional<std::uint16_t>(port), &ConsoleConfig::port);
    return at == consoles.end() ? nullptr : &*at;
}

std::expected<std::optional<Passwords>, std::string>
read_console_passwords(const ConsoleConfig& console) {
    if (!console.password_file) return std::nullopt;
    auto passwords = read_password_file(*console.password_file);
    if (!passwords) return std::unexpected(passwords.error());
    if (console.viewonly_password_file) {
        auto viewonly = read_password_file(*console.viewonly_password_file);
        if (!viewonly) return std::unexpected(viewonly.error());
        passwords->viewonly = viewonly->full;
    }
    return *passwords;
}

VncConfig parse_config(std::string_view text, const std::string& file, common::Diagnostics& diags) {
    return ConfigBuilder(file, diags).build(read_ini(text, file, diags));
}

VncConfig load_config(const std::string& path, common::Diagnostics& diags) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        diags.error({path, 0}, "is a directory");
        return {};
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        diags.error({path, 0}, std::strerror(errno));
        return {};
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        diags.error({path, 0}, "read error");
        return {};
    }
    VncConfig config = parse_config(text, path, diags);
    if (diags.has_errors()) return config;
    // A file named in [defaults] is every console's: checked (and reported) once.
    std::set<std::pair<std::string, int>> checked;
    auto first_time = [&](const ConsoleConfig& c, std::string_view key) {
        return checked.emplace(std::string(key), c.where_of(key).line).second;
    };
    for (const ConsoleConfig& c : config.consoles) {
        if (first_time(c, "password_file"))
            check_password_file(c, "password_file", c.password_file, diags);
        if (first_time(c, "viewonly_password_file"))
            check_password_file(c, "viewonly_password_file", c.viewonly_password_file, diags);
        if (first_time(c, "tls_cert")) check_readable(c, "tls_cert", c.tls_cert, diags);
        if (first_time(c, "tls_key")) check_readable(c, "tls_key", c.tls_key, diags);
        if (first_time(c, "font")) check_readable(c, "font", c.font, diags);
        check_log_folder(c, diags);
    }
    return config;
}

} // namespace superd::vnc
