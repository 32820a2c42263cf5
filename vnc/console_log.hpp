#pragma once
// A console's log file (vnc.ini `log`): every byte the command writes to its pty, appended as
// it was read, before the terminal emulation draws it — a record of a guest's boot messages
// that outlives the screen, like conserver's logfile. Opened once (O_APPEND | O_CREAT, 0640)
// and kept across restarts of the command. Contract: it never blocks or stops the console; the
// first error (open or write) is logged once, and the log stays off from then on.
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace superd::vnc {

class ConsoleLog {
  public:
    ConsoleLog(std::string console, std::string path, std::shared_ptr<spdlog::logger> log);
    ~ConsoleLog();
    ConsoleLog(const ConsoleLog&) = delete;
    ConsoleLog& operator=(const ConsoleLog&) = delete;

    // Opens the file on the first call; appends `bytes` unless the log has failed.
    void append(std::string_view bytes);
    bool failed() const { return failed_; }

  private:
    void fail(const std::string& what, int error);

    std::string console_, path_;
    std::shared_ptr<spdlog::logger> log_;
    int fd_ = -1;
    bool failed_ = false;
};

} // namespace superd::vnc
