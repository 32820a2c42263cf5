#include "proxy/cache.hpp"

#include "proxy/vary.hpp"

#include <boost/asio/post.hpp>

namespace superd::proxy {
namespace {

std::int64_t unix_now(const common::Clock& clock) {
    return std::chrono::duration_cast<std::chrono::seconds>(clock.wall().time_since_epoch())
        .count();
}

// Counts a queued disk job as done however it ends.
struct PendingDone {
    std::atomic<int>& pending;
    ~PendingDone() { --pending; }
};

} // namespace

std::expected<std::unique_ptr<Store>, std::string> attach_cache_dir(const Config& config,
                                                                    const common::Clock& clock) {
    if (!config.cache_dir) return std::unique_ptr<Store>();
    const CacheDir& dir = *config.cache_dir;
    StoreConfig sc;
    sc.dir = dir.path;
    sc.max_bytes = dir.size_mb * MiB;
    sc.l1 = static_cast<unsigned>(dir.l1);
    sc.l2 = static_cast<unsigned>(dir.l2);
    sc.max_object_bytes = dir.max_size.value_or(config.maximum_object_size.value);
    auto store = Store::attach(sc, clock);
    if (!store) return std::unexpected("cache_dir " + dir.path + ": " + store.error());
    return std::move(*store);
}

Cache::Cache(const Config& config, std::unique_ptr<Store> store, const common::Clock& clock,
             std::shared_ptr<spdlog::logger> log)
    : config_(config)
    , store_(std::move(store))
    , clock_(clock)
    , log_(std::move(log))
    , memory_(config.cache_mem.value, config.maximum_object_size_in_memory.value)
    , max_object_(config.maximum_object_size.value) {
    if (store_ && config.cache_dir && !config.cache_dir->no_store) {
        disk_store_ = true;
        disk_min_ = config.cache_dir->min_size;
        disk_max_ = config.cache_dir->max_size.value_or(max_object_);
    }
}

Cache::~Cache() {
    disk_thread_.join();
}

std::string Cache::key_for(const std::string& url, const ResponseHeader& marker,
                           const RequestHeader& request, bool& selectable) const {
    auto secondary = vary_key(request, marker);
    selectable = secondary.has_value();
    return secondary ? make_cache_key(url, *secondary) : std::string();
}

std::optional<Cache::Found> Cache::open_disk(const std::string& key) {
    if (!store_) return std::nullopt;
    const auto now = clock_.steady();
    if (auto it = absent_.find(key); it != absent_.end()) {
        if (now < it->second) return std::nullopt;
        absent_.erase(it);
    }
    auto handle = store_->open(key);
    if (!handle) {
        if (handle.error().reason == MissReason::absent) {
            if (absent_.size() >= max_absent) absent_.clear();
            absent_.emplace(key, now + absent_ttl);
        }
        if (handle.error().reason == MissReason::corrupt ||
            handle.error().reason == MissReason::io_error)
            log_->warn("cache: {}: {}", key, handle.error().detail);
        return std::nullopt;
    }
    const ObjectMeta& meta = handle->meta();
    auto object = make_cached_object(meta.key, meta.status, meta.header_block,
                                     {meta.request_time, meta.response_time}, meta.stored_time,
                                     meta.body_length);
    if (!object) {
        log_->warn("cache: {}: stored header does not parse; ignored", key);
        return std::nullopt;
    }
    Found found;
    // Small objects move into memory: the next hit costs no system call.
    if (!is_vary_marker(object->header) && memory_.fits(object->body_length)) {
        auto body = handle->read_body(0, object->body_length);
        if (body && body->size() == object->body_length) {
            object->body = std::move(*body);
            object->in_memory = true;
            auto shared = std::make_shared<const CachedObject>(std::move(*object));
            memory_.put(shared);
            found.object = std::move(shared);
            return found;
        }
    }
    if (is_vary_marker(object->header)) {
        object->in_memory = true; // a marker has no body
        auto shared = std::make_shared<const CachedObject>(std::move(*object));
        memory_.put(shared);
        found.object = std::move(shared);
        return found;
    }
    found.object = std::make_shared<const CachedObject>(std::move(*object));
    found.disk = std::move(*handle);
    return found;
}

std::optional<Cache::Found> Cache::lookup(const std::string& url, const RequestHeader& request) {
    auto find = [&](const std::string& key) -> std::optional<Found> {
        if (auto object = memory_.find(key)) return Found{std::move(object), std::nullopt, true};
        return open_disk(key);
    };
    auto found = find(url);
    if (!found || !is_vary_marker(found->object->header)) return found;
    bool selectable = false;
    std::string key = key_for(url, found->object->header, request, selectable);
    if (!selectable) return std::nullopt;
    return find(key);
}

std::unique_ptr<Cache::Fill> Cache::begin_fill(const std::string& url, const std::string& vary,
                                               const ResponseHeader& header, EntryTimes times,
                                               std::optional<std::uint64_t> content_length,
                                               bool memory_only) {
    std::uint64_t known = content_length.value_or(0);
    if (known > max_object_) return nullptr;
    std::unique_ptr<Fill> fill(new Fill(*this));
    fill->url_ = url;
    fill->vary_ = vary;
    fill->key_ = vary.empty() ? url : make_cache_key(url, vary);
    absent_.erase(url);
    absent_.erase(fill->key_);
    fill->limit_ = max_object_;
    fill->memory_ok_ = memory_.fits(known);
    fill->meta_.key = fill->key_;
    fill->meta_.status = static_cast<std::uint16_t>(header.result_int());
    fill->meta_.request_time = times.request_time;
    fill->meta_.response_time = times.response_time;
    fill->meta_.header_block = header_block_of(header);
    bool disk_wanted = disk_store_ && !memory_only && known <= disk_max_ &&
                       (!content_length || known >= disk_min_);
    if (disk_wanted && pending_commits_.load() >= max_pending_commits) {
        ++disk_skipped_;
        disk_wanted = false;
    }
    if (disk_wanted) {
        auto writer = store_->begin_write(fill->meta_);
        if (writer)
            fill->writer_.emplace(std::move(*writer));
        else
            log_->warn("cache: {}: {}", fill->key_, writer.error());
    }
    if (!fill->active()) return nullptr;
    return fill;
}

Cache::Fill::~Fill() = default;

void Cache::Fill::append(std::string_view data) {
    received_ += data.size();
    if (received_ > limit_) { // larger than maximum_object_size: store nothing
        memory_ok_ = false;
        body_.clear();
        writer_.reset();
        return;
    }
    if (memory_ok_) {
        if (cache_.memory_.fits(received_))
            body_.append(data);
        else {
            memory_ok_ = false;
            body_.clear();
            body_.shrink_to_fit();
        }
    }
    if (writer_) {
        if (received_ > cache_.disk_max_) {
            writer_.reset();
        } else if (auto ok = writer_->append(data); !ok) {
            cache_.log_->warn("cache: {}: {}", key_, ok.error());
            writer_.reset();
        }
    }
}

void Cache::Fill::commit() {
    const std::int64_t now = unix_now(cache_.clock_);
    std::optional<ObjectMeta> marker;
    if (!vary_.empty()) {
        marker.emplace();
        marker->key = url_;
        marker->status = 200;
        marker->request_time = meta_.request_time;
        marker->response_time = meta_.response_time;
        auto header = parse_header_block(meta_.header_block);
        marker->header_block = vary_marker_block(header ? std::string((*header)[http::field::vary])
                                                        : std::string("*"));
        auto object = make_cached_object(url_, 200, marker->header_block,
                                         {meta_.request_time, meta_.response_time}, now, 0);
        if (object) {
            object->in_memory = true;
            cache_.memory_.put(std::make_shared<const CachedObject>(std::move(*object)));
        }
    } else {
        cache_.memory_.erase(url_);
    }
    if (memory_ok_) {
        auto object = make_cached_object(key_, meta_.status, meta_.header_block,
                                         {meta_.request_time, meta_.response_time}, now, received_);
        if (object) {
            object->body = std::move(body_);
            object->in_memory = true;
            cache_.memory_.put(std::make_shared<const CachedObject>(std::move(*object)));
        }
    } else {
        cache_.memory_.erase(key_);
    }
    if (writer_) {
        if (received_ < cache_.disk_min_) {
            writer_.reset();
        } else {
            cache_.commit_to_disk(std::move(*writer_), std::move(marker));
            writer_.reset();
        }
    }
}

void Cache::commit_to_disk(ObjectWriter writer, std::optional<ObjectMeta> marker) {
    ++pending_commits_;
    boost::asio::post(disk_thread_, [this, w = std::move(writer), m = std::move(marker)]() mutable {
        PendingDone done{pending_commits_};
        if (m) {
            auto mw = store_->begin_write(*m);
            if (auto ok = mw ? mw->commit() : std::unexpected(mw.error()); !ok) {
                log_->warn("cache: vary marker {}: {}", m->key, ok.error());
                return; // without its marker the variant would never be found
            }
        }
        if (auto ok = w.commit(); !ok) log_->warn("cache: commit: {}", ok.error());
    });
}

std::shared_ptr<const CachedObject> Cache::refresh(const Found& found, const ResponseHeader& header,
                                                   EntryTimes times) {
    const CachedObject& old = *found.object;
    const std::int64_t now = unix_now(clock_);
    std::string block = header_block_of(header);
    auto object = make_cached_object(old.key, static_cast<std::uint16_t>(old.header.result_int()),
                                     block, times, now, old.body_length);
    if (!object) return found.object; // cannot happen: the header came from a parsed one
    std::shared_ptr<const CachedObject> updated;
    if (old.in_memory) {
        object->body = old.body;
        object->in_memory = true;
        updated = std::make_shared<const CachedObject>(std::move(*object));
        memory_.put(updated);
    } else {
        updated = std::make_shared<const CachedObject>(std::move(*object));
    }
    if (!store_) return updated;
    auto handle = store_->open(old.key);
    if (!handle) return updated;
    ObjectMeta meta = handle->meta();
    meta.header_block = std::move(block);
    meta.request_time = times.request_time;
    meta.response_time = times.response_time;
    if (pending_commits_.load() >= max_pending_commits) return updated; // stays in memory
    ++pending_commits_;
    boost::asio::post(disk_thread_, [this, h = std::move(*handle), m = std::move(meta)]() mutable {
        PendingDone done{pending_commits_};
        if (auto ok = store_->update_headers(h, std::move(m)); !ok)
            log_->warn("cache: refresh {}: {}", h.meta().key, ok.error());
    });
    return updated;
}

void Cache::invalidate(const std::string& url, const RequestHeader& request) {
    std::vector<std::string> keys{url};
    if (auto marker = lookup(url, request); marker) keys.push_back(marker->object->key);
    for (const auto& key : keys) {
        memory_.erase(key);
        if (store_)
            if (auto removed = store_->remove(key); !removed)
                log_->warn("cache: invalidate {}: {}", key, removed.error());
    }
}

CacheStats Cache::memory_stats() const {
    return {memory_.objects(), memory_.bytes(), memory_.capacity()};
}

std::optional<CacheStats> Cache::disk_stats() const {
    if (!store_) return std::nullopt;
    auto s = store_->stats();
    return CacheStats{s.objects, s.bytes, store_->config().max_bytes};
}

} // namespace superd::proxy
