#pragma once
// The cache as the sessions see it: the memory cache (cache_mem) in front of the ufs store
// (cache_dir), Vary markers, and the disk work that must not stall the event loop. Lookups,
// object writes (page-cache writes) and removals run on the loop's thread; commits and header
// updates, which fsync, run in order on one disk thread, so a client is answered while its
// object is made durable. A commit that fails only loses a cache entry. Destroying the Cache
// waits for queued commits.
#include "proxy/cached_object.hpp"
#include "proxy/config.hpp"
#include "proxy/memory_cache.hpp"
#include "proxy/store.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <spdlog/logger.h>

namespace superd::proxy {

struct CacheStats {
    std::uint64_t objects = 0, bytes = 0, capacity = 0;
};

class Cache {
  public:
    // `store` may be null: memory only (no cache_dir, or it could not be attached).
    Cache(const Config& config, std::unique_ptr<Store> store, const common::Clock& clock,
          std::shared_ptr<spdlog::logger> log);
    ~Cache();
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;

    struct Found {
        std::shared_ptr<const CachedObject> object;
        std::optional<ObjectHandle> disk; // the body, when the object is not in memory
        bool from_memory = false;         // a memory hit (squid's TCP_MEM_HIT)
    };
    // The stored response that `request` for `url` selects (Vary applied), or nullopt.
    std::optional<Found> lookup(const std::string& url, const RequestHeader& request);

    // Receives one response's body as it is relayed; commit() when it has all arrived.
    // Dropping a Fill without commit() stores nothing.
    class Fill {
      public:
        ~Fill();
        void append(std::string_view data);
        void commit();
        bool active() const { return memory_ok_ || writer_.has_value(); }

      private:
        friend class Cache;
        explicit Fill(Cache& cache)
            : cache_(cache) {}
        Cache& cache_;
        std::string url_, key_, vary_;
        ObjectMeta meta_;
        std::uint64_t limit_ = 0;
        std::uint64_t received_ = 0;
        bool memory_ok_ = false;
        std::string body_;
        std::optional<ObjectWriter> writer_;
    };
    // Starts storing `header` (already as it is to be stored: hop-by-hop fields removed) for
    // `url`. `vary_key` is vary_key()'s result for the request ("" without Vary). nullptr when
    // the object cannot be stored anywhere (too large, cache_dir no-store and no memory room).
    std::unique_ptr<Fill> begin_fill(const std::string& url, const std::string& vary_key,
                                     const ResponseHeader& header, EntryTimes times,
                                     std::optional<std::uint64_t> content_length, bool memory_only);

    // A 304 freshened `found`: store its new header and times (memory now, disk in order).
    // Returns the object as now stored (with its body when that is in memory).
    std::shared_ptr<const CachedObject> refresh(const Found& found, const ResponseHeader& header,
                                                EntryTimes times);
    // Removes the object `request` would select for `url`, and its Vary marker.
    void invalidate(const std::string& url, const RequestHeader& request);

    CacheStats memory_stats() const;
    // Objects kept out of the disk cache because the disk thread was behind.
    std::uint64_t disk_skipped() const { return disk_skipped_; }
    std::optional<CacheStats> disk_stats() const;
    const common::Clock& clock() const { return clock_; }

  private:
    std::string key_for(const std::string& url, const ResponseHeader& marker,
                        const RequestHeader& request, bool& selectable) const;
    std::optional<Found> open_disk(const std::string& key);
    void commit_to_disk(ObjectWriter writer, std::optional<ObjectMeta> marker);

    const Config& config_;
    std::unique_ptr<Store> store_;
    const common::Clock& clock_;
    std::shared_ptr<spdlog::logger> log_;
    MemoryCache memory_;
    std::uint64_t max_object_;
    std::uint64_t disk_min_ = 0;
    std::uint64_t disk_max_ = 0;
    bool disk_store_ = false;
    // Commits queued for the disk thread. Each holds a descriptor, and fill can outrun fsync:
    // past the bound, new objects stay in memory only (counted in disk_skipped).
    static constexpr int max_pending_commits = 128;
    // Keys just found absent on disk, and until when to believe it: a miss then costs no
    // open(2), whose path walk is the dearest part of a miss. Another process's new object is
    // seen at most absent_ttl late (a miss meanwhile: correct, only less efficient).
    static constexpr std::chrono::seconds absent_ttl{1};
    static constexpr std::size_t max_absent = 65536;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> absent_;
    std::atomic<int> pending_commits_{0};
    std::uint64_t disk_skipped_ = 0;
    boost::asio::thread_pool disk_thread_{1};
};

// Attaches the config's cache_dir (nullptr without one); an error names the directory.
std::expected<std::unique_ptr<Store>, std::string> attach_cache_dir(const Config& config,
                                                                    const common::Clock& clock);

} // namespace superd::proxy
