#include "dhcpd/ping_check.hpp"

#include <boost/asio/post.hpp>

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::dhcp {

namespace {

constexpr std::uint8_t echo_reply = 0;
constexpr std::uint8_t echo_request = 8;

std::uint16_t checksum(std::span<const std::uint8_t> bytes) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2)
        sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
    if (bytes.size() % 2) sum += static_cast<std::uint32_t>(bytes.back() << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

} // namespace

std::string icmp_echo_request(std::uint16_t id, std::uint16_t sequence,
                              std::span<const std::uint8_t> payload) {
    std::string out(8 + payload.size(), '\0');
    auto* b = reinterpret_cast<std::uint8_t*>(out.data());
    b[0] = echo_request;
    b[4] = static_cast<std::uint8_t>(id >> 8);
    b[5] = static_cast<std::uint8_t>(id);
    b[6] = static_cast<std::uint8_t>(sequence >> 8);
    b[7] = static_cast<std::uint8_t>(sequence);
    std::memcpy(b + 8, payload.data(), payload.size());
    std::uint16_t sum = checksum({b, out.size()});
    b[2] = static_cast<std::uint8_t>(sum >> 8);
    b[3] = static_cast<std::uint8_t>(sum);
    return out;
}

std::optional<std::uint16_t> icmp_echo_reply_sequence(std::span<const std::uint8_t> bytes,
                                                      bool with_ip_header,
                                                      std::optional<std::uint16_t> id) {
    if (with_ip_header) {
        if (bytes.empty() || (bytes[0] >> 4) != 4) return std::nullopt;
        std::size_t header = static_cast<std::size_t>(bytes[0] & 0x0f) * 4;
        if (header < 20 || bytes.size() < header) return std::nullopt;
        bytes = bytes.subspan(header);
    }
    if (bytes.size() < 8 || bytes[0] != echo_reply || bytes[1] != 0) return std::nullopt;
    auto got_id = static_cast<std::uint16_t>(bytes[4] << 8 | bytes[5]);
    if (id && got_id != *id) return std::nullopt;
    return static_cast<std::uint16_t>(bytes[6] << 8 | bytes[7]);
}

Pinger::Pinger(boost::asio::io_context& io)
    : io_(io) {
    int fd = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
    raw_ = fd >= 0;
    if (fd < 0) {
        std::string raw_error = std::strerror(errno);
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMP);
        if (fd < 0) {
            error_ = "raw ICMP socket: " + raw_error + "; ping socket: " + std::strerror(errno);
            return;
        }
    }
    // A raw socket sees every echo reply the host receives: our identifier tells ours apart.
    id_ = static_cast<std::uint16_t>(::getpid());
    socket_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, fd);
    read();
}

void Pinger::read() {
    socket_->async_wait(
        boost::asio::posix::stream_descriptor::wait_read,
        [this](const boost::system::error_code& ec) {
            if (ec) return;
            std::uint8_t buf[1500];
            for (;;) {
                sockaddr_in from{};
                socklen_t len = sizeof from;
                ssize_t n = ::recvfrom(socket_->native_handle(), buf, sizeof buf, 0,
                                       reinterpret_cast<sockaddr*>(&from), &len);
                if (n < 0) break;
                auto seq = icmp_echo_reply_sequence({buf, static_cast<std::size_t>(n)}, raw_,
                                                    raw_ ? std::optional(id_) : std::nullopt);
                if (!seq) continue;
                auto it = probes_.find(*seq);
                // The answer must come from the address probed.
                if (it != probes_.end() && it->second.address == ntohl(from.sin_addr.s_addr))
                    finish(*seq, true);
            }
            read();
        });
}

void Pinger::probe(std::uint32_t address, std::chrono::milliseconds timeout, Done done) {
    std::uint16_t seq = next_sequence_++;
    if (next_sequence_ == 0) next_sequence_ = 1;
    if (!socket_ || probes_.contains(seq)) {
        boost::asio::post(io_, [done = std::move(done)] { done(false); });
        return;
    }
    static constexpr std::uint8_t payload[] = {'s', 'u', 'p', 'e', 'r', 'd', '-', 'd',
                                               'h', 'c', 'p', 'd', ' ', 'p', 'i', 'n'};
    std::string packet = icmp_echo_request(id_, seq, payload);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_addr.s_addr = htonl(address);
    Probe& p = probes_[seq];
    p.address = address;
    p.done = std::move(done);
    p.timer = std::make_unique<boost::asio::steady_timer>(io_, timeout);
    p.timer->async_wait([this, seq](const boost::system::error_code& ec) {
        if (!ec) finish(seq, false);
    });
    if (::sendto(socket_->native_handle(), packet.data(), packet.size(), 0,
                 reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
        // Unreachable or refused: nobody answers there now, which is what the probe asks.
        boost::asio::post(io_, [this, seq] { finish(seq, false); });
    }
}

void Pinger::finish(std::uint16_t sequence, bool answered) {
    auto it = probes_.find(sequence);
    if (it == probes_.end()) return;
    Done done = std::move(it->second.done);
    it->second.timer->cancel();
    probes_.erase(it);
    done(answered);
}

} // namespace superd::dhcp
