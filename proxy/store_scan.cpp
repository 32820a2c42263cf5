// Store: attaching to a cache_dir, the layout, the shared usage estimate and the scan that
// evicts least-recently-used objects and removes stale temps (see store.hpp for the design).
#include "proxy/store.hpp"
#include "proxy/store_io.hpp"

#include <algorithm>
#include <charconv>
#include <cinttypes>
#include <csignal>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace superd::proxy {

using detail::sys_error;

namespace {

constexpr mode_t kDirMode = 0750;
constexpr const char* kUsageFile = "superd-usage";
constexpr const char* kScanLockFile = "superd-scan.lock";
// Fixed-size text record, rewritten in place: "bytes objects last_scan ok\n".
constexpr std::size_t kUsageRecord = 72;
// A scan that could not get under the high-water mark is not repeated sooner than this.
constexpr std::int64_t kFailedScanRetry = 60;

std::string hex2(unsigned n) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%02X", n & 0xff);
    return buf;
}

// Holds an flock for its lifetime.
class FlockGuard {
  public:
    FlockGuard(int fd, int op)
        : fd_(fd) {
        while ((locked_ = ::flock(fd_, op) == 0) == false && errno == EINTR) {
        }
    }
    ~FlockGuard() {
        if (locked_) ::flock(fd_, LOCK_UN);
    }
    FlockGuard(const FlockGuard&) = delete;
    FlockGuard& operator=(const FlockGuard&) = delete;
    bool locked() const { return locked_; }

  private:
    int fd_;
    bool locked_ = false;
};

bool pid_alive(long pid) {
    if (pid <= 0 || pid > INT32_MAX) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// ".tmp.<pid>.<n>" → pid, or -1.
long temp_pid(std::string_view name) {
    constexpr std::string_view prefix = ".tmp.";
    if (!name.starts_with(prefix)) return -1;
    name.remove_prefix(prefix.size());
    long pid = -1;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc{} || end == name.data() + name.size() || *end != '.') return -1;
    return pid;
}

// "NNNNNNNN" (8 upper-case hex digits, as we write them) → file number.
std::optional<std::uint32_t> object_number(std::string_view name) {
    if (name.size() != 8) return std::nullopt;
    std::uint32_t n = 0;
    for (char c : name) {
        if (c >= '0' && c <= '9')
            n = n * 16 + static_cast<std::uint32_t>(c - '0');
        else if (c >= 'A' && c <= 'F')
            n = n * 16 + static_cast<std::uint32_t>(c - 'A' + 10);
        else
            return std::nullopt;
    }
    return n;
}

struct ScanEntry {
    std::int64_t mtime_ns;
    std::uint64_t size;
    std::uint32_t number;
};

std::int64_t mtime_ns(const struct stat& st) {
    return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

} // namespace

std::expected<void, std::string> create_layout(const std::string& dir, unsigned l1, unsigned l2) {
    if (l1 < 1 || l1 > 256 || l2 < 1 || l2 > 256)
        return std::unexpected(dir + ": L1 and L2 must be 1..256");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return std::unexpected(dir + ": create directory: " + ec.message());
    for (unsigned a = 0; a < l1; ++a) {
        std::string first = dir + "/" + hex2(a);
        if (::mkdir(first.c_str(), kDirMode) != 0 && errno != EEXIST)
            return sys_error(first, "mkdir", errno);
        for (unsigned b = 0; b < l2; ++b) {
            std::string second = first + "/" + hex2(b);
            if (::mkdir(second.c_str(), kDirMode) != 0 && errno != EEXIST)
                return sys_error(second, "mkdir", errno);
        }
    }
    return {};
}

