#include "ntpd/server.hpp"

#include "ntpd/control_answer.hpp"

#include "common/log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace superd::ntp {

namespace {

std::shared_ptr<spdlog::logger> log() {
    return common::logger("ntpd");
}

std::int64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

std::int64_t wall_now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::int8_t measure_precision() {
    std::int64_t best = 1'000'000'000;
    for (int i = 0; i < 1000; ++i) {
        std::int64_t a = wall_now_ns(), b = wall_now_ns();
        while (b == a)
            b = wall_now_ns();
        best = std::min(best, b - a);
    }
    return log2_seconds(static_cast<double>(best) * 1e-9);
}

std::map<std::string, std::uint64_t> ServerCounters::named() const {
    std::map<std::string, std::uint64_t> out;
    auto add = [&](const char* name, std::uint64_t n) {
        if (n != 0) out.emplace(name, n);
    };
    add("reply", reply);
    add("kiss", kiss);
    add("crypto_nak", crypto_nak);
    add("dropped", dropped);
    add("malformed", malformed);
    add("oversized", oversized);
    add("receive_error", receive_error);
    add("send_error", send_error);
    add("control", control);
    add("control_refused", control_refused);
    add("control_malformed", control_malformed);
    return out;
}

common::IpAddress peer_address(const Datagram& d) {
    auto a =
        common::IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&d.peer), d.peer_len);
    return a ? a->unmapped() : common::IpAddress{};
}

std::uint16_t peer_port(const Datagram& d) {
    if (d.peer.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in&>(d.peer).sin_port);
    if (d.peer.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6&>(d.peer).sin6_port);
    return 0;
}

Server::Server(boost::asio::io_context& io, NtpSocket socket, SystemState state,
               AccessPolicy access, MacSigner signer, ServerOptions options)
    : io_(io)
    , socket_(std::move(socket))
    , view_{.state = state}
    , access_(std::move(access))
    , signer_(std::move(signer))
    , options_(options)
    , readable_(io, ::epoll_create1(EPOLL_CLOEXEC))
    , loop_(io, log(), options.idle_timeout, [this] { log_counters(); }) {}

void Server::start() {
    wait_readable();
    loop_.start();
}

int Server::run() {
    io_.run();
    log_counters();
    return 0;
}

void Server::wait_readable() {
    // The loop waits on an epoll set of its own. A socket in an epoll set calls it back on
    // every datagram in and out (the kernel's write-space wake-up after each reply sent, each
    // request queued): several per cent of the CPU per reply under load. So when the last
    // wake-up found a full batch, the socket leaves the set while it is served and comes back
    // before the next wait (two system calls per wake-up, cheaper than those call-backs only
    // when a wake-up serves many requests).
    if (!registered_) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        if (::epoll_ctl(readable_.native_handle(), EPOLL_CTL_ADD, socket_.fd(), &ev) == 0 ||
            errno == EEXIST)
            registered_ = true;
        else
            log()->error("epoll_ctl: {}", std::strerror(errno));
    }
    readable_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this](const boost::system::error_code& ec) {
                             if (ec) return;
                             if (busy_ && ::epoll_ctl(readable_.native_handle(), EPOLL_CTL_DEL,
                                                      socket_.fd(), nullptr) == 0)
                                 registered_ = false;
                             read_batch();
                             wait_readable();
                         });
}

void Server::read_batch() {
    // Drain what is queued, a batch at a time (bounded, so that signals and timers still run).
    for (int round = 0; round < 16; ++round) {
        int n = socket_.receive(in_, options_.batch);
        if (n <= 0) {
            if (n < 0) ++counters_.receive_error;
            break;
        }
        if (out_.size() < in_.size()) {
            out_.resize(in_.size());
            mac_keys_.resize(in_.size());
        }
        std::size_t count = 0;
        const std::int64_t mono = access_ ? monotonic_ns() : 0;
        for (const Datagram& d : in_) {
            if (d.truncated) {
                ++counters_.oversized;
                continue;
            }
            auto request = decode(d.bytes());
            if (!request && request.error() == DecodeError::control_message) {
                answer_control_request(d);
                continue;
            }
            if (!request) {
                ++counters_.malformed;
                continue;
            }
            std::int64_t rx = d.received_ns ? d.received_ns : wall_now_ns();
            Access access =
                access_ ? access_(peer_address(d), peer_port(d), *request, mono) : Access::serve;
            Response r = respond(*request, to_ntp(rx), view_.state, access);
            switch (r.outcome) {
            case Outcome::drop:
                ++counters_.dropped;
                continue;
            case Outcome::kiss:
                ++counters_.kiss;
                break;
            case Outcome::crypto_nak:
                ++counters_.crypto_nak;
                break;
            case Outcome::reply:
                ++counters_.reply;
                break;
            }
            Outgoing& o = out_[count];
            encode_into(r.packet, o.bytes);
            std::memcpy(&o.peer, &d.peer, d.peer_len);
            o.peer_len = d.peer_len;
            o.local = d.local;
            o.ifindex = d.ifindex;
            mac_keys_[count] = r.mac_key;
            ++count;
        }
        send_replies(count);
        busy_ = static_cast<std::size_t>(n) == options_.batch;
        if (!busy_) break;
    }
    loop_.touch();
}

void Server::send_replies(std::size_t count) {
    // As late as possible: the clock is read for each reply right before its own send. Sending
    // them in sendmmsg batches saved 2-5 % of the CPU per reply here (the kernel's path of each
    // datagram is most of the cost, not the system call) and left the later replies of a batch
    // behind their transmit timestamp (median offset -1 us with 2 per batch, -3 us with 4);
    // stamping those with an estimate of when they leave broke T3 <= T4 (docs/performance.md).
    // A MAC covers the transmit timestamp, so it comes after.
    for (std::size_t i = 0; i < count; ++i) {
        std::vector<std::uint8_t>& bytes = out_[i].bytes;
        write_timestamp(std::span(bytes).subspan(transmit_offset, 8), to_ntp(wall_now_ns()));
        if (const auto& key = mac_keys_[i]; key && signer_) {
            auto digest = signer_(*key, std::span(bytes).first(header_size));
            if (!digest.empty()) {
                for (int b = 3; b >= 0; --b)
                    bytes.push_back(static_cast<std::uint8_t>(*key >> (8 * b)));
                bytes.insert(bytes.end(), digest.begin(), digest.end());
            }
        }
        if (socket_.send(std::span(out_).subspan(i, 1)) != 1) ++counters_.send_error;
    }
}

void Server::answer_control_request(const Datagram& d) {
    // ntpq's queries: answered at once, apart from the time-stamped replies (no transmit
    // timestamp to write into them).
    if (control_access_ && !control_access_(peer_address(d), peer_port(d))) {
        ++counters_.control_refused;
        return;
    }
    auto request = decode_control(d.bytes());
    if (!request) {
        ++counters_.control_malformed;
        return;
    }
    ++counters_.control;
    std::vector<Outgoing> replies;
    for (auto& bytes : answer_control(*request, view_, wall_now_ns())) {
        Outgoing o;
        o.bytes = std::move(bytes);
        o.peer = d.peer;
        o.peer_len = d.peer_len;
        o.local = d.local;
        o.ifindex = d.ifindex;
        replies.push_back(std::move(o));
    }
    if (socket_.send(replies) != static_cast<int>(replies.size())) ++counters_.send_error;
}

void Server::log_counters() const {
    log()->info("counters:{}", common::format_counters(counters_.named()));
}

} // namespace superd::ntp
