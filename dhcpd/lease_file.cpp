// LeaseFile: replay at start-up, group-committed appends, compaction. The durability rules are
// those of common/durable_file.hpp: an answer goes out only after the fdatasync that covers it,
// and a whole new file appears only by temp + fsync + rename + directory fsync.
#include "dhcpd/lease_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace superd::dhcp {

namespace {

std::unexpected<std::string> failure(const std::string& path, std::string_view what, int err) {
    return std::unexpected(path + ": " + std::string(what) + ": " + std::strerror(err));
}

class Fd {
  public:
    explicit Fd(int fd)
        : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

// The whole file, or std::nullopt if it does not exist.
std::expected<std::optional<std::string>, std::string> read_whole(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return std::optional<std::string>();
        return failure(path, "open", errno);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return failure(path, "fstat", errno);
    if (static_cast<std::uint64_t>(st.st_size) > max_lease_file_bytes)
        return failure(path, "larger than " + std::to_string(max_lease_file_bytes) + " bytes",
                       EFBIG);
    std::string text(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < text.size()) {
        ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failure(path, "read", errno);
        if (n == 0) break; // shrank under us; parse what is there
        got += static_cast<std::size_t>(n);
    }
    text.resize(got);
    return std::optional<std::string>(std::move(text));
}

// Cuts a torn last entry off, durably, so that the next append starts a fresh line instead of
// continuing the torn one (which would make the new entry unreadable too).
std::expected<void, std::string> truncate_to(const std::string& path, std::size_t size) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0) return failure(path, "open for truncation", errno);
    if (::ftruncate(fd.get(), static_cast<off_t>(size)) != 0)
        return failure(path, "ftruncate", errno);
    if (::fsync(fd.get()) != 0) return failure(path, "fsync", errno);
    return {};
}

bool same_file(const std::string& path, int fd) {
    struct stat a {
    }, b{};
    return ::stat(path.c_str(), &a) == 0 && ::fstat(fd, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

} // namespace

std::expected<LeaseFile, std::string> LeaseFile::open(const std::string& path) {
    LeaseFile lf;
    lf.path_ = path;
    auto text = read_whole(path);
    if (!text) return std::unexpected(text.error());
    if (!*text) {
        // Created whole, so that the directory entry is durable before any lease relies on it.
        const std::string header = lease_file_header();
        if (auto w = common::write_file_atomic(path, header); !w) return std::unexpected(w.error());
        *text = header;
    }
    lf.replayed_ = parse_lease_file(**text);
    const std::size_t keep = lf.replayed_.complete_bytes;
    if (lf.replayed_.torn_tail)
        if (auto t = truncate_to(path, keep); !t) return std::unexpected(t.error());
    lf.need_newline_ = keep > 0 && (**text)[keep - 1] != '\n';
    auto file = common::AppendFile::open(path);
    if (!file) return std::unexpected(file.error());
    lf.file_ = std::move(*file);
    return lf;
}

void LeaseFile::append(const Lease& lease) {
    if (pending_.empty() && need_newline_) pending_ += '\n';
    pending_ += format_lease(lease);
    ++pending_count_;
}

LeaseFile::Entries LeaseFile::take_pending() {
    Entries e{std::move(pending_), pending_count_};
    pending_.clear();
    pending_count_ = 0;
    // The taken entries start on a fresh line; if they never reach the file, the file is
    // failed() and only a compaction (which rewrites it whole) makes it usable again.
    need_newline_ = false;
    return e;
}

std::expected<void, std::string> LeaseFile::write_durably(const Entries& entries) {
    if (failed_)
        return std::unexpected(path_ + ": an earlier write or sync failed; nothing is durable "
                                       "until the file is compacted");
    if (entries.count == 0) return {};
    auto done = file_.append(entries.text);
    if (done) done = file_.sync();
    if (!done) {
        failed_ = true;
        return std::unexpected(done.error());
    }
    return {};
}

std::expected<void, std::string> LeaseFile::commit() {
    return write_durably(take_pending());
}

std::expected<void, std::string> LeaseFile::rewrite(std::span<const Lease> current) {
    std::string data = lease_file_header();
    for (const Lease& lease : current)
        data += format_lease(lease);
    // Keep whatever mode the operator gave the file.
    mode_t mode = 0644;
    struct stat st {};
    if (file_.is_open() && ::fstat(file_.fd(), &st) == 0) mode = st.st_mode & 07777;
    if (auto w = common::write_file_atomic(path_, data, mode); !w) {
        // Failing after the rename (directory fsync) leaves our descriptor on the replaced file:
        // appends there would be lost, so stop committing until a compaction succeeds.
        if (file_.is_open() && !same_file(path_, file_.fd())) failed_ = true;
        return std::unexpected(w.error());
    }
    auto file = common::AppendFile::open(path_);
    if (!file) {
        failed_ = true;
        file_.close();
        return std::unexpected(file.error());
    }
    file_ = std::move(*file);
    failed_ = false;
    return {};
}

std::expected<void, std::string> LeaseFile::compact(std::span<const Lease> current) {
    if (auto ok = rewrite(current); !ok) return ok;
    pending_.clear();
    pending_count_ = 0;
    need_newline_ = false;
    return {};
}

} // namespace superd::dhcp
