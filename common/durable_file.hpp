#pragma once
// Crash-safe state files: whole files by temp + fsync + rename + directory fsync, and
// append-only logs made durable with fdatasync before the caller acknowledges anything.
#include <expected>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace superd::common {

// Writes PATH.tmp.<pid>, fsyncs it, renames it over PATH and fsyncs the directory.
// On error the old PATH is untouched and the temporary is removed. Error: "PATH: what failed".
std::expected<void, std::string> write_file_atomic(const std::string& path, std::string_view data,
                                                   mode_t mode = 0644);

class AppendFile {
  public:
    AppendFile() = default;
    ~AppendFile();
    AppendFile(AppendFile&& other) noexcept;
    AppendFile& operator=(AppendFile&& other) noexcept;
    AppendFile(const AppendFile&) = delete;
    AppendFile& operator=(const AppendFile&) = delete;

    // O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC.
    static std::expected<AppendFile, std::string> open(const std::string& path, mode_t mode = 0644);
    // Writes all of data (retrying short writes and EINTR); not yet durable.
    std::expected<void, std::string> append(std::string_view data);
    // fdatasync: everything appended so far is durable when this returns.
    std::expected<void, std::string> sync();
    bool is_open() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    off_t size() const; // current file size (fstat), -1 on error
    void close();

  private:
    int fd_ = -1;
    std::string path_;
};

} // namespace superd::common
