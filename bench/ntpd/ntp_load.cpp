// ntp_load: the client side of bench/ntpd. Sends NTPv4 mode 3 requests to ADDR:PORT from
// SOCKETS sockets (each its own source port, as many clients), keeping WINDOW requests in
// flight per socket, for SECONDS; reads the replies in batches (recvmmsg), sends each request
// alone (a batched send would leave T1 early). For every reply it checks the four timestamps:
// T1 <= T2 <= T3 <= T4 (client send, server receive, server transmit, client receive) and that
// the origin is one of its requests. Prints one line of JSON: sent, answered, lost, ordering
// violations, replies per second, latency p50/p99 (us, to T4) and the median offset (us), the NTP
// offset ((T2 - T1) + (T3 - T4)) / 2, which is the server's clock against this machine's.
// T4 is the kernel's receive stamp (SO_TIMESTAMPNS), as an NTP client takes it: read from user
// space after poll() wakes up, it would add the client's own scheduling delay to every offset
// (reported too, as offset_user_median_us). T1 is read just before each request's own send().
//
//   ntp_load ADDR PORT SOCKETS WINDOW SECONDS
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <unordered_map>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

std::int64_t wall_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::uint64_t to_ntp(std::int64_t ns) {
    std::uint64_t secs = static_cast<std::uint64_t>(ns / 1'000'000'000) + 2'208'988'800ull;
    std::uint64_t frac = (static_cast<std::uint64_t>(ns % 1'000'000'000) << 32) / 1'000'000'000;
    return (secs & 0xffffffff) << 32 | frac;
}

// b - a in ns, modulo 2^64 (era-safe for close times).
std::int64_t diff_ns(std::uint64_t a, std::uint64_t b) {
    auto d = static_cast<std::int64_t>(b - a);
    return static_cast<std::int64_t>((static_cast<__int128>(d) * 1'000'000'000) >> 32);
}

std::uint64_t be64(const std::uint8_t* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = v << 8 | p[i];
    return v;
}

void put64(std::uint8_t* p, std::uint64_t v) {
    for (int i = 7; i >= 0; --i, v >>= 8)
        p[i] = static_cast<std::uint8_t>(v);
}

struct Pending {
    std::uint64_t t1 = 0;
    std::int64_t sent_ns = 0;
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: ntp_load ADDR PORT SOCKETS WINDOW SECONDS\n");
        return 2;
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(std::atoi(argv[2])));
    if (::inet_pton(AF_INET, argv[1], &to.sin_addr) != 1) return 2;
    const int sockets = std::max(1, std::atoi(argv[3]));
    const int window = std::max(1, std::atoi(argv[4]));
    const double seconds = std::atof(argv[5]);

    std::vector<int> fds;
    for (int i = 0; i < sockets; ++i) {
        int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
            std::perror("socket");
            return 1;
        }
        int on = 1;
        if (::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
            std::perror("SO_TIMESTAMPNS");
            return 1;
        }
        fds.push_back(fd);
    }
    // A nonce in each transmit timestamp's low bits would break T1's ordering check, so the
    // requests are told apart by their exact T1 (the clock advances between sends).
    std::unordered_map<std::uint64_t, Pending> pending;
    std::vector<std::int64_t> latencies, offsets, user_offsets;
    long sent = 0, answered = 0, violations = 0, strangers = 0;
    std::vector<int> in_flight(static_cast<std::size_t>(sockets), 0);
    std::uint8_t req[48];
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    std::vector<pollfd> pfds(fds.size());
    std::int64_t last_t1 = 0;
    // Replies are read in batches (recvmmsg), each with the kernel's receive stamp.
    constexpr unsigned batch = 32;
    std::vector<std::array<std::uint8_t, 256>> bufs(batch);
    std::vector<std::array<char, CMSG_SPACE(sizeof(timespec))>> controls(batch);
    std::vector<iovec> iovs(batch);
    std::vector<mmsghdr> hdrs(batch);
    auto reset = [&](std::size_t k) {
        iovs[k] = {bufs[k].data(), bufs[k].size()};
        hdrs[k] = {};
        hdrs[k].msg_hdr.msg_iov = &iovs[k];
        hdrs[k].msg_hdr.msg_iovlen = 1;
        hdrs[k].msg_hdr.msg_control = controls[k].data();
        hdrs[k].msg_hdr.msg_controllen = controls[k].size();
    };
    for (std::size_t k = 0; k < batch; ++k)
        reset(k);

    auto send_one = [&](std::size_t i) {
        std::memset(req, 0, sizeof req);
        req[0] = 0x23; // version 4, mode 3
        std::int64_t now = wall_ns();
        if (now <= last_t1) now = last_t1 + 1;
        last_t1 = now;
        std::uint64_t t1 = to_ntp(now);
        while (pending.count(t1)) // two sends in one 2^-32 s unit
            ++t1;
        put64(req + 40, t1);
        if (::send(fds[i], req, sizeof req, 0) == sizeof req) {
            pending[t1] = {t1, now};
            ++in_flight[i];
            ++sent;
        }
    };

    while (std::chrono::steady_clock::now() < end) {
        for (std::size_t i = 0; i < fds.size(); ++i)
            while (in_flight[i] < window)
                send_one(i);
        for (std::size_t i = 0; i < fds.size(); ++i)
            pfds[i] = {fds[i], POLLIN, 0};
        if (::poll(pfds.data(), pfds.size(), 1000) <= 0) {
            // A second without any answer: what is outstanding is lost; start afresh.
            std::fill(in_flight.begin(), in_flight.end(), 0);
            continue;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (!(pfds[i].revents & POLLIN)) continue;
            int n;
            while ((n = ::recvmmsg(fds[i], hdrs.data(), batch, MSG_DONTWAIT, nullptr)) > 0) {
                std::int64_t user_t4_ns = wall_ns();
                for (int k = 0; k < n; ++k) {
                    const msghdr& m = hdrs[static_cast<std::size_t>(k)].msg_hdr;
                    const std::uint8_t* buf = bufs[static_cast<std::size_t>(k)].data();
                    if (hdrs[static_cast<std::size_t>(k)].msg_len < 48) continue;
                    std::int64_t t4_ns = user_t4_ns;
                    for (const cmsghdr* c = CMSG_FIRSTHDR(&m); c;
                         c = CMSG_NXTHDR(const_cast<msghdr*>(&m), const_cast<cmsghdr*>(c)))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                            timespec ts;
                            std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                            t4_ns = std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
                        }
                    std::uint64_t t4 = to_ntp(t4_ns), user_t4 = to_ntp(user_t4_ns);
                    std::uint64_t org = be64(buf + 24), t2 = be64(buf + 32), t3 = be64(buf + 40);
                    auto it = pending.find(org);
                    if (it == pending.end()) {
                        ++strangers;
                        continue;
                    }
                    std::uint64_t t1 = it->second.t1;
                    latencies.push_back(t4_ns - it->second.sent_ns);
                    pending.erase(it);
                    if (in_flight[i] > 0) --in_flight[i];
                    ++answered;
                    if (diff_ns(t1, t2) < 0 || diff_ns(t2, t3) < 0 || diff_ns(t3, t4) < 0)
                        ++violations;
                    offsets.push_back((diff_ns(t1, t2) + diff_ns(t4, t3)) / 2);
                    user_offsets.push_back((diff_ns(t1, t2) + diff_ns(user_t4, t3)) / 2);
                }
                for (int k = 0; k < n; ++k)
                    reset(static_cast<std::size_t>(k));
            }
        }
    }
    auto pct = [](std::vector<std::int64_t>& v, double p) -> double {
        if (v.empty()) return 0;
        auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
        std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
        return static_cast<double>(v[k]) / 1000.0;
    };
    double p50 = pct(latencies, 0.5), p99 = pct(latencies, 0.99), offset = pct(offsets, 0.5);
    double user_offset = pct(user_offsets, 0.5);
    std::printf("{\"sent\":%ld,\"answered\":%ld,\"lost\":%ld,\"violations\":%ld,\"strangers\":%ld,"
                "\"rate\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"offset_median_us\":%.2f,"
                "\"offset_user_median_us\":%.2f}\n",
                sent, answered, sent - answered, violations, strangers,
                static_cast<double>(answered) / seconds, p50, p99, offset, user_offset);
    return 0;
}
