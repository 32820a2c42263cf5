// loadgen: the client side of bench/superd (superd against xinetd on loopback).
//
//   loadgen first-byte PORT CLIENTS SECONDS       connect, read the server's output to EOF
//   loadgen echo-rtt   PORT CLIENTS SECONDS SIZE  one connection per client, SIZE-byte round trips
//   loadgen echo-conn  PORT CLIENTS SECONDS SIZE  one connection per round trip
//   loadgen udp        PORT CLIENTS REQUESTS TIMEOUT_MS   one datagram, wait for its answer
//   loadgen spawn      0 CLIENTS SECONDS           no daemon: posix_spawn /bin/echo hello (output
//                                                  to /dev/null) and wait for it, over and over:
//                                                  what starting the server of case (a) costs on
//                                                  this machine, the ceiling for any inetd
//
// Every client is a thread with blocking sockets on 127.0.0.1. Each socket operation has a
// deadline (2 s for TCP, TIMEOUT_MS for UDP), so a run ends at most a few seconds after its
// time is up. The result is one line of JSON on stdout; latencies are in milliseconds,
// measured with steady_clock.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto tcp_io_timeout = std::chrono::seconds(2);

struct Tally {
    std::uint64_t ok = 0;
    std::uint64_t sent = 0; // udp only
    std::uint64_t late = 0; // udp: answers to requests already given up
    std::vector<double> latency_ms;
    std::map<std::string, std::uint64_t> errors;

    void fail(const char* what, int err = 0) {
        std::string key = what;
        if (err != 0) key += std::string(":") + std::strerror(err);
        ++errors[key];
    }
    void merge(Tally&& o) {
        ok += o.ok;
        sent += o.sent;
        late += o.late;
        latency_ms.insert(latency_ms.end(), o.latency_ms.begin(), o.latency_ms.end());
        for (auto& [k, v] : o.errors)
            errors[k] += v;
    }
};

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

void set_timeouts(int fd, std::chrono::milliseconds t) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(t.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv); // also bounds connect()
}

// A connected TCP socket, or -1 (the failure is tallied).
int tcp_connect(int port, Tally& t) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        t.fail("socket", errno);
        return -1;
    }
    set_timeouts(fd, tcp_io_timeout);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a = loopback(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
        t.fail("connect", errno == EINPROGRESS ? ETIMEDOUT : errno);
        ::close(fd);
        return -1;
    }
    return fd;
}

bool send_all(int fd, const char* p, std::size_t n, Tally& t) {
    while (n > 0) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR) continue;
            t.fail("send", errno == EAGAIN ? ETIMEDOUT : errno);
            return false;
        }
        p += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