std::expected<std::unique_ptr<Store>, std::string> Store::attach(StoreConfig config,
                                                                 const common::Clock& clock) {
    if (config.dir.empty()) return std::unexpected("cache_dir: empty directory name");
    if (config.max_bytes == 0) return std::unexpected(config.dir + ": size must be positive");
    if (config.l1 < 1 || config.l1 > 256 || config.l2 < 1 || config.l2 > 256)
        return std::unexpected(config.dir + ": L1 and L2 must be 1..256");
    if (config.low_water_percent == 0 || config.low_water_percent > config.high_water_percent ||
        config.high_water_percent > 100)
        return std::unexpected(config.dir + ": need 0 < low water <= high water <= 100");
    // The last directory create_layout makes: if it exists, the whole tree was made.
    struct stat st {};
    std::string last = config.dir + "/" + hex2(config.l1 - 1) + "/" + hex2(config.l2 - 1);
    if (::stat(last.c_str(), &st) != 0) {
        if (auto made = create_layout(config.dir, config.l1, config.l2); !made)
            return std::unexpected(made.error());
    }
    std::string usage_path = config.dir + "/" + kUsageFile;
    int fd = ::open(usage_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return sys_error(usage_path, "open", errno);
    std::unique_ptr<Store> store(new Store(std::move(config), clock, fd));
    store->maybe_scan(store->read_usage());
    return store;
}

Store::Usage Store::read_usage() const {
    Usage u;
    char buf[kUsageRecord + 1] = {};
    ssize_t n = ::pread(usage_fd_, buf, kUsageRecord, 0);
    if (n != static_cast<ssize_t>(kUsageRecord)) return u;
    unsigned long long bytes = 0, objects = 0;
    long long last = 0;
    int ok = 0;
    if (std::sscanf(buf, "%llu %llu %lld %d", &bytes, &objects, &last, &ok) != 4) return u;
    u.bytes = bytes;
    u.objects = objects;
    u.last_scan = last;
    u.last_scan_ok = ok != 0;
    u.valid = true;
    return u;
}

void Store::write_usage(const Usage& u) const {
    char buf[kUsageRecord + 1];
    std::snprintf(buf, sizeof buf, "%-20" PRIu64 " %-20" PRIu64 " %-20" PRId64 " %d", u.bytes,
                  u.objects, u.last_scan, u.last_scan_ok ? 1 : 0);
    std::string record(buf);
    record.resize(kUsageRecord - 1, ' ');
    record.push_back('\n');
    // Not fsync'd: it is an estimate, and a torn record only causes an early scan.
    detail::pwrite_full(usage_fd_, record, 0);
}

Store::Usage Store::adjust_usage(std::int64_t bytes, std::int64_t objects) const {
    FlockGuard lock(usage_fd_, LOCK_EX);
    Usage u = read_usage();
    if (!u.valid) return u; // the next maybe_scan rebuilds it
    auto add = [](std::uint64_t v, std::int64_t d) {
        if (d < 0 && static_cast<std::uint64_t>(-d) > v) return std::uint64_t{0};
        return v + static_cast<std::uint64_t>(d);
    };
    u.bytes = add(u.bytes, bytes);
    u.objects = add(u.objects, objects);
    write_usage(u);
    return u;
}

StoreStats Store::stats() const {
    FlockGuard lock(usage_fd_, LOCK_SH);
    Usage u = read_usage();
    return {u.objects, u.bytes};
}

void Store::maybe_scan(const Usage& u) {
    std::int64_t t = now();
    bool due = !u.valid || t - u.last_scan >= config_.rescan_interval.count() ||
               t < u.last_scan; // the clock went back: do not trust the age
    bool over = u.bytes > high_water() && (u.last_scan_ok || t - u.last_scan >= kFailedScanRetry);
    if (due || over) scan(); // errors: the next trigger retries; the caller's write succeeded
}

std::expected<ScanResult, std::string> Store::scan() {
    std::string lock_path = config_.dir + "/" + kScanLockFile;
    int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (lock_fd < 0) return sys_error(lock_path, "open", errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{lock_fd};
    ScanResult r;
    FlockGuard lock(lock_fd, LOCK_EX | LOCK_NB);
    if (!lock.locked()) return r; // another process is scanning

    Usage before;
    {
        FlockGuard usage_lock(usage_fd_, LOCK_SH);
        before = read_usage();
    }
    const std::int64_t t = now();
    std::vector<ScanEntry> entries;
    for (unsigned a = 0; a < config_.l1; ++a) {
        for (unsigned b = 0; b < config_.l2; ++b) {
            std::string sub = config_.dir + "/" + hex2(a) + "/" + hex2(b);
            DIR* d = ::opendir(sub.c_str());
            if (d == nullptr) {
                if (errno == ENOENT) ::mkdir(sub.c_str(), kDirMode); // repair the layout
                continue;
            }
            int dfd = ::dirfd(d);
            while (struct dirent* e = ::readdir(d)) {
                std::string_view name = e->d_name;
                struct stat st {};
                if (name == "." || name == "..") continue;
                if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
                if (long pid = temp_pid(name); pid >= 0) {
                    std::int64_t age = t - st.st_mtim.tv_sec;
                    if (age > config_.temp_max_age.count() ||
                        (age > config_.temp_grace.count() && !pid_alive(pid))) {
                        if (::unlinkat(dfd, e->d_name, 0) == 0) ++r.temps_removed;
                    }
                    continue;
                }
                auto number = object_number(name);
                if (!number || !S_ISREG(st.st_mode)) continue; // not ours: leave it alone
                if ((*number / config_.l2 / config_.l2) % config_.l1 != a ||
                    (*number / config_.l2) % config_.l2 != b) {
                    // Left by another L1/L2: no lookup can find it any more.
                    if (::unlinkat(dfd, e->d_name, 0) == 0) ++r.strays_removed;
                    continue;
                }
                entries.push_back({mtime_ns(st), static_cast<std::uint64_t>(st.st_size), *number});
            }
            ::closedir(d);
        }
    }
    r.ran = true;
    for (const auto& e : entries)
        r.bytes += e.size;
    r.objects = entries.size();

    if (r.bytes > high_water()) {
        std::sort(entries.begin(), entries.end(),
                  [](const ScanEntry& x, const ScanEntry& y) { return x.mtime_ns < y.mtime_ns; });
        for (const auto& e : entries) {
            if (r.bytes <= low_water()) break;
            std::string path =
                config_.dir + "/" + object_relative_path(e.number, config_.l1, config_.l2);
            struct stat st {};
            // Used or replaced since we looked: no longer the LRU candidate we chose.
            if (::stat(path.c_str(), &st) != 0 || mtime_ns(st) != e.mtime_ns ||
                static_cast<std::uint64_t>(st.st_size) != e.size)
                continue;
            if (::unlink(path.c_str()) != 0) continue;
            r.bytes -= e.size;
            --r.objects;
            ++r.evicted_objects;
            r.evicted_bytes += e.size;
        }
    }

    // Commits by other processes during the scan may or may not have been seen; counting them
    // again errs towards an early next scan rather than an overfull disk.
    FlockGuard usage_lock(usage_fd_, LOCK_EX);
    Usage after = read_usage();
    Usage u;
    u.bytes = r.bytes;
    u.objects = r.objects;
    if (before.valid && after.valid) {
        if (after.bytes > before.bytes) u.bytes += after.bytes - before.bytes;
        if (after.objects > before.objects) u.objects += after.objects - before.objects;
    }
    u.last_scan = t;
    u.last_scan_ok = r.bytes <= high_water();
    u.valid = true;
    write_usage(u);
    return r;
}

} // namespace superd::proxy
