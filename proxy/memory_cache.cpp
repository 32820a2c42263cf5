#include "proxy/memory_cache.hpp"

namespace superd::proxy {

std::uint64_t MemoryCache::cost(const CachedObject& object) {
    // The body plus what the metadata holds: a cache of many tiny objects is bounded too.
    return object.body.size() + object.fields.size() + object.key.size() + 256;
}

std::shared_ptr<const CachedObject> MemoryCache::find(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return *it->second;
}

bool MemoryCache::put(std::shared_ptr<const CachedObject> object) {
    erase(object->key);
    if (!fits(object->body_length) || cost(*object) > capacity_) return false;
    bytes_ += cost(*object);
    lru_.push_front(object);
    index_.emplace(object->key, lru_.begin());
    while (bytes_ > capacity_ && !lru_.empty()) {
        bytes_ -= cost(*lru_.back());
        index_.erase(lru_.back()->key);
        lru_.pop_back();
    }
    return true;
}

void MemoryCache::erase(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return;
    bytes_ -= cost(**it->second);
    lru_.erase(it->second);
    index_.erase(it);
}

} // namespace superd::proxy