bool recv_exact(int fd, char* p, std::size_t n, Tally& t) {
    while (n > 0) {
        ssize_t r = ::recv(fd, p, n, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            t.fail("recv", errno == EAGAIN ? ETIMEDOUT : errno);
            return false;
        }
        if (r == 0) {
            t.fail("recv:early EOF");
            return false;
        }
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

// (a) An external server writes a line and exits: connect, time the first byte, read to EOF.
Tally first_byte_client(int port, Clock::time_point stop) {
    Tally t;
    char buf[4096];
    while (Clock::now() < stop) {
        auto t0 = Clock::now();
        int fd = tcp_connect(port, t);
        if (fd < 0) continue;
        ssize_t r;
        while ((r = ::recv(fd, buf, sizeof buf, 0)) < 0 && errno == EINTR) {
        }
        if (r <= 0) {
            if (r == 0)
                t.fail("recv:EOF before any byte");
            else
                t.fail("recv", errno == EAGAIN ? ETIMEDOUT : errno);
            ::close(fd);
            continue;
        }
        double first = ms_since(t0);
        bool clean = true;
        while ((r = ::recv(fd, buf, sizeof buf, 0)) != 0) {
            if (r < 0 && errno == EINTR) continue;
            if (r < 0) {
                t.fail("recv after first byte", errno == EAGAIN ? ETIMEDOUT : errno);
                clean = false;
                break;
            }
        }
        ::close(fd);
        if (!clean) continue;
        ++t.ok;
        t.latency_ms.push_back(first);
    }
    return t;
}

// (b) INTERNAL echo, one connection, back-to-back SIZE-byte round trips.
Tally echo_rtt_client(int port, Clock::time_point stop, std::size_t size) {
    Tally t;
    std::string out(size, 'x'), in(size, '\0');
    while (Clock::now() < stop) {
        int fd = tcp_connect(port, t);
        if (fd < 0) continue;
        while (Clock::now() < stop) {
            auto t0 = Clock::now();
            if (!send_all(fd, out.data(), out.size(), t) ||
                !recv_exact(fd, in.data(), in.size(), t))
                break;
            if (in != out) {
                t.fail("echo mismatch");
                break;
            }
            ++t.ok;
            t.latency_ms.push_back(ms_since(t0));
            out[t.ok % size] = static_cast<char>('a' + t.ok % 26);
        }
        ::close(fd);
    }
    return t;
}

// (b') INTERNAL echo, one connection per round trip: connect, SIZE bytes there and back, close.
Tally echo_conn_client(int port, Clock::time_point stop, std::size_t size) {
    Tally t;
    std::string out(size, 'y'), in(size, '\0');
    while (Clock::now() < stop) {
        auto t0 = Clock::now();
        int fd = tcp_connect(port, t);
        if (fd < 0) continue;
        bool good =
            send_all(fd, out.data(), out.size(), t) && recv_exact(fd, in.data(), in.size(), t);
        if (good && in != out) {
            t.fail("echo mismatch");
            good = false;
        }
        ::close(fd);
        if (!good) continue;
        ++t.ok;
        t.latency_ms.push_back(ms_since(t0));
    }
    return t;
}

// (c) A one-shot dgram server: one request at a time, each waits up to `timeout` for its answer.
Tally udp_client(int port, int client, int requests, std::chrono::milliseconds timeout) {
    Tally t;
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        t.fail("socket", errno);
        return t;
    }
    sockaddr_in to = loopback(port);
    char in[512];
    for (int seq = 0; seq < requests; ++seq) {
        char out[64];
        int n = std::snprintf(out, sizeof out, "bench client=%d seq=%d", client, seq);
        auto t0 = Clock::now();
        if (::sendto(fd, out, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to) != n) {
            t.fail("sendto", errno);
            continue;
        }
        ++t.sent;
        auto deadline = t0 + timeout;
        bool answered = false;
        while (!answered) {
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) break;
            pollfd p{fd, POLLIN, 0};
            int pr = ::poll(&p, 1, static_cast<int>(left.count()) + 1);
            if (pr < 0 && errno == EINTR) continue;
            if (pr <= 0) break;
            ssize_t r = ::recv(fd, in, sizeof in, MSG_DONTWAIT);
            if (r < 0) {
                if (errno != EAGAIN && errno != EINTR) t.fail("recv", errno);
                continue;
            }
            if (r == n && std::memcmp(in, out, static_cast<std::size_t>(n)) == 0)
                answered = true;
            else
                ++t.late; // the answer to an earlier request that had timed out
        }
        if (answered) {
            ++t.ok;
            t.latency_ms.push_back(ms_since(t0));
        } else {
            t.fail("no answer within timeout");
        }
    }
    ::close(fd);
    return t;
}

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty()) return 0;
    auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
    rank = std::clamp<std::size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

std::string json_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        o += c;
    }
    return o;
}

extern "C" char** environ;

Tally spawn_client(Clock::time_point stop) {
    Tally t;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    char arg0[] = "/bin/echo", arg1[] = "hello";
    char* argv[] = {arg0, arg1, nullptr};
    while (Clock::now() < stop) {
        auto t0 = Clock::now();
        pid_t pid = -1;
        if (int err = posix_spawn(&pid, arg0, &actions, nullptr, argv, environ); err != 0) {
            t.fail("posix_spawn", err);
            continue;
        }
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            t.fail("/bin/echo failed");
            continue;
        }
        ++t.ok;
        t.latency_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    posix_spawn_file_actions_destroy(&actions);
    return t;
}

