#include "ntpd/server.hpp"

#include "ntpd/control_answer.hpp"

#include "common/log.hpp"

#include <ctime>

#include <arpa/inet.h>
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

common::IpAddress peer_address(const Datagram& d) {
    auto a =
        common::IpAddress::from_sockaddr(reinterpret_cast<const sockaddr*>(&d.peer), d.peer_len);
    return a ? a->unmapped() : common::IpAddress{};
}

Server::Server(boost::asio::io_context& io, NtpSocket socket, SystemState state,
               AccessPolicy access, MacSigner signer, ServerOptions options)
    : io_(io)
    , socket_(std::move(socket))
    , view_{.state = state}
    , access_(std::move(access))
    , signer_(std::move(signer))
    , options_(options)
    , readable_(io, ::dup(socket_.fd()))
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
    readable_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this](const boost::system::error_code& ec) {
                             if (ec) return;
                             read_batch();
                             wait_readable();
                         });
}

void Server::read_batch() {
    // Drain what is queued, a batch at a time (bounded, so that signals and timers still run).
    for (int round = 0; round < 16; ++round) {
        int n = socket_.receive(in_, options_.batch);
        if (n <= 0) {
            if (n < 0) ++counters_["receive_error"];
            break;
        }
        out_.clear();
        std::vector<std::optional<std::uint32_t>> keys;
        std::int64_t mono = monotonic_ns();
        for (const Datagram& d : in_) {
            if (d.truncated) {
                ++counters_["oversized"];
                continue;
            }
            auto request = decode(d.bytes());
            if (!request && request.error() == DecodeError::control_message) {
                answer_control_request(d);
                continue;
            }
            if (!request) {
                ++counters_["malformed"];
                continue;
            }
            std::int64_t rx = d.received_ns ? d.received_ns : wall_now_ns();
            Access access = access_ ? access_(peer_address(d), *request, mono) : Access::serve;
            Response r = respond(*request, to_ntp(rx), view_.state, access);
            switch (r.outcome) {
            case Outcome::drop:
                ++counters_["dropped"];
                continue;
            case Outcome::kiss:
                ++counters_["kiss"];
                break;
            case Outcome::crypto_nak:
                ++counters_["crypto_nak"];
                break;
            case Outcome::reply:
                ++counters_["reply"];
                break;
            }
            Outgoing o;
            o.bytes = encode(r.packet);
            o.peer = d.peer;
            o.peer_len = d.peer_len;
            o.local = d.local;
            o.ifindex = d.ifindex;
            out_.push_back(std::move(o));
            keys.push_back(r.mac_key);
        }
        // As late as possible: the clock is read for each reply right before its own send (a
        // batched sendmmsg would leave the last replies of a batch tens of microseconds behind
        // their transmit timestamp); a MAC covers the transmit timestamp, so it comes after.
        for (std::size_t i = 0; i < out_.size(); ++i) {
            auto& bytes = out_[i].bytes;
            write_timestamp(std::span(bytes).subspan(transmit_offset, 8), to_ntp(wall_now_ns()));
            if (keys[i] && signer_) {
                auto digest = signer_(*keys[i], std::span(bytes).first(header_size));
                if (!digest.empty()) {
                    for (int b = 3; b >= 0; --b)
                        bytes.push_back(static_cast<std::uint8_t>(*keys[i] >> (8 * b)));
                    bytes.insert(bytes.end(), digest.begin(), digest.end());
                }
            }
            if (socket_.send(std::span(out_).subspan(i, 1)) != 1) ++counters_["send_error"];
        }
        if (static_cast<std::size_t>(n) < options_.batch) break;
    }
    loop_.touch();
}

void Server::answer_control_request(const Datagram& d) {
    // ntpq's queries: answered at once, apart from the time-stamped replies (no transmit
    // timestamp to write into them).
    if (control_access_) {
        sockaddr_storage peer = d.peer;
        std::uint16_t port = 0;
        if (peer.ss_family == AF_INET)
            port = ntohs(reinterpret_cast<const sockaddr_in&>(peer).sin_port);
        else if (peer.ss_family == AF_INET6)
            port = ntohs(reinterpret_cast<const sockaddr_in6&>(peer).sin6_port);
        if (!control_access_(peer_address(d), port)) {
            ++counters_["control_refused"];
            return;
        }
    }
    auto request = decode_control(d.bytes());
    if (!request) {
        ++counters_["control_malformed"];
        return;
    }
    ++counters_["control"];
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
    if (socket_.send(replies) != static_cast<int>(replies.size())) ++counters_["send_error"];
}

void Server::log_counters() const {
    log()->info("counters:{}", common::format_counters(counters_));
}

} // namespace superd::ntp
