#pragma once
// squid's native access.log line, one per transaction:
//   time.ms elapsed client code/status bytes method URL user hierarchy/peer type
// e.g. `1700000000.123     45 127.0.0.1 TCP_MISS/200 1234 GET http://h/x - HIER_DIRECT/1.2.3.4
// text/html`. Operators grep this shape, so it stays exactly squid's.
#include "proxy/config.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace superd::proxy {

struct AccessEntry {
    std::chrono::system_clock::time_point started;
    std::chrono::milliseconds elapsed{0};
    std::string client;            // address
    std::string code = "TAG_NONE"; // TCP_MISS, TCP_DENIED, TCP_TUNNEL, ...
    unsigned status = 0;           // 0 when no answer was sent
    std::uint64_t bytes = 0;       // sent to the client, header included
    std::string method = "-";
    std::string url = "-";
    std::string hierarchy = "HIER_NONE"; // HIER_DIRECT once an origin was contacted
    std::string peer = "-";
    std::string type = "-"; // the reply's media type
};

std::string format_access_line(const AccessEntry& e);

// The config's access_log files, kept open and appended to with whole lines per write(2) (so
// several processes under superd can share a file: O_APPEND writes do not interleave). Lines
// finished in one turn of the event loop go out together: with `defer` set, a line is queued
// and one write per file flushes the queue from a task `defer` runs soon after (under load,
// one system call for several requests); without it, each line is written at once. Errors
// are reported once per file.
class AccessLogWriter {
  public:
    explicit AccessLogWriter(const Config& config);
    ~AccessLogWriter();
    AccessLogWriter(const AccessLogWriter&) = delete;
    AccessLogWriter& operator=(const AccessLogWriter&) = delete;
    // To every access_log whose ACLs match `facts`; true when some file took it.
    bool write(const AccessEntry& e, const RequestFacts& facts);
    // Runs a task soon, after the current one (the server posts it to its event loop).
    std::function<void(std::function<void()>)> defer;
    void flush();

  private:
    struct File {
        int fd = -1; // -1: could not be opened
        std::string pending;
    };
    const Config& config_;
    std::map<std::string, File> files_; // by path
    bool flush_queued_ = false;
};

} // namespace superd::proxy
