#pragma once
// Shared by the fuzz targets: keeps every run offline and fast, and checks invariants.
#include <cstdio>
#include <cstdlib>
#include <initializer_list>

#include <nss.h>

namespace superd::fuzz {

// The parser resolves names: bind/interface/redirect hosts (getaddrinfo), user, group, protocol
// and /etc/services entries. Fuzzed names would otherwise each cost a DNS query (seconds when
// the resolver is unreachable) or a systemd-userdb round trip, so every lookup here reads the
// local files only. Call once, from LLVMFuzzerInitialize.
inline void local_name_lookups_only() {
    for (const char* db : {"hosts", "passwd", "group", "services", "protocols"})
        __nss_configure_lookup(db, "files");
}

// An invariant the code under test promises; a violation is a finding, so crash for libFuzzer.
inline void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
    std::abort();
}

} // namespace superd::fuzz
