#include "common/log.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <functional>
#include <map>
#include <mutex>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <stdexcept>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <utility>

namespace superd::common {

namespace {

constexpr const char* text_pattern = "%Y-%m-%d %H:%M:%S.%e %n[%P] %l: %v";
// syslog adds its own time stamp, host and ident[pid].
constexpr const char* syslog_pattern = "%n: %v";

// Every logger made by logger(), and the one sink they all share. Not spdlog's global registry,
// so that loggers made before setup_logging() are redirected too.
struct Registry {
    std::mutex mutex;
    spdlog::sink_ptr sink; // null until first needed
    spdlog::level::level_enum level = spdlog::level::info;
    std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
};

Registry& registry() {
    // Never destroyed: loggers may still be used from destructors of other statics at exit.
    static Registry* r = new Registry;
    return *r;
}

spdlog::sink_ptr make_stderr_sink() {
    spdlog::sink_ptr sink;
    if (::isatty(STDERR_FILENO) == 1) {
        sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    } else {
        sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    }
    sink->set_pattern(text_pattern);
    return sink;
}

spdlog::sink_ptr make_file_sink(const std::string& path) {
    if (path.empty()) throw std::runtime_error("log file: no path given");
    // Create it with exactly the documented mode first (spdlog's fopen would give
    // 0666 & ~umask); an existing file keeps its mode.
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ::fchmod(fd, 0644);
    } else if (errno == EEXIST) {
        fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    }
    if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    ::close(fd);
    spdlog::sink_ptr sink;
    try {
        sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false);
    } catch (const spdlog::spdlog_ex& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    sink->set_pattern(text_pattern);
    return sink;
}

// Caller holds r.mutex.
void install(Registry& r, const spdlog::sink_ptr& sink) {
    for (auto& [name, lg] : r.loggers) {
        lg->sinks().clear();
        if (sink) lg->sinks().push_back(sink);
        lg->set_level(r.level);
    }
}

} // namespace

void setup_logging(const LogOptions& options) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.level = options.level;
    spdlog::sink_ptr sink;
    switch (options.sink) {
    case LogOptions::Sink::stderr_sink:
        sink = make_stderr_sink();
        break;
    case LogOptions::Sink::file:
        sink = make_file_sink(options.file_path); // may throw; the old sink stays
        break;
    case LogOptions::Sink::syslog:
        // An old syslog sink calls closelog() when destroyed, which would undo the new sink's
        // openlog(): release the old sink first.
        install(r, nullptr);
        r.sink.reset();
        sink = std::make_shared<spdlog::sinks::syslog_sink_mt>(options.syslog_ident, LOG_PID,
                                                               options.syslog_facility, true);
        sink->set_pattern(syslog_pattern);
        break;
    }
    r.sink = sink;
    install(r, sink);
}

std::shared_ptr<spdlog::logger> logger(std::string_view component) {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    if (auto it = r.loggers.find(component); it != r.loggers.end()) return it->second;
    if (!r.sink) r.sink = make_stderr_sink();
    auto lg = std::make_shared<spdlog::logger>(std::string(component), r.sink);
    lg->set_level(r.level);
    // Every line reaches its sink at once: a daemon's last words before a crash matter most.
    lg->flush_on(spdlog::level::trace);
    r.loggers.emplace(std::string(component), lg);
    return lg;
}

std::optional<int> syslog_facility_from_name(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, int>, 17> facilities{{
        {"daemon", LOG_DAEMON},
        {"auth", LOG_AUTH},
        {"authpriv", LOG_AUTHPRIV},
        {"user", LOG_USER},
        {"mail", LOG_MAIL},
        {"lpr", LOG_LPR},
        {"news", LOG_NEWS},
        {"uucp", LOG_UUCP},
        {"ftp", LOG_FTP},
        {"local0", LOG_LOCAL0},
        {"local1", LOG_LOCAL1},
        {"local2", LOG_LOCAL2},
        {"local3", LOG_LOCAL3},
        {"local4", LOG_LOCAL4},
        {"local5", LOG_LOCAL5},
        {"local6", LOG_LOCAL6},
        {"local7", LOG_LOCAL7},
    }};
    for (const auto& [n, value] : facilities) {
        if (n == name) return value;
    }
    return std::nullopt;
}

std::optional<int> syslog_level_from_name(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, int>, 8> levels{{
        {"emerg", LOG_EMERG},
        {"alert", LOG_ALERT},
        {"crit", LOG_CRIT},
        {"err", LOG_ERR},
        {"warning", LOG_WARNING},
        {"notice", LOG_NOTICE},
        {"info", LOG_INFO},
        {"debug", LOG_DEBUG},
    }};
    for (const auto& [n, value] : levels) {
        if (n == name) return value;
    }
    return std::nullopt;
}

} // namespace superd::common
