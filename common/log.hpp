#pragma once
// spdlog set-up shared by every program: one sink chosen at start-up (stderr, file or syslog)
// and one named logger per component that writes to it.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace superd::common {

struct LogOptions {
    enum class Sink { stderr_sink, file, syslog };
    Sink sink = Sink::stderr_sink;
    std::string file_path; // Sink::file: appended to, created 0644
    std::string syslog_ident = "superd";
    int syslog_facility = 3 << 3; // LOG_DAEMON
    spdlog::level::level_enum level = spdlog::level::info;
};

// Replaces the sinks of every logger made by logger() so far and after. Throws
// std::runtime_error when the file cannot be opened.
void setup_logging(const LogOptions& options);

// The named logger for a component ("superd", "config", "dhcpd" ...), created on first use.
std::shared_ptr<spdlog::logger> logger(std::string_view component);

// Parses a syslog facility name (daemon auth authpriv user mail lpr news uucp ftp local0..7).
std::optional<int> syslog_facility_from_name(std::string_view name);
// Parses a syslog level name (emerg alert crit err warning notice info debug).
std::optional<int> syslog_level_from_name(std::string_view name);

} // namespace superd::common
