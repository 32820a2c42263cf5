#include "proxy/access_log.hpp"

#include "common/log.hpp"

#include <cstdio>

#include <fcntl.h>
#include <unistd.h>

namespace superd::proxy {

std::string format_access_line(const AccessEntry& e) {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(e.started.time_since_epoch()).count();
    char head[64];
    std::snprintf(head, sizeof head, "%lld.%03lld %6lld ", static_cast<long long>(ms / 1000),
                  static_cast<long long>(ms % 1000), static_cast<long long>(e.elapsed.count()));
    char status[8];
    std::snprintf(status, sizeof status, "%03u", e.status);
    return head + e.client + " " + e.code + "/" + status + " " + std::to_string(e.bytes) + " " +
           e.method + " " + e.url + " - " + e.hierarchy + "/" + e.peer + " " + e.type;
}

AccessLogWriter::AccessLogWriter(const Config& config)
    : config_(config) {}

AccessLogWriter::~AccessLogWriter() {
    flush();
    for (auto& [path, file] : files_)
        if (file.fd >= 0) ::close(file.fd);
}

bool AccessLogWriter::write(const AccessEntry& e, const RequestFacts& facts) {
    std::string line = format_access_line(e) + "\n";
    bool written = false;
    for (const AccessLog& log : config_.access_logs) {
        if (!all_match(log.acls, config_.acls, facts)) continue;
        if (log.path.empty()) break; // `access_log none` for the requests it matches
        auto [it, fresh] = files_.try_emplace(log.path);
        File& file = it->second;
        if (fresh) {
            file.fd = ::open(log.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
            if (file.fd < 0) common::logger("proxy")->error("access_log {}: cannot open", log.path);
        }
        if (file.fd < 0) continue;
        file.pending += line;
        written = true;
    }
    if (!defer) {
        flush();
    } else if (written && !flush_queued_) {
        flush_queued_ = true;
        defer([this] { flush(); });
    }
    return written;
}

void AccessLogWriter::flush() {
    flush_queued_ = false;
    for (auto& [path, file] : files_) {
        if (file.pending.empty()) continue;
        (void)!::write(file.fd, file.pending.data(), file.pending.size());
        file.pending.clear();
    }
}

} // namespace superd::proxy