int usage() {
    std::fprintf(stderr, "usage: loadgen first-byte PORT CLIENTS SECONDS\n"
                         "       loadgen echo-rtt   PORT CLIENTS SECONDS SIZE\n"
                         "       loadgen echo-conn  PORT CLIENTS SECONDS SIZE\n"
                         "       loadgen udp        PORT CLIENTS REQUESTS TIMEOUT_MS\n"
                         "       loadgen spawn      0 CLIENTS SECONDS\n");
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 5) return usage();
    std::string mode = argv[1];
    int port = std::atoi(argv[2]);
    int clients = std::atoi(argv[3]);
    double seconds = std::atof(argv[4]);
    std::size_t size = argc > 5 ? static_cast<std::size_t>(std::atol(argv[5])) : 64;
    bool is_udp = mode == "udp";
    if (mode == "spawn") port = 1; // no socket
    if (port <= 0 || port > 65535 || clients <= 0 || seconds <= 0 || size == 0) return usage();
    if (mode != "first-byte" && mode != "echo-rtt" && mode != "echo-conn" && mode != "spawn" &&
        !is_udp)
        return usage();
    if ((mode.starts_with("echo") || is_udp) && argc < 6) return usage();

    int requests = is_udp ? static_cast<int>(seconds) : 0; // udp: the 4th argument is a count
    auto udp_timeout = std::chrono::milliseconds(is_udp ? std::atol(argv[5]) : 0);

    std::vector<Tally> tallies(static_cast<std::size_t>(clients));
    std::vector<std::thread> threads;
    std::latch ready(clients + 1);
    Clock::time_point start, stop;
    for (int i = 0; i < clients; ++i) {
        threads.emplace_back([&, i] {
            ready.arrive_and_wait();
            auto& t = tallies[static_cast<std::size_t>(i)];
            if (mode == "first-byte")
                t = first_byte_client(port, stop);
            else if (mode == "echo-rtt")
                t = echo_rtt_client(port, stop, size);
            else if (mode == "echo-conn")
                t = echo_conn_client(port, stop, size);
            else if (mode == "spawn")
                t = spawn_client(stop);
            else {
                // Spread the requests over the clients: the first ones take the remainder.
                int mine = requests / clients + (i < requests % clients ? 1 : 0);
                t = udp_client(port, i, mine, udp_timeout);
            }
        });
    }
    start = Clock::now();
    stop =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    ready.arrive_and_wait();
    for (auto& th : threads)
        th.join();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    Tally all;
    for (auto& t : tallies)
        all.merge(std::move(t));
    std::sort(all.latency_ms.begin(), all.latency_ms.end());
    std::uint64_t errors = 0;
    std::string kinds;
    for (const auto& [k, v] : all.errors) {
        errors += v;
        if (!kinds.empty()) kinds += ", ";
        kinds += "\"" + json_escape(k) + "\": " + std::to_string(v);
    }
    std::printf("{\"mode\": \"%s\", \"clients\": %d, \"elapsed_s\": %.3f, \"ok\": %llu, ",
                mode.c_str(), clients, elapsed, static_cast<unsigned long long>(all.ok));
    if (is_udp) {
        std::printf("\"sent\": %llu, \"answered_pct\": %.2f, \"late\": %llu, ",
                    static_cast<unsigned long long>(all.sent),
                    all.sent ? 100.0 * static_cast<double>(all.ok) / static_cast<double>(all.sent)
                             : 0.0,
                    static_cast<unsigned long long>(all.late));
    } else {
        std::printf("\"per_s\": %.1f, ", static_cast<double>(all.ok) / elapsed);
    }
    std::printf("\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f, \"errors\": %llu, "
                "\"error_kinds\": {%s}}\n",
                percentile(all.latency_ms, 50), percentile(all.latency_ms, 99),
                all.latency_ms.empty() ? 0.0 : all.latency_ms.back(),
                static_cast<unsigned long long>(errors), kinds.c_str());
    return 0;
}
