#pragma once
// `cache_mem`: the hot objects of this process in memory, least recently used first out. One
// process's (superd may start several proxies; they share only the disk cache). Objects are
// immutable once in: a 304 that refreshes headers puts a new one in place, so a hit being
// served keeps the copy it started with.
#include "proxy/cached_object.hpp"

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

namespace superd::proxy {

class MemoryCache {
  public:
    MemoryCache(std::uint64_t capacity_bytes, std::uint64_t max_object_bytes)
        : capacity_(capacity_bytes)
        , max_object_(max_object_bytes) {}

    // The object for `key`, now the most recently used; nullptr when absent.
    std::shared_ptr<const CachedObject> find(const std::string& key);
    // Stores (or replaces) it; false when it does not fit the limits (then an older copy under
    // the key is dropped too, since it is outdated).
    bool put(std::shared_ptr<const CachedObject> object);
    void erase(const std::string& key);

    bool fits(std::uint64_t body_bytes) const {
        return body_bytes <= max_object_ && body_bytes <= capacity_;
    }
    std::uint64_t objects() const { return index_.size(); }
    std::uint64_t bytes() const { return bytes_; }
    std::uint64_t capacity() const { return capacity_; }

  private:
    using Lru = std::list<std::shared_ptr<const CachedObject>>;
    static std::uint64_t cost(const CachedObject& object);

    std::uint64_t capacity_;
    std::uint64_t max_object_;
    std::uint64_t bytes_ = 0;
    Lru lru_; // front: most recently used
    std::unordered_map<std::string, Lru::iterator> index_;
};

} // namespace superd::proxy
