#pragma once
// Small POSIX helpers shared by store.cpp and store_scan.cpp (not a public interface).
#include <cerrno>
#include <cstring>
#include <expected>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace superd::proxy::detail {

inline std::unexpected<std::string> sys_error(const std::string& path, std::string_view what,
                                              int err) {
    return std::unexpected(path + ": " + std::string(what) + ": " + std::strerror(err));
}

// Full read/write at an offset, retrying short transfers and EINTR. 0 or an errno value;
// pread_full reports a premature end of file as EIO.
int pwrite_full(int fd, std::string_view data, off_t offset);
int pread_full(int fd, char* out, std::size_t size, off_t offset);
int write_full(int fd, std::string_view data);

// fsync of the directory holding `path`, so that a rename or unlink in it is durable.
// (common::write_file_atomic does this internally but does not export it.)
int sync_parent_directory(const std::string& path);

std::string parent_directory(const std::string& path);

} // namespace superd::proxy::detail
