#pragma once
// ping-check (dhcpd.conf(5)): before an address is offered to a client that never had it, one
// ICMP echo request goes to it; an answer means a host we do not know of uses it. Asynchronous:
// other clients are served while a probe waits for its answer or its deadline.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace superd::dhcp {

// An ICMP echo request with this identifier, sequence number and payload (checksum filled in).
std::string icmp_echo_request(std::uint16_t id, std::uint16_t sequence,
                              std::span<const std::uint8_t> payload);
// Reads an echo reply: from a raw socket (with its IPv4 header) or a ping socket (without).
// The sequence number, when it is an echo reply with the identifier `id` (a ping socket's
// identifier is the kernel's: pass nullopt).
std::optional<std::uint16_t> icmp_echo_reply_sequence(std::span<const std::uint8_t> bytes,
                                                      bool with_ip_header,
                                                      std::optional<std::uint16_t> id);

class Pinger {
  public:
    using Done = std::function<void(bool answered)>;

    // Opens a raw ICMP socket (root, CAP_NET_RAW) or else a ping socket (net.ipv4.
    // ping_group_range); when neither opens, available() is false and error() says why.
    explicit Pinger(boost::asio::io_context& io);
    bool available() const { return socket_ != nullptr; }
    const std::string& error() const { return error_; }
    std::size_t in_flight() const { return probes_.size(); }

    // Calls done(true) when `address` answers within `timeout`, done(false) after it. Never calls
    // done from inside probe(). A send failure counts as no answer.
    void probe(std::uint32_t address, std::chrono::milliseconds timeout, Done done);

  private:
    struct Probe {
        std::uint32_t address = 0;
        std::unique_ptr<boost::asio::steady_timer> timer;
        Done done;
    };
    void read();
    void finish(std::uint16_t sequence, bool answered);

    boost::asio::io_context& io_;
    std::unique_ptr<boost::asio::posix::stream_descriptor> socket_;
    bool raw_ = false;
    std::uint16_t id_ = 0;
    std::uint16_t next_sequence_ = 1;
    std::map<std::uint16_t, Probe> probes_;
    std::string error_;
};

} // namespace superd::dhcp
