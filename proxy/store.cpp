#include "proxy/store.hpp"

#include "proxy/store_io.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace superd::proxy {

using detail::sys_error;

namespace {

constexpr mode_t kObjectMode = 0640;
constexpr std::size_t kCopyChunk = 64 * 1024;

// Unique within the process; with the pid unique across the processes sharing the cache_dir.
std::uint64_t next_temp_number() {
    static std::atomic<std::uint64_t> counter{0};
    return counter.fetch_add(1, std::memory_order_relaxed);
}

bool still_names(const std::string& path, int fd) {
    struct stat by_fd {
    }, by_name{};
    if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_name) != 0) return false;
    return by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino;
}

} // namespace

namespace detail {

int pwrite_full(int fd, std::string_view data, off_t offset) {
    while (!data.empty()) {
        ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += n;
    }
    return 0;
}

int write_full(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return 0;
}

int pread_full(int fd, char* out, std::size_t size, off_t offset) {
    while (size > 0) {
        ssize_t n = ::pread(fd, out, size, offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        out += n;
        size -= static_cast<std::size_t>(n);
        offset += n;
    }
    return 0;
}

std::string parent_directory(const std::string& path) {
    std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

int sync_parent_directory(const std::string& path) {
    int fd = ::open(parent_directory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

} // namespace detail

// ---- ObjectHandle ----

ObjectHandle::~ObjectHandle() {
    if (fd_ >= 0) ::close(fd_);
}

ObjectHandle::ObjectHandle(ObjectHandle&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , path_(std::move(other.path_))
    , meta_(std::move(other.meta_))
    , body_offset_(other.body_offset_) {}

ObjectHandle& ObjectHandle::operator=(ObjectHandle&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        meta_ = std::move(other.meta_);
        body_offset_ = other.body_offset_;
    }
    return *this;
}

std::expected<std::string, std::string> ObjectHandle::read_body(std::uint64_t offset,
                                                                std::size_t length) const {
    if (fd_ < 0) return std::unexpected("no object");
    if (offset > meta_.body_length) return std::unexpected("range starts past the body");
    std::uint64_t n = std::min<std::uint64_t>(length, meta_.body_length - offset);
    std::string out(n, '\0');
    if (int err = detail::pread_full(fd_, out.data(), n, static_cast<off_t>(body_offset_ + offset));
        err != 0)
        return sys_error(path_, "read", err);
    return out;
}

// ---- ObjectWriter ----

ObjectWriter::~ObjectWriter() {
    abort();
}

ObjectWriter::ObjectWriter(ObjectWriter&& other) noexcept
    : store_(std::exchange(other.store_, nullptr))
    , fd_(std::exchange(other.fd_, -1))
    , temp_path_(std::move(other.temp_path_))
    , final_path_(std::move(other.final_path_))
    , meta_(std::move(other.meta_))
    , body_bytes_(other.body_bytes_) {}

ObjectWriter& ObjectWriter::operator=(ObjectWriter&& other) noexcept {
    if (this != &other) {
        abort();
        store_ = std::exchange(other.store_, nullptr);
        fd_ = std::exchange(other.fd_, -1);
        temp_path_ = std::move(other.temp_path_);
        final_path_ = std::move(other.final_path_);
        meta_ = std::move(other.meta_);
        body_bytes_ = other.body_bytes_;
    }
    return *this;
}

void ObjectWriter::abort() {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
}

std::expected<void, std::string> ObjectWriter::append(std::string_view chunk) {
    if (fd_ < 0) return std::unexpected(temp_path_ + ": writer is closed");
    if (chunk.size() > store_->max_object() - body_bytes_) {
        abort();
        return std::unexpected(final_path_ + ": object larger than the cache accepts");
    }
    if (int err = detail::write_full(fd_, chunk); err != 0) {
        abort(); // ENOSPC, EIO: nothing half-written may stay behind
        return sys_error(temp_path_, "write", err);
    }
    body_bytes_ += chunk.size();
    return {};
}

std::expected<void, std::string> ObjectWriter::commit() {
    if (fd_ < 0) return std::unexpected(temp_path_ + ": writer is closed");
    auto fail = [this](std::string_view what, int err) {
        abort();
        return sys_error(temp_path_, what, err);
    };
    meta_.body_length = body_bytes_;
    meta_.stored_time = store_->now();
    if (int err = detail::pwrite_full(fd_, encode_fixed(meta_), 0); err != 0)
        return fail("write metadata", err);
    // The LRU clock starts at the commit.
    const struct timespec times[2] = {{0, UTIME_OMIT}, {meta_.stored_time, 0}};
    if (::futimens(fd_, times) != 0) return fail("futimens", errno);
    if (::fsync(fd_) != 0) return fail("fsync", errno);

    // The replaced version's size, for the usage estimate (approximate if raced).
    struct stat old {};
    bool replacing = ::stat(final_path_.c_str(), &old) == 0;
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) return fail("rename", errno);
    ::close(fd_);
    fd_ = -1;
    std::uint64_t size =
        kObjectFixedSize + meta_.key.size() + meta_.header_block.size() + meta_.body_length;
    // Account before the directory fsync: the object is already visible to other processes.
    auto usage = store_->adjust_usage(
        static_cast<std::int64_t>(size) - (replacing ? old.st_size : 0), replacing ? 0 : 1);
    if (int err = detail::sync_parent_directory(final_path_); err != 0)
        return sys_error(final_path_, "fsync directory", err);
    store_->maybe_scan(usage);
    return {};
}

// ---- Store ----

std::uint32_t file_number_of(std::string_view key) {
    std::uint64_t h = fnv1a64(key);
    return static_cast<std::uint32_t>(h ^ (h >> 32));
}

std::string object_relative_path(std::uint32_t file_number, unsigned l1, unsigned l2) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02X/%02X/%08X", (file_number / l2 / l2) % l1,
                  (file_number / l2) % l2, file_number);
    return buf;
}

Store::Store(StoreConfig config, const common::Clock& clock, int usage_fd)
    : config_(std::move(config))
    , clock_(clock)
    , usage_fd_(usage_fd) {}

Store::~Store() {
    if (usage_fd_ >= 0) ::close(usage_fd_);
}

std::int64_t Store::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_.wall().time_since_epoch())
        .count();
}

