// The xinetd.conf reader: entries, include/includedir, the defaults-copy rule, then the
// whole-entry checks of xinetd's confparse.c. See ../shared/ref/xinetd.md sections 1-2.
#include "superd/builtins_table.hpp"
#include "superd/config.hpp"
#include "superd/config_attributes.hpp"

#include "common/config_lines.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <dirent.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/stat.h>

namespace superd::daemon {
namespace {

namespace fs = std::filesystem;
using common::ConfigLine;

constexpr int max_include_depth = 16;

const std::set<std::string> not_yet_effective = {"rpc_version", "rpc_number"};

bool is_comment_or_blank(const std::string& text) {
    auto t = common::trim(text);
    return t.empty() || t.front() == '#';
}

bool is_only(const std::string& text, char c) {
    auto t = common::trim(text);
    return t.size() == 1 && t.front() == c;
}

class Parser {
  public:
    Parser(Config& config, Diagnostics& diags)
        : config_(config)
        , diags_(diags) {}

    void parse_file(const std::string& path, int depth, const SourceLocation* from = nullptr);

  private:
    // One entry's body: the lines between '{' and '}'. Returns false when the block was not
    // closed (the file ended).
    bool read_block(const std::vector<ConfigLine>& lines, std::size_t& i, const std::string& what,
                    std::vector<AttributeLine>& out, bool& syntax_ok);
    void parse_service(const std::string& name, const SourceLocation& where,
                       const std::vector<ConfigLine>& lines, std::size_t& i);
    void parse_defaults(const SourceLocation& where, const std::vector<ConfigLine>& lines,
                        std::size_t& i);
    void include_dir(const std::string& dir, const SourceLocation& where, int depth);
    std::string resolve(const std::string& path, const std::string& from_file) const;

