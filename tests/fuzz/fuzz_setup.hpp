#pragma once
// Shared by the fuzz targets: keeps every run offline and fast, and checks invariants.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

#include <fcntl.h>
#include <nss.h>
#include <unistd.h>

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

// One file in a private temporary folder (under $TMPDIR), made once per process and removed
// at exit: the config parsers read files, so each input is written there first.
class ScratchFile {
  public:
    // Call once, from LLVMFuzzerInitialize; `name` is the file's name in the folder.
    static void create(const char* program, const char* name) {
        const char* tmp = std::getenv("TMPDIR");
        std::string templ =
            std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/superd-fuzz-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr) {
            std::perror(program);
            std::abort();
        }
        dir() = templ;
        path() = dir() + "/" + name;
        std::atexit([] {
            ::unlink(path().c_str());
            ::rmdir(dir().c_str());
        });
    }

    // Replaces the file's contents with the input; aborts (a finding) when it cannot.
    static void write(const std::uint8_t* data, std::size_t size) {
        int fd = ::open(path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        bool ok = fd >= 0;
        while (ok && size > 0) {
            ssize_t n = ::write(fd, data, size);
            ok = n > 0;
            if (ok) {
                data += n;
                size -= static_cast<std::size_t>(n);
            }
        }
        if (fd >= 0 && ::close(fd) != 0) ok = false;
        if (!ok) {
            std::perror("fuzz: writing the scratch file");
            std::abort();
        }
    }

    static std::string& path() {
        static std::string p;
        return p;
    }

  private:
    static std::string& dir() {
        static std::string d;
        return d;
    }
};

} // namespace superd::fuzz