std::uint64_t Store::high_water() const {
    return config_.max_bytes / 100 * config_.high_water_percent +
           config_.max_bytes % 100 * config_.high_water_percent / 100;
}

std::uint64_t Store::low_water() const {
    return config_.max_bytes / 100 * config_.low_water_percent +
           config_.max_bytes % 100 * config_.low_water_percent / 100;
}

std::uint64_t Store::max_object() const {
    return config_.max_object_bytes != 0 ? std::min(config_.max_object_bytes, low_water())
                                         : low_water();
}

std::string Store::path_for(std::string_view key) const {
    std::uint32_t n = config_.file_number ? config_.file_number(key) : file_number_of(key);
    return config_.dir + "/" + object_relative_path(n, config_.l1, config_.l2);
}

std::expected<ObjectWriter, std::string> Store::begin_write(ObjectMeta meta) {
    meta.body_length = 0;
    if (auto ok = validate_meta(meta); !ok)
        return std::unexpected(config_.dir + ": not storing object: " + ok.error());
    ObjectWriter w;
    w.store_ = this;
    w.final_path_ = path_for(meta.key);
    const std::string dir = detail::parent_directory(w.final_path_);
    for (int attempt = 0; w.fd_ < 0; ++attempt) {
        w.temp_path_ =
            dir + "/.tmp." + std::to_string(::getpid()) + "." + std::to_string(next_temp_number());
        w.fd_ = ::open(w.temp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, kObjectMode);
        if (w.fd_ >= 0) break;
        int err = errno;
        if (err == EEXIST && attempt < 8) continue; // a stale temp of a reused pid
        if (err == ENOENT && attempt == 0) {        // someone removed the tree: rebuild it
            if (auto made = create_layout(config_.dir, config_.l1, config_.l2); made) continue;
        }
        return sys_error(w.temp_path_, "create", err);
    }
    if (::fchmod(w.fd_, kObjectMode) != 0) {
        int err = errno;
        w.abort();
        return sys_error(w.temp_path_, "fchmod", err);
    }
    // Zeroed fixed part (no magic until commit), then key and header block.
    std::string head(kObjectFixedSize, '\0');
    head += meta.key;
    head += meta.header_block;
    if (int err = detail::write_full(w.fd_, head); err != 0) {
        w.abort();
        return sys_error(w.temp_path_, "write", err);
    }
    w.meta_ = std::move(meta);
    return w;
}

