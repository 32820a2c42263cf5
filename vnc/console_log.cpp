#include "vnc/console_log.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace superd::vnc {

ConsoleLog::ConsoleLog(std::string console, std::string path, std::shared_ptr<spdlog::logger> log)
    : console_(std::move(console))
    , path_(std::move(path))
    , log_(std::move(log)) {}

ConsoleLog::~ConsoleLog() {
    if (fd_ >= 0) ::close(fd_);
}

void ConsoleLog::append(std::string_view bytes) {
    if (failed_ || bytes.empty()) return;
    if (fd_ < 0) {
        // O_NONBLOCK: a FIFO without a reader fails here instead of holding the console; a full
        // one fails the write (EAGAIN) below. Regular files ignore the flag.
        fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0640);
        if (fd_ < 0) return fail("open", errno);
    }
    while (!bytes.empty()) {
        ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("write", errno);
        if (n == 0) return fail("write", ENOSPC);
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void ConsoleLog::fail(const std::string& what, int error) {
    failed_ = true;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    log_->error("console {}: log {}: {}: {}; not logging this console any more", console_, path_,
                what, std::strerror(error));
}

} // namespace superd::vnc
