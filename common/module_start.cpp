#include "common/module_start.hpp"

#include "common/inetd_handoff.hpp"

#include <charconv>

#include <fcntl.h>
#include <unistd.h>

namespace superd::common {

ModuleStart module_start(const std::string& ident, const std::string& log_file, bool log_stderr) {
    ModuleStart m;
    const HandOff handoff = detect_handoff(0);
    m.handed_over = handoff == HandOff::datagram || handoff == HandOff::listening_stream ||
                    handoff == HandOff::connected_stream;
    if (m.handed_over) {
        int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) {
            ::dup2(null, 1);
            ::dup2(null, 2);
            if (null > 2) ::close(null);
        }
    }
    m.log.syslog_ident = ident;
    if (!log_file.empty()) {
        m.log.sink = LogOptions::Sink::file;
        m.log.file_path = log_file;
    } else if (log_stderr && !m.handed_over) {
        m.log.sink = LogOptions::Sink::stderr_sink;
    } else {
        m.log.sink = LogOptions::Sink::syslog;
    }
    return m;
}

std::expected<int, std::string> parse_idle_timeout(std::string_view text) {
    int seconds = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc{} || end != text.data() + text.size() || seconds < 0)
        return std::unexpected("--idle-timeout: not a number of seconds: " + std::string(text));
    return seconds;
}

} // namespace superd::common