std::expected<ObjectHandle, Miss> Store::open(std::string_view key) {
    ObjectHandle h;
    h.path_ = path_for(key);
    h.fd_ = ::open(h.path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (h.fd_ < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) return std::unexpected(Miss{MissReason::absent, {}});
        return std::unexpected(Miss{MissReason::io_error, sys_error(h.path_, "open", err).error()});
    }
    auto corrupt = [&](std::string why) {
        remove_if_same(h.path_, h.fd_);
        return std::unexpected(Miss{MissReason::corrupt, h.path_ + ": " + why + " (removed)"});
    };
    struct stat st {};
    if (::fstat(h.fd_, &st) != 0)
        return std::unexpected(
            Miss{MissReason::io_error, sys_error(h.path_, "fstat", errno).error()});
    if (!S_ISREG(st.st_mode)) return corrupt("not a regular file");
    const auto file_size = static_cast<std::uint64_t>(st.st_size);
    std::string prefix(std::min<std::uint64_t>(file_size, kObjectFixedSize), '\0');
    if (int err = detail::pread_full(h.fd_, prefix.data(), prefix.size(), 0); err != 0)
        return std::unexpected(Miss{MissReason::io_error, sys_error(h.path_, "read", err).error()});
    auto bytes = [&] {
        return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(prefix.data()),
                                             prefix.size());
    };
    auto needed = meta_size_needed(bytes());
    if (!needed) return corrupt(needed.error());
    if (*needed > file_size) return corrupt("file shorter than its metadata");
    std::size_t have = prefix.size();
    prefix.resize(*needed);
    if (int err = detail::pread_full(h.fd_, prefix.data() + have, prefix.size() - have,
                                     static_cast<off_t>(have));
        err != 0)
        return std::unexpected(Miss{MissReason::io_error, sys_error(h.path_, "read", err).error()});
    auto parsed = read_meta(bytes(), file_size);
    if (!parsed) return corrupt(parsed.error());
    if (parsed->meta.key != key)
        return std::unexpected(Miss{MissReason::key_mismatch, h.path_ + ": holds another key"});
    h.meta_ = std::move(parsed->meta);
    h.body_offset_ = parsed->body_offset;
    touch(h.fd_, st.st_mtim.tv_sec);
    return h;
}

void Store::touch(int fd, std::int64_t mtime_sec) {
    std::int64_t t = now();
    if (t - mtime_sec < config_.touch_interval.count()) return;
    const struct timespec times[2] = {{0, UTIME_OMIT}, {t, 0}};
    ::futimens(fd, times); // best effort: a missed touch only ages the object
}

void Store::remove_if_same(const std::string& path, int fd) {
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !still_names(path, fd)) return;
    if (::unlink(path.c_str()) != 0) return;
    adjust_usage(-static_cast<std::int64_t>(st.st_size), -1);
}

std::expected<bool, std::string> Store::remove(std::string_view key) {
    auto h = open(key);
    if (!h) {
        switch (h.error().reason) {
        case MissReason::absent:
        case MissReason::key_mismatch:
            return false;
        case MissReason::corrupt:
            return true;
        case MissReason::io_error:
            return std::unexpected(h.error().detail);
        }
    }
    struct stat st {};
    if (::fstat(h->fd(), &st) != 0) return sys_error(h->path(), "fstat", errno);
    if (!still_names(h->path(), h->fd())) return false; // replaced meanwhile: a newer object
    if (::unlink(h->path().c_str()) != 0) {
        if (errno == ENOENT) return false;
        return sys_error(h->path(), "unlink", errno);
    }
    adjust_usage(-static_cast<std::int64_t>(st.st_size), -1);
    // Durable invalidation: a crash must not bring back an object the origin said is stale.
    if (int err = detail::sync_parent_directory(h->path()); err != 0)
        return sys_error(h->path(), "fsync directory", err);
    return true;
}

std::expected<void, std::string> Store::update_headers(const ObjectHandle& old, ObjectMeta meta) {
    if (meta.key != old.meta().key) return std::unexpected(old.path() + ": key changed on update");
    auto w = begin_write(std::move(meta));
    if (!w) return std::unexpected(w.error());
    std::uint64_t at = 0;
    while (at < old.body_length()) {
        auto chunk = old.read_body(at, kCopyChunk);
        if (!chunk) return std::unexpected(chunk.error());
        if (auto ok = w->append(*chunk); !ok) return ok;
        at += chunk->size();
    }
    return w->commit();
}

} // namespace superd::proxy
