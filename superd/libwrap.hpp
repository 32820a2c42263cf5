#pragma once
// tcp-wrappers (hosts.allow / hosts.deny) through libwrap, as xinetd uses it: the daemon name
// xinetd would give, and the check itself. The check may run shell commands (`spawn`), replace
// the process (`twist`), and look names up: call it only in a forked child, never in superd.
#include "superd/config.hpp"

#include <string>
#include <vector>

#include <sys/socket.h>
#include <sys/types.h>

namespace superd::daemon {

// xinetd's rules (access.c): the `libwrap` attribute; else the service name for INTERNAL and
// redirect services; else basename(server_args[0]) with NAMEINARGS; else basename(server).
std::string libwrap_daemon_name(const ServiceConfig& svc);

// Whether libwrap checks this service: not with flags = NOLIBWRAP.
bool libwrap_checks(const ServiceConfig& svc);

// The tables libwrap reads (its defaults are /etc/hosts.allow and /etc/hosts.deny). Call in
// superd before any child is started; the strings are kept.
void set_libwrap_tables(const std::string& allow, const std::string& deny);
const std::string& libwrap_allow_table();
const std::string& libwrap_deny_table();

// True when either table holds a rule: a line that is not blank and not a comment. Without
// any, hosts_access grants every request and runs no option, so superd may skip the check
// (and the fork it needs). Re-read only when a table's inode, size or mtime changed.
bool libwrap_tables_have_rules();

// Whether a process with these ids can read `path` (a missing file counts as readable: libwrap
// treats it as an empty table), from the mode bits of the file and of every folder above it.
// libwrap reads the tables after the user switch, so an unreadable one refuses every client.
bool table_readable_by(const std::string& path, uid_t uid, gid_t gid,
                       const std::vector<gid_t>& groups);

// request_init(RQ_DAEMON, RQ_FILE) + fromhost + hosts_access on the connection (or datagram
// socket) `fd`. Runs the matching rule's options: `spawn` runs its command, `twist` does not
// return. True when access is granted.
bool libwrap_allows(int fd, const std::string& daemon_name);

// The same for a request known only by its addresses (a datagram superd has already read).
bool libwrap_allows_addresses(const sockaddr* client, const sockaddr* server,
                              const std::string& daemon_name);

} // namespace superd::daemon
