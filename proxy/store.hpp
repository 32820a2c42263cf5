#pragma once
// The disk cache store: squid's `cache_dir ufs DIR MB L1 L2`, shared safely by several
// superd-proxy processes (superd may start one per connection) without a shared index.
//
// Layout. DIR/%02X/%02X/%08X as squid's ufs: an object's file number is a 32-bit hash of its
// cache key (file_number_of), and file number N lives in DIR/(N/L2/L2 % L1)/(N/L2 % L2)/N. So
// any process finds an object from its key alone. Two keys with one file number share a slot:
// the stored key is compared on every read and a mismatch is a plain miss; the later write
// replaces the earlier object (a lost cache entry, never a wrong answer). Besides the L1
// directories, DIR holds two small files: `superd-usage` (the shared size estimate, below) and
// `superd-scan.lock` (flock'd by the one process that scans). create_layout makes the tree
// (`superd-proxy -z`); Store::attach makes it too when it is missing, unlike squid.
//
// Crash safety. A writer streams into DIR/L1/L2/.tmp.<pid>.<n> (same directory as the final
// name, so rename is atomic). The key and header block go first behind a zeroed fixed part;
// commit writes the fixed part (magic, lengths, checksum: see object_meta.hpp), fsyncs, renames
// over the final name (atomically replacing an older version) and fsyncs the directory. A crash
// before the rename leaves only a temp file, which no lookup ever opens; a crash after it leaves
// a complete object. Whatever else happens to a file (truncation, a flipped bit, a foreign file)
// fails read_meta, and the reader removes it (after checking that the name still points at the
// inode it read, so a concurrent fresh commit is not deleted). Temp files are removed by the
// scan when older than temp_grace and their pid no longer runs, or when older than temp_max_age
// whatever the pid says (a live writer refreshes its temp's mtime with every append).
//
// LRU. An object's mtime is its last use: set at commit and on a hit (at most once per
// touch_interval, to spare a syscall per hit), always from the injected Clock. Nothing writes an
// object file after its rename, so the kernel never moves mtime behind our back (atime would
// depend on the mount's noatime/relatime).
//
// Size limit across processes. No process can know the exact total, so DIR/superd-usage holds a
// shared estimate (bytes, objects, time and outcome of the last scan), updated under flock by
// every commit and removal: one small pread/pwrite, nothing next to the fsyncs of a commit. The
// estimate drifts (a crash between rename and update, concurrent replacements); a scan replaces
// it with the truth. A scan walks all L1*L2 directories and stats every entry: O(L1*L2 +
// objects) syscalls and 24 bytes of memory per object (16*256 directories and 50,000 objects
// take about 0.1 s). It deletes least-recently-used objects until the total is under the low-water
// mark and removes stale temps. It runs when:
//   - a commit pushes the estimate over the high-water mark (at most once per 10% of the cache
//     written, given low 90 / high 95; throttled to once a minute when the last scan could not
//     get under the mark, e.g. undeletable files);
//   - the last scan is older than rescan_interval or the usage file is missing or unreadable
//     (checked on attach and on commit: a process started per connection pays one small read).
// One process scans at a time (flock LOCK_NB on superd-scan.lock; the others go on). The total
// may overshoot the limit by what is written while a scan runs; it never grows without bound.
//
// Errors. Disk full, permission denied, a vanished directory: an error result (the caller
// simply does not cache), never an exception or a crash. After fork(), attach a new Store: the
// flock'd descriptors would otherwise be shared with the parent.
#include "common/clock.hpp"
#include "proxy/object_meta.hpp"

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace superd::proxy {

struct StoreConfig {
    std::string dir;
    std::uint64_t max_bytes = 0;      // cache_dir's MB * 2^20
    unsigned l1 = 16;                 // 1..256
    unsigned l2 = 256;                // 1..256
    unsigned low_water_percent = 90;  // squid's cache_swap_low
    unsigned high_water_percent = 95; // squid's cache_swap_high
    // Largest body accepted; 0 = the low-water mark (anything larger would be evicted at once).
    std::uint64_t max_object_bytes = 0;
    std::chrono::seconds touch_interval{60};
    std::chrono::seconds rescan_interval{3600};
    std::chrono::seconds temp_grace{600};
    std::chrono::seconds temp_max_age{3600};
    // Test hook: replaces file_number_of, e.g. to force two keys onto one file.
    std::function<std::uint32_t(std::string_view key)> file_number;
};

// The default key → file number hash (FNV-1a 64 folded to 32 bits).
std::uint32_t file_number_of(std::string_view key);
// "L1/L2/NNNNNNNN" relative to the cache_dir, as squid's ufs lays it out.
std::string object_relative_path(std::uint32_t file_number, unsigned l1, unsigned l2);

// Creates DIR (with parents) and every L1 and L1/L2 directory; existing ones are kept.
std::expected<void, std::string> create_layout(const std::string& dir, unsigned l1, unsigned l2);

class Store;

// A stored object, opened: the descriptor stays valid if the file is replaced or removed
// meanwhile, so the body can be sent with sendfile(fd, body_offset + off, len).
class ObjectHandle {
  public:
    ObjectHandle() = default;
    ~ObjectHandle();
    ObjectHandle(ObjectHandle&& other) noexcept;
    ObjectHandle& operator=(ObjectHandle&& other) noexcept;
    ObjectHandle(const ObjectHandle&) = delete;
    ObjectHandle& operator=(const ObjectHandle&) = delete;

    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    const ObjectMeta& meta() const { return meta_; }
    std::uint64_t body_offset() const { return body_offset_; }
    std::uint64_t body_length() const { return meta_.body_length; }
    // Bytes [offset, offset+length) of the body (a range request); clipped at the body's end.
    std::expected<std::string, std::string> read_body(std::uint64_t offset,
                                                      std::size_t length) const;

  private:
    friend class Store;
    int fd_ = -1;
    std::string path_;
    ObjectMeta meta_;
    std::uint64_t body_offset_ = 0;
};

// Streams one object into a temp file. Not visible to any lookup until commit() succeeds.
// A failed append removes the temp and every later call fails. Destroying an uncommitted
// writer aborts it.
class ObjectWriter {
  public:
    ObjectWriter() = default;
    ~ObjectWriter();
    ObjectWriter(ObjectWriter&& other) noexcept;
    ObjectWriter& operator=(ObjectWriter&& other) noexcept;
    ObjectWriter(const ObjectWriter&) = delete;
    ObjectWriter& operator=(const ObjectWriter&) = delete;

    std::expected<void, std::string> append(std::string_view chunk);
    // Fills in body length and stored time, fsyncs, renames into place, fsyncs the directory.
    std::expected<void, std::string> commit();
    void abort();
    std::uint64_t body_bytes() const { return body_bytes_; }
    const std::string& temp_path() const { return temp_path_; }

  private:
    friend class Store;
    Store* store_ = nullptr;
    int fd_ = -1;
    std::string temp_path_;
    std::string final_path_;
    ObjectMeta meta_;
    std::uint64_t body_bytes_ = 0;
};

enum class MissReason {
    absent,       // no file for the key
    key_mismatch, // the file belongs to another key with the same file number
    corrupt,      // the file failed validation and was removed
    io_error,     // the file could not be read (permissions, EIO)
};

struct Miss {
    MissReason reason;
    std::string detail;
};

struct StoreStats {
    std::uint64_t objects = 0;
    std::uint64_t bytes = 0;
};

struct ScanResult {
    bool ran = false;          // false: another process holds the scan lock
    std::uint64_t objects = 0; // what remains
    std::uint64_t bytes = 0;
    std::uint64_t evicted_objects = 0;
    std::uint64_t evicted_bytes = 0;
    std::uint64_t temps_removed = 0;
    std::uint64_t strays_removed = 0; // objects in a directory their number does not map to
};

class Store {
  public:
    // Checks the config, creates the layout when missing, opens the usage file, and scans if
    // the last scan is stale. The clock must outlive the Store.
    static std::expected<std::unique_ptr<Store>, std::string> attach(StoreConfig config,
                                                                     const common::Clock& clock);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // A writer for meta.key; meta's body_length and stored_time are set at commit.
    std::expected<ObjectWriter, std::string> begin_write(ObjectMeta meta);
    // The object stored for `key`; a hit refreshes its LRU time.
    std::expected<ObjectHandle, Miss> open(std::string_view key);
    // After a 304: stores `meta` (same key) with the old object's body, copy-on-write + rename.
    std::expected<void, std::string> update_headers(const ObjectHandle& old, ObjectMeta meta);
    // Invalidation. True when an object for this key was removed.
    std::expected<bool, std::string> remove(std::string_view key);
    // The shared estimate (exact right after a scan).
    StoreStats stats() const;
    // Full scan now: exact totals, stale temps removed, LRU eviction to the low-water mark
    // when above the high-water mark.
    std::expected<ScanResult, std::string> scan();

    std::string path_for(std::string_view key) const;
    const StoreConfig& config() const { return config_; }

  private:
    friend class ObjectWriter;
    struct Usage {
        std::uint64_t bytes = 0;
        std::uint64_t objects = 0;
        std::int64_t last_scan = 0; // Unix seconds
        bool last_scan_ok = false;  // the last scan got under the high-water mark
        bool valid = false;         // the file parsed
    };

    Store(StoreConfig config, const common::Clock& clock, int usage_fd);
    std::int64_t now() const;
    std::uint64_t high_water() const;
    std::uint64_t low_water() const;
    std::uint64_t max_object() const;
    Usage read_usage() const;
    void write_usage(const Usage& usage) const;
    // Adds the deltas under the lock; returns the new estimate.
    Usage adjust_usage(std::int64_t bytes, std::int64_t objects) const;
    // Runs a scan when the estimate says one is due (see the header comment).
    void maybe_scan(const Usage& usage);
    void touch(int fd, std::int64_t mtime_sec);
    // Unlinks `path` if it still names the inode `fd` has open; adjusts the usage.
    void remove_if_same(const std::string& path, int fd);

    StoreConfig config_;
    const common::Clock& clock_;
    int usage_fd_ = -1;
};

} // namespace superd::proxy
