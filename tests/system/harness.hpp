#pragma once
// What the system tests need to drive the real superd binary: free loopback ports, a superd
// process of the test's own (stopped by its PID), plain TCP/UDP clients with deadlines, and
// third-party programs (socat, tftp) run with a time limit.
#include "tests/unit/common/temp_dir.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

namespace superd::system_test {

using namespace std::chrono_literals;
using common::test::read_file;
using common::test::TempDir;
using common::test::write_file;

// A port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
int free_port(int socket_type);

// Where the binaries under test and the test's own helper programs are.
std::string superd_binary();
std::string helper_binary(const std::string& name);

// Writes an executable shell script.
void write_script(const std::string& path, const std::string& body);

// superd started by the test in the foreground, its stderr captured to a file.
class Superd {
  public:
    Superd() = default;
    ~Superd();
    Superd(const Superd&) = delete;
    Superd& operator=(const Superd&) = delete;

    // Starts `superd -f conf -dontfork -stderr extra...` and waits until it says it started.
    // Returns false (with the captured stderr in log()) if it exits or stays silent.
    bool start(const std::string& conf, std::vector<std::string> extra = {});
    pid_t pid() const { return pid_; }
    std::string log() const; // everything it wrote to stderr so far
    // Waits until `text` appears in the stderr log at least `count` times.
    bool wait_for_log(const std::string& text, int count = 1,
                      std::chrono::milliseconds timeout = 5s) const;
    void signal(int sig) const;
    // Waits for the process to end; its wait status, or nullopt on timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = 5s);

  private:
    pid_t pid_ = -1;
    std::string log_path_;
    TempDir dir_;
};

// Counts occurrences of `needle` in `hay`.
int count_of(const std::string& hay, const std::string& needle);

// Plain clients. Every call has a deadline; nothing blocks forever.
class TcpClient {
  public:
    // `source`: the client's own IPv4 address (say 127.0.0.2), or empty for the kernel's choice.
    explicit TcpClient(int port, const std::string& host = "127.0.0.1",
                       const std::string& source = "");
    ~TcpClient();
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;
    bool connected() const { return fd_ >= 0; }
    int fd() const { return fd_; }
    bool send(const std::string& data);
    void shutdown_write();
    // Reads until `n` bytes arrived, EOF, or the timeout.
    std::string read(std::size_t n, std::chrono::milliseconds timeout = 3s);
    // Reads until EOF (or timeout, or `limit` bytes).
    std::string read_all(std::chrono::milliseconds timeout = 3s, std::size_t limit = 1 << 20);
    // Reads through the first "\n".
    std::string read_line(std::chrono::milliseconds timeout = 3s);
    // True if the peer closed (EOF or reset) within the timeout without sending anything.
    bool closed_by_peer(std::chrono::milliseconds timeout = 3s);

  private:
    int fd_ = -1;
};

// One datagram to 127.0.0.1:port from a fresh socket, and the first answer (if any).
std::optional<std::string> udp_exchange(int port, const std::string& payload,
                                        std::chrono::milliseconds timeout = 2s);

struct CommandResult {
    int status = -1; // wait status; -1 if it did not end in time (it was killed)
    std::string out; // stdout and stderr together
};
// Runs argv with `input` on stdin, killing it (by its PID) after `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = {},
                          std::chrono::milliseconds timeout = 10s);

bool have_program(const std::string& path);

// A config whose defaults log to `log_path` in xinetd's FILE format, followed by `services`.
// tcp-wrappers read `wrap_dir`/hosts.allow and hosts.deny (default: absent files, allow all).
std::string config_text(const std::string& log_path, const std::string& services,
                        const std::string& wrap_dir = "");

// One `service` block: `name` and the given "attribute = value" lines.
std::string service_block(const std::string& name, const std::vector<std::string>& lines);

} // namespace superd::system_test
