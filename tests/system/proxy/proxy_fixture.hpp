#pragma once
// What the proxy's system tests share: a local origin (a Python http.server script the test
// writes, on 127.0.0.1), a "garbage" origin port, superd-proxy started in the foreground on a
// free 127.0.0.1 port, and curl/wget run against it. Every process is stopped by its PID.
#include "tests/system/harness.hpp"

#include <string>
#include <vector>

namespace superd::system_test {

// A child process of the test: started with argv, stdout+stderr to `log_path`, stopped by PID.
class Child {
  public:
    Child() = default;
    ~Child() { stop(); }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    bool start(const std::vector<std::string>& argv, const std::string& log_path);
    void stop();
    pid_t pid() const { return pid_; }

  private:
    pid_t pid_ = -1;
};

// True once 127.0.0.1:port accepts a connection (within `timeout`).
bool wait_for_port(int port, std::chrono::milliseconds timeout = 10s);

// The origin's 1 MiB body: byte i is (i * 7) % 251, as the script makes it.
std::string big_body();

// Writes the origin script into `dir` and starts it: HTTP on `http_port` (/hello, /headers,
// /big, /chunked, /slow, /page.html whose script fetches /data.json; POST and PUT echo),
// garbage answers on `garbage_port`, a server that accepts and never answers on `silent_port`.
bool start_origin(Child& origin, const TempDir& dir, int http_port, int garbage_port,
                  int silent_port);

// Whether the file at `path` comes to contain `text` within `timeout`: an access-log line is
// written when its exchange has ended, which may be a moment after the client has its answer.
bool file_shows(const std::string& path, const std::string& text,
                std::chrono::milliseconds timeout = 10s);

// `env -u ...proxy vars... ARGS`: so that no inherited proxy setting changes the run.
std::vector<std::string> clean_env(std::vector<std::string> argv);

std::string proxy_binary();

} // namespace superd::system_test
