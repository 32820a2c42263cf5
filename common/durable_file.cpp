#include "common/durable_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace superd::common {

namespace {

std::unexpected<std::string> failure(const std::string& path, std::string_view what, int err) {
    return std::unexpected(path + ": " + std::string(what) + ": " + std::strerror(err));
}

// Writes all of data, retrying short writes and EINTR. Returns 0 or an errno value.
int write_all(int fd, std::string_view data) {
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

std::string directory_of(const std::string& path) {
    std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

} // namespace

std::expected<void, std::string> write_file_atomic(const std::string& path, std::string_view data,
                                                   mode_t mode) {
    const std::string temp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return failure(path, "create " + temp, errno);

    // From here on, any failure removes the temporary and leaves PATH as it was.
    auto abandon = [&](std::string_view what, int err) {
        if (fd >= 0) ::close(fd);
        ::unlink(temp.c_str());
        return failure(path, what, err);
    };
    // The umask must not weaken or widen the mode the caller asked for.
    if (::fchmod(fd, mode) != 0) return abandon("fchmod " + temp, errno);
    if (int err = write_all(fd, data); err != 0) return abandon("write " + temp, err);
    if (::fsync(fd) != 0) return abandon("fsync " + temp, errno);
    int rc = ::close(fd);
    fd = -1;
    if (rc != 0) return abandon("close " + temp, errno);
    if (::rename(temp.c_str(), path.c_str()) != 0) return abandon("rename " + temp, errno);

    // The rename is only durable once the directory entry is.
    const std::string dir = directory_of(path);
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return failure(path, "open directory " + dir, errno);
    if (::fsync(dir_fd) != 0) {
        int err = errno;
        ::close(dir_fd);
        return failure(path, "fsync directory " + dir, err);
    }
    ::close(dir_fd);
    return {};
}

AppendFile::~AppendFile() {
    close();
}

AppendFile::AppendFile(AppendFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1))
    , path_(std::move(other.path_)) {}

AppendFile& AppendFile::operator=(AppendFile&& other) noexcept {
    if (this != &other) {
        close();
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
    }
    return *this;
}

std::expected<AppendFile, std::string> AppendFile::open(const std::string& path, mode_t mode) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
    if (fd < 0) return failure(path, "open", errno);
    AppendFile file;
    file.fd_ = fd;
    file.path_ = path;
    return file;
}

std::expected<void, std::string> AppendFile::append(std::string_view data) {
    if (fd_ < 0) return failure(path_, "write", EBADF);
    if (int err = write_all(fd_, data); err != 0) return failure(path_, "write", err);
    return {};
}

std::expected<void, std::string> AppendFile::sync() {
    if (fd_ < 0) return failure(path_, "fdatasync", EBADF);
    if (::fdatasync(fd_) != 0) return failure(path_, "fdatasync", errno);
    return {};
}

off_t AppendFile::size() const {
    struct stat st {};
    if (fd_ < 0 || ::fstat(fd_, &st) != 0) return -1;
    return st.st_size;
}

void AppendFile::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

} // namespace superd::common
