#pragma once
// Service log records in xinetd's exact shapes (START:, EXIT:, FAIL:, TRAFFIC:) written where
// the service's log_type says: a FILE (shared between services naming the same path, with
// xinetd's soft and hard size limits) or syslog. fail2ban's and logcheck's xinetd patterns
// match these lines.
#include "superd/config.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <sys/types.h>

namespace superd::daemon {

class LogFile;

class ServiceLogSinks {
  public:
    // mirror_to_stderr: every record also goes to superd's own log (the -stderr option).
    explicit ServiceLogSinks(bool mirror_to_stderr)
        : mirror_(mirror_to_stderr) {}
    void write(const LogType& where, const std::string& record);
    void reopen(); // after a reload: files are opened again on next use

  private:
    std::shared_ptr<LogFile> file(const LogType& lt);
    bool mirror_;
    std::map<std::string, std::shared_ptr<LogFile>> files_;
};

// The record texts, as pure functions (tests compare them byte for byte).
std::string start_record(const std::string& id, unsigned log_on_success, pid_t pid,
                         const std::optional<std::string>& from);
// nullopt when neither EXIT nor DURATION is asked for.
std::optional<std::string> exit_record(const std::string& id, unsigned log_on_success,
                                       int wait_status, pid_t pid, std::chrono::seconds duration);
std::string fail_record(const std::string& id, unsigned log_on_failure, const std::string& reason,
                        const std::optional<std::string>& from);
std::string traffic_record(const std::string& id, std::uint64_t in, std::uint64_t out);
// "YY/M/D@HH:MM:SS" in local time, as xinetd's FILE log prefix.
std::string file_log_timestamp(std::time_t now);

} // namespace superd::daemon