    Config& config_;
    Diagnostics& diags_;
    std::set<std::string> defaults_files_; // "only 1 defaults entry" is per file
};

std::string Parser::resolve(const std::string& path, const std::string& from_file) const {
    // Relative include paths are taken from the including file's folder, so a config tree
    // can be used from any working directory (xinetd takes them from its working directory).
    if (path.empty() || path.front() == '/') return path;
    return (fs::path(from_file).parent_path() / path).lexically_normal().string();
}

bool Parser::read_block(const std::vector<ConfigLine>& lines, std::size_t& i,
                        const std::string& what, std::vector<AttributeLine>& out, bool& syntax_ok) {
    syntax_ok = true;
    for (; i < lines.size(); ++i) {
        const ConfigLine& cl = lines[i];
        if (is_comment_or_blank(cl.text)) continue;
        if (is_only(cl.text, '}')) {
            ++i;
            return true;
        }
        auto words = common::split_blanks(cl.text);
        AttributeLine al;
        al.where = cl.where;
        al.name = words[0];
        if (al.name.find('=') != std::string::npos) {
            // "port=80": xinetd needs a blank between the name and the operator, and drops
            // the whole entry when it is missing.
            diags_.error(cl.where, what + ": '" + al.name + "' needs a blank before the operator");
            syntax_ok = false;
            continue;
        }
        std::string op = words.size() > 1 ? words[1] : std::string();
        std::size_t op_len = op.starts_with("+=") || op.starts_with("-=") ? 2
                             : op.starts_with("=")                        ? 1
                                                                          : 0;
        if (op_len == 0) {
            diags_.error(cl.where,
                         what + ": missing operator (=, += or -=) after '" + al.name + "'");
            syntax_ok = false;
            continue;
        }
        if (op.size() > op_len) words.insert(words.begin() + 2, op.substr(op_len)); // "=80"
        op.resize(op_len);
        al.op = op == "=" ? Op::assign : op == "+=" ? Op::add : Op::remove;
        al.values.assign(words.begin() + 2, words.end());
        out.push_back(std::move(al));
    }
    return false;
}

void Parser::parse_service(const std::string& name, const SourceLocation& where,
                           const std::vector<ConfigLine>& lines, std::size_t& i) {
    std::string what = "service " + name;
    std::vector<AttributeLine> attrs;
    bool syntax_ok = true;
    if (!read_block(lines, i, what, attrs, syntax_ok)) {
        diags_.error(where, what + ": missing '}' before the end of the file; entry dropped");
        return;
    }
    ServiceConfig svc;
    svc.name = name;
    svc.id = name;
    svc.where = where;
    // xinetd copies these from the defaults parsed so far (parse.c:417-444).
    svc.lists = config_.defaults.lists;
    bool ok = syntax_ok;
    for (const auto& al : attrs) {
        const AttributeInfo* info = find_attribute(al.name);
        if (info == nullptr) {
            diags_.warning(al.where, what + ": bad service attribute '" + al.name + "' ignored");
            continue;
        }
        if (al.name == "enabled" || al.name == "disabled" || al.name == "hosts_allow" ||
            al.name == "hosts_deny") {
            diags_.warning(al.where, what + ": '" + al.name + "' belongs in defaults; ignored");
            continue;
        }
        bool modifiable = info->value_count == -2;
        if (!modifiable && al.op != Op::assign) {
            diags_.warning(al.where,
                           what + ": '" + al.name + "' does not take += or -=; line ignored");
            continue;
        }
        if (!modifiable && svc.has(al.name)) {
            diags_.warning(al.where, what + ": attribute '" + al.name + "' already set at line " +
                                         std::to_string(svc.given[al.name].line) + "; ignored");
            continue;
        }
        if (info->value_count > 0 && static_cast<int>(al.values.size()) != info->value_count) {
            diags_.warning(al.where, what + ": '" + al.name + "' takes " +
                                         std::to_string(info->value_count) + " value(s), not " +
                                         std::to_string(al.values.size()) + "; line ignored");
            continue;
        }
        if (info->value_count == 1 && al.values.empty()) continue;
        if (al.name == "server" && !al.values.empty() && !al.values[0].starts_with('/')) {
            // superd's extension: a relative server is found from the file that names it (as
            // include), so a profile can start programs of its own checkout.
            AttributeLine resolved = al;
            resolved.values[0] = resolve(al.values[0], al.where.file);
            if (!apply_service_attribute(svc, resolved, diags_)) ok = false;
        } else if (!apply_service_attribute(svc, al, diags_)) {
            ok = false;
        }
        if (al.name == "disable" && svc.disable) {
            // disable = yes ends the entry at once, without further checks.
            config_.disabled_ids.push_back(svc.id);
            return;
        }
    }
    if (!ok) {
        diags_.error(where, what + ": entry dropped because of the errors above");
        return;
    }
    config_.services.push_back(std::move(svc));
}

void Parser::parse_defaults(const SourceLocation& where, const std::vector<ConfigLine>& lines,
                            std::size_t& i) {
    std::vector<AttributeLine> attrs;
    bool syntax_ok = true;
    if (!read_block(lines, i, "defaults", attrs, syntax_ok)) {
        diags_.error(where, "defaults: missing '}' before the end of the file");
        config_.fatal = true;
        return;
    }
    if (!defaults_files_.insert(where.file).second) {
        diags_.error(where, "only 1 defaults entry is allowed in a file");
        config_.fatal = true;
        return;
    }
    if (!syntax_ok) config_.fatal = true;
    for (const auto& al : attrs) {
        const AttributeInfo* info = find_attribute(al.name);
        if (info == nullptr) {
            diags_.warning(al.where, "defaults: bad attribute '" + al.name + "' ignored");
            continue;
        }
        if (!info->in_defaults) {
            diags_.warning(al.where, "defaults: '" + al.name +
                                         "' should not be in the defaults section; ignored");
            continue;
        }
        if (info->value_count > 0 && static_cast<int>(al.values.size()) != info->value_count) {
            diags_.warning(al.where, "defaults: '" + al.name + "' takes " +
                                         std::to_string(info->value_count) +
                                         " value(s); line ignored");
            continue;
        }
        if (info->value_count == 1 && al.values.empty()) continue;
        if ((al.name == "hosts_allow" || al.name == "hosts_deny") && !al.values.empty()) {
            AttributeLine resolved = al; // relative to the file that names it, as include
            resolved.values[0] = resolve(al.values[0], al.where.file);
            if (!apply_defaults_attribute(config_.defaults, resolved, diags_)) config_.fatal = true;
            continue;
        }
        if (!apply_defaults_attribute(config_.defaults, al, diags_)) config_.fatal = true;
    }
}

void Parser::include_dir(const std::string& dir, const SourceLocation& where, int depth) {
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) {
        diags_.error(where, "includedir " + dir + ": " + std::strerror(errno));
        return;
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
        std::string n = e->d_name;
        // xinetd skips names with a '.' (editor and package-manager leftovers) or ending in '~'.
        if (n.find('.') != std::string::npos || n.back() == '~') continue;
        names.push_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end()); // strcmp order, as xinetd
    for (const auto& n : names) {
        std::string path = dir + "/" + n;
        struct stat st {};
        if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        parse_file(path, depth + 1);
    }
}

void Parser::parse_file(const std::string& path, int depth, const SourceLocation* from) {
    if (depth > max_include_depth) {
        diags_.error({path, 0},
                     "includes nested more than " + std::to_string(max_include_depth) + " deep");
        config_.fatal = true;
        return;
    }
    auto lines = common::read_config_lines(path);
    if (!lines) {
        // An include names the line that asked for the file; the top-level file names itself.
        if (from != nullptr)
            diags_.error(*from, lines.error());
        else
            diags_.error({path, 0},
                         lines.error().substr(std::min(lines.error().size(), path.size() + 2)));
        config_.fatal = true;
        return;
    }
    std::size_t i = 0;
    while (i < lines->size()) {
        const ConfigLine& cl = (*lines)[i];
        if (is_comment_or_blank(cl.text)) {
            ++i;
            continue;
        }
        auto words = common::split_blanks(cl.text);
        const std::string& keyword = words[0];
        if (keyword == "include" || keyword == "includedir") {
            ++i;
            if (words.size() != 2) {
                diags_.error(cl.where, keyword + " needs exactly one path");
                continue;
            }
            std::string target = resolve(words[1], path);
            if (keyword == "include")
                parse_file(target, depth + 1, &cl.where);
            else
                include_dir(target, cl.where, depth);
            continue;
        }
        if (keyword == "service" || keyword == "defaults") {
            ++i;
            // The '{' must stand alone on the next non-blank line.
            while (i < lines->size() && is_comment_or_blank((*lines)[i].text))
                ++i;
            if (i >= lines->size() || !is_only((*lines)[i].text, '{')) {
                diags_.error(cl.where, keyword + ": '{' expected alone on the next line");
                while (i < lines->size() && !is_only((*lines)[i].text, '}'))
                    ++i;
                ++i;
                if (keyword == "defaults") config_.fatal = true;
                continue;
            }
            ++i;
            if (keyword == "defaults") {
                parse_defaults(cl.where, *lines, i);
            } else if (words.size() < 2) {
                diags_.error(cl.where, "service without a name; entry dropped");
                std::vector<AttributeLine> ignored;
                bool ok;
                read_block(*lines, i, "service", ignored, ok);
            } else {
                parse_service(words[1], cl.where, *lines, i);
            }
            continue;
        }
        diags_.error(cl.where,
                     "missing service keyword before '" + keyword + "'; skipped to the next '}'");
        while (i < lines->size() && !is_only((*lines)[i].text, '}'))
            ++i;
        ++i;
    }
}

// xinetd's service_fill: what a service did not say comes from the defaults.
void fill_from_defaults(ServiceConfig& s, const DefaultsConfig& df) {
    if (!s.has("instances") && df.instances) s.instances = *df.instances;
    if (!s.has("per_source") && df.per_source) s.per_source = *df.per_source;
    if (!s.has("cps") && df.cps) {
        s.cps_rate = df.cps->first;
        s.cps_disable_seconds = df.cps->second;
    }
    if (!s.has("max_load") && df.max_load) s.max_load = *df.max_load;
    if (!s.has("groups") && df.groups) s.groups = *df.groups;
    if (!s.has("umask") && df.umask) s.umask = *df.umask;
    if (!s.has("v6only") && df.v6only) s.v6only = *df.v6only;
    if (!s.has("bind") && !s.has("interface") && df.bind) {
        s.bind = df.bind;
        s.bind_address = df.bind_address;
    }
    if (!s.has("log_on_success")) s.lists.log_on_success = df.lists.log_on_success;
    if (!s.has("log_on_failure")) s.lists.log_on_failure = df.lists.log_on_failure;
    if (!s.has("log_type")) s.log_type = df.log_type;
}

// The checks of xinetd's confparse.c; false drops the entry with the reason in diags.
bool check_entry(ServiceConfig& s, Diagnostics& d) {
    const std::string what = "service " + s.name + (s.id != s.name ? " (id " + s.id + ")" : "");
    auto drop = [&](const std::string& why) {
        d.error(s.where, what + ": " + why + "; entry dropped");
        return false;
    };
    // socket_type and protocol follow from each other (tcp <-> stream, udp <-> dgram).
    if (!s.has("socket_type") && s.has("protocol")) {
        if (s.protocol == IPPROTO_TCP)
            s.socket_type = SocketType::stream;
        else if (s.protocol == IPPROTO_UDP)
            s.socket_type = SocketType::dgram;
        else
            return drop("missing attribute socket_type");
        s.given.try_emplace("socket_type", s.where);
    }
    if (!s.has("protocol") && s.has("socket_type")) {
        if (s.socket_type == SocketType::stream) {
            s.protocol = IPPROTO_TCP;
            s.protocol_name = "tcp";
        } else if (s.socket_type == SocketType::dgram) {
            s.protocol = IPPROTO_UDP;
            s.protocol_name = "udp";
        }
    }
    if (s.flags & flag_sensor) s.type |= type_internal;
    for (const char* required : {"socket_type", "wait"})
        if (!s.has(required)) return drop(std::string("missing attribute ") + required);
    if (!s.is_internal()) {
        if (!s.has("server") && !s.redirect_host) return drop("missing attribute server");
        if (!s.has("user")) return drop("missing attribute user");
    }
    if (s.type & type_unlisted) {
        if (!s.has("protocol") && !s.has("socket_type")) return drop("missing attribute protocol");
        if (!s.has("port") && !s.is_tcpmux_client()) return drop("missing attribute port");
    }
    if (s.type & type_rpc) return drop("RPC services are not supported by superd");
    if (s.socket_type == SocketType::raw || s.socket_type == SocketType::seqpacket)
        return drop(std::string("socket_type ") + to_string(s.socket_type) +
                    " is not supported by superd");
    if (s.socket_type == SocketType::dgram && !s.wait)
        return drop("socket_type dgram needs wait = yes: with wait = no every datagram would start "
                    "a server that finds no datagram left to read");
    if (s.wait || s.is_internal()) s.flags &= ~flag_intercept;
    if (s.is_internal() && !(s.flags & flag_sensor) && !builtin_exists(s.name, s.socket_type))
        return drop(std::string("no such internal service: ") + s.name + "/" +
                    to_string(s.socket_type));
    if (s.is_tcpmux_client() && s.protocol != IPPROTO_TCP)
        return drop("TCPMUX services must use protocol tcp");
    if (!(s.type & type_unlisted) && !s.is_tcpmux_client()) {
        servent* se = getservbyname(s.name.c_str(), s.protocol_name.c_str());
        if (se == nullptr)
            return drop("'" + s.name + "/" + s.protocol_name +
                        "' is not in /etc/services (use type = UNLISTED with a port)");
        auto listed = ntohs(static_cast<std::uint16_t>(se->s_port));
        if (s.has("port") && s.port != listed)
            return drop("port " + std::to_string(s.port) + " differs from /etc/services (" +
                        std::to_string(listed) + ")");
        s.port = listed;
    }
    if (s.redirect_host) {
        if (s.socket_type != SocketType::stream || s.wait)
            return drop("redirect needs socket_type = stream and wait = no");
        if (s.flags & flag_nameinargs) return drop("redirect cannot be used with NAMEINARGS");
    }
    if ((s.lists.log_on_success & log_traffic) && !s.redirect_host)
        return drop("log_on_success TRAFFIC needs redirect");
    if (s.flags & flag_nameinargs) {
        if (s.is_internal()) return drop("NAMEINARGS cannot be used with an INTERNAL service");
        if (s.server_args.empty()) return drop("NAMEINARGS needs server_args");
    }
    if (s.port == 113 && s.protocol == IPPROTO_TCP) {
        s.lists.log_on_success &= ~log_userid;
        s.lists.log_on_failure &= ~log_userid;
    }
    return true;
}

} // namespace

