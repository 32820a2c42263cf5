#include "superd/libwrap.hpp"

#include <algorithm>
#include <cerrno>
#include <fstream>

#include <sys/stat.h>
#include <syslog.h>
#include <tcpd.h>

// libwrap logs its own decisions at these severities; the program must define them (xinetd:
// LOG_INFO for both, access.c).
int allow_severity = LOG_INFO;
int deny_severity = LOG_INFO;

namespace superd::daemon {
namespace {

std::string allow_table = "/etc/hosts.allow";
std::string deny_table = "/etc/hosts.deny";

std::string basename_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What a table looked like when it was last read.
struct TableState {
    bool known = false;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    timespec mtime{};
    bool has_rules = true;
};

bool file_has_rules(const std::string& path, TableState& state) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        state.known = false;
        return errno != ENOENT; // missing: no rules; unreadable: assume some
    }
    if (state.known && state.dev == st.st_dev && state.ino == st.st_ino &&
        state.size == st.st_size && state.mtime.tv_sec == st.st_mtim.tv_sec &&
        state.mtime.tv_nsec == st.st_mtim.tv_nsec)
        return state.has_rules;
    std::ifstream in(path);
    if (!in) return true;
    bool rules = false;
    for (std::string line; !rules && std::getline(in, line);) {
        auto first = line.find_first_not_of(" \t\r");
        rules = first != std::string::npos && line[first] != '#';
    }
    state = {true, st.st_dev, st.st_ino, st.st_size, st.st_mtim, rules};
    return rules;
}

TableState allow_state, deny_state;

} // namespace

bool libwrap_tables_have_rules() {
    // Both are looked at every time: either may have been edited since the last request.
    bool allow = file_has_rules(allow_table, allow_state);
    bool deny = file_has_rules(deny_table, deny_state);
    return allow || deny;
}

std::string libwrap_daemon_name(const ServiceConfig& svc) {
    if (!svc.libwrap.empty()) return svc.libwrap;
    if (svc.is_internal() || svc.redirect_host) return svc.name;
    if ((svc.flags & flag_nameinargs) && !svc.server_args.empty())
        return basename_of(svc.server_args.front());
    return basename_of(svc.server);
}

bool libwrap_checks(const ServiceConfig& svc) {
    return !(svc.flags & flag_nolibwrap);
}

void set_libwrap_tables(const std::string& allow, const std::string& deny) {
    allow_table = allow;
    deny_table = deny;
    allow_state = {};
    deny_state = {};
    hosts_allow_table = allow_table.data();
    hosts_deny_table = deny_table.data();
}

const std::string& libwrap_allow_table() {
    return allow_table;
}
const std::string& libwrap_deny_table() {
    return deny_table;
}

bool table_readable_by(const std::string& path, uid_t uid, gid_t gid,
                       const std::vector<gid_t>& groups) {
    if (uid == 0) return true;
    auto allowed = [&](const struct stat& st, mode_t owner_bit) {
        mode_t group_bit = owner_bit >> 3, other_bit = owner_bit >> 6;
        if (st.st_uid == uid) return (st.st_mode & owner_bit) != 0;
        bool in_group =
            st.st_gid == gid || std::find(groups.begin(), groups.end(), st.st_gid) != groups.end();
        if (in_group) return (st.st_mode & group_bit) != 0;
        return (st.st_mode & other_bit) != 0;
    };
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return errno == ENOENT;
    if (!allowed(st, S_IRUSR)) return false;
    for (auto slash = path.rfind('/'); slash != std::string::npos && slash > 0;
         slash = path.rfind('/', slash - 1)) {
        if (::stat(path.substr(0, slash).c_str(), &st) != 0 || !allowed(st, S_IXUSR)) return false;
    }
    return true;
}

bool libwrap_allows(int fd, const std::string& daemon_name) {
    std::string daemon = daemon_name; // libwrap wants char*
    request_info request;
    request_init(&request, RQ_DAEMON, daemon.data(), RQ_FILE, fd, 0);
    fromhost(&request);
    return hosts_access(&request) != 0;
}

} // namespace superd::daemon

namespace superd::daemon {

bool libwrap_allows_addresses(const sockaddr* client, const sockaddr* server,
                              const std::string& daemon_name) {
    std::string daemon = daemon_name;
    request_info request;
    request_init(&request, RQ_DAEMON, daemon.data(), RQ_CLIENT_SIN, client, RQ_SERVER_SIN, server,
                 0);
    sock_methods(&request);
    return hosts_access(&request) != 0;
}

} // namespace superd::daemon
