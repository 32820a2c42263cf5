#include "superd/service_log.hpp"

#include "common/log.hpp"

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

namespace superd::daemon {

class LogFile {
  public:
    LogFile(std::string path, std::uint64_t soft, std::uint64_t hard)
        : path_(std::move(path))
        , soft_(soft)
        , hard_(hard) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd_ < 0) {
            common::logger("superd")->error("cannot open log file {}: {}", path_,
                                            std::strerror(errno));
            return;
        }
        struct stat st {};
        if (fstat(fd_, &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
    }
    ~LogFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    void write(const std::string& record) {
        if (fd_ < 0) return;
        std::string line = file_log_timestamp(std::time(nullptr)) + ": " + record + "\n";
        // One write() of the whole line: O_APPEND keeps lines from several writers whole.
        if (::write(fd_, line.data(), line.size()) < 0) return;
        size_ += line.size();
        if (soft_ == 0) return;
        if (size_ > hard_) {
            common::logger("superd")->error("hard limit exceeded on '{}'; log closed", path_);
            ::close(fd_);
            fd_ = -1;
        } else if (size_ > soft_ && !soft_alerted_) {
            soft_alerted_ = true;
            common::logger("superd")->warn("soft limit exceeded on '{}'", path_);
        }
    }

  private:
    std::string path_;
    std::uint64_t soft_, hard_, size_ = 0;
    bool soft_alerted_ = false;
    int fd_ = -1;
};

std::shared_ptr<LogFile> ServiceLogSinks::file(const LogType& lt) {
    auto& f = files_[lt.path];
    if (!f) f = std::make_shared<LogFile>(lt.path, lt.soft_limit, lt.hard_limit);
    return f;
}

void ServiceLogSinks::write(const LogType& lt, const std::string& record) {
    if (lt.kind == LogType::Kind::file)
        file(lt)->write(record);
    else if (lt.kind == LogType::Kind::syslog)
        ::syslog(lt.facility | lt.level, "%s", record.c_str());
    if (mirror_) common::logger("service")->info("{}", record);
}

void ServiceLogSinks::reopen() {
    files_.clear();
}

std::string start_record(const std::string& id, unsigned mask, pid_t pid,
                         const std::optional<std::string>& from) {
    std::string r = "START: " + id;
    if (mask & log_pid) r += " pid=" + std::to_string(pid);
    if (mask & log_host) r += " from=" + from.value_or("<no address>");
    return r;
}

std::optional<std::string> exit_record(const std::string& id, unsigned mask, int status, pid_t pid,
                                       std::chrono::seconds duration) {
    if (!(mask & (log_exit | log_duration))) return std::nullopt;
    std::string r = "EXIT: " + id;
    if (mask & log_exit) {
        if (WIFSIGNALED(status))
            r += " signal=" + std::to_string(WTERMSIG(status));
        else
            r += " status=" + std::to_string(WEXITSTATUS(status));
    }
    if (mask & log_pid) r += " pid=" + std::to_string(pid);
    if (mask & log_duration) r += " duration=" + std::to_string(duration.count()) + "(sec)";
    return r;
}

std::string fail_record(const std::string& id, unsigned mask, const std::string& reason,
                        const std::optional<std::string>& from) {
    std::string r = "FAIL: " + id + " " + reason;
    if (mask & log_host) r += " from=" + from.value_or("<no address>");
    return r;
}

std::string traffic_record(const std::string& id, std::uint64_t in, std::uint64_t out) {
    return "TRAFFIC: " + id + " in=" + std::to_string(in) + "(bytes) out=" + std::to_string(out) +
           "(bytes)";
}

std::string file_log_timestamp(std::time_t now) {
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%02d/%d/%d@%02d:%02d:%02d", tm.tm_year % 100, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

} // namespace superd::daemon