const char* to_string(SocketType t) {
    switch (t) {
    case SocketType::stream:
        return "stream";
    case SocketType::dgram:
        return "dgram";
    case SocketType::raw:
        return "raw";
    case SocketType::seqpacket:
        return "seqpacket";
    }
    return "?";
}

bool ServiceConfig::uses_ipv6() const {
    if (flags & flag_ipv6) return true;
    if (flags & flag_ipv4) return false;
    if (bind_address) return bind_address->is_v6();
    return true; // dual-stack [::], as xinetd chooses it
}

std::vector<std::string> ServiceConfig::argv() const {
    if (flags & flag_nameinargs) return server_args;
    std::vector<std::string> a;
    a.push_back(fs::path(server).filename().string());
    a.insert(a.end(), server_args.begin(), server_args.end());
    return a;
}

const std::set<std::string>& attributes_not_yet_effective() {
    return not_yet_effective;
}

Config load_config(const std::string& path, Diagnostics& diags) {
    Config config;
    Parser parser(config, diags);
    parser.parse_file(path, 0);

    std::vector<ServiceConfig> kept;
    std::set<std::string> ids;
    for (auto& s : config.services) {
        fill_from_defaults(s, config.defaults);
        if (!check_entry(s, diags)) continue;
        if (config.defaults.enabled_given && !config.defaults.enabled.contains(s.id)) {
            config.disabled_ids.push_back(s.id);
            continue;
        }
        if (config.defaults.disabled.contains(s.id)) {
            config.disabled_ids.push_back(s.id);
            continue;
        }
        if (!ids.insert(s.id).second) {
            diags.error(s.where, "service " + s.name + ": id '" + s.id +
                                     "' is used by an earlier service; entry dropped");
            continue;
        }
        bool clash = false;
        for (const auto& k : kept) {
            if (k.is_tcpmux_client() || s.is_tcpmux_client()) continue;
            if (k.port == s.port && k.protocol == s.protocol && k.bind_address == s.bind_address &&
                k.uses_ipv6() == s.uses_ipv6()) {
                diags.error(s.where, "service " + s.name + ": port " + std::to_string(s.port) +
                                         "/" + s.protocol_name + " is already used by service " +
                                         k.id + " (" + k.where.file + ":" +
                                         std::to_string(k.where.line) + "); entry dropped");
                clash = true;
                break;
            }
        }
        if (clash) continue;
        for (const auto& [attr, where] : s.given)
            if (not_yet_effective.contains(attr))
                diags.warning(where, "service " + s.id + ": '" + attr +
                                         "' is accepted but has no effect yet in superd");
        kept.push_back(std::move(s));
    }
    for (const auto& [attr, where] : config.defaults.given)
        if (not_yet_effective.contains(attr))
            diags.warning(where,
                          "defaults: '" + attr + "' is accepted but has no effect yet in superd");
    config.services = std::move(kept);
    return config;
}

} // namespace superd::daemon
