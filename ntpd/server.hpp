#pragma once
// superd-ntpd's I/O shell around the responder: one event loop reading the socket in batches
// (recvmmsg), each request answered from the kernel's receive time, each reply's transmit
// timestamp read just before its own send.
#include "ntpd/peer_status.hpp"
#include "ntpd/responder.hpp"
#include "ntpd/socket.hpp"

#include "common/module_loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace superd::ntp {

// What decides about each request: restrict, the rate limiter, authentication (see
// responder.hpp's Access). `now_ns` is a monotonic time for rate limits.
using AccessPolicy = std::function<Access(const common::IpAddress& peer, std::uint16_t port,
                                          const Packet& request, std::int64_t now_ns)>;
// Computes the MAC of an encoded reply (the bytes it covers) with key `key_id`; empty when the
// key is unknown (the reply then goes without one).
using MacSigner =
    std::function<std::vector<std::uint8_t>(std::uint32_t key_id, std::span<const std::uint8_t>)>;
// Whether a mode 6 query from `peer` is answered (restrict's `ignore` / `noquery`); null: all.
using ControlPolicy = std::function<bool(const common::IpAddress& peer, std::uint16_t port)>;

// What the server counts, one plain integer each (per packet: no lookup, no allocation);
// counters() names those that are not 0 for the log's counters line.
struct ServerCounters {
    std::uint64_t reply = 0, kiss = 0, crypto_nak = 0, dropped = 0, malformed = 0, oversized = 0,
                  receive_error = 0, send_error = 0, control = 0, control_refused = 0,
                  control_malformed = 0;
    std::map<std::string, std::uint64_t> named() const;
};

struct ServerOptions {
    std::chrono::seconds idle_timeout{0}; // under superd: exit after this long without requests
    std::size_t batch = 64;               // datagrams per recvmmsg
};

class Server {
  public:
    Server(boost::asio::io_context& io, NtpSocket socket, SystemState state, AccessPolicy access,
           MacSigner signer, ServerOptions options);
    void start();
    int run(); // until SIGTERM/SIGINT or the idle timeout

    void set_state(const SystemState& state) { view_.state = state; }
    // The client side's latest view: the state served, and the associations mode 6 shows.
    void set_view(ClientView view) { view_ = std::move(view); }
    void set_control_policy(ControlPolicy policy) { control_access_ = std::move(policy); }
    std::map<std::string, std::uint64_t> counters() const { return counters_.named(); }

  private:
    void wait_readable();
    void read_batch();
    void answer_control_request(const Datagram& d);
    void send_replies(std::size_t count);
    void log_counters() const;

    boost::asio::io_context& io_;
    NtpSocket socket_;
    ClientView view_;
    AccessPolicy access_;
    ControlPolicy control_access_;
    MacSigner signer_;
    ServerOptions options_;
    boost::asio::posix::stream_descriptor readable_; // an epoll set: the socket while waiting
    bool registered_ = false;                        // the socket is in readable_'s set
    bool busy_ = false;                              // the last read found a full batch
    common::ModuleLoop loop_;
    std::vector<Datagram> in_;
    // Reused from batch to batch (their byte buffers too): no allocation per reply.
    std::vector<Outgoing> out_;
    std::vector<std::optional<std::uint32_t>> mac_keys_;
    ServerCounters counters_;
};

// The clock's precision as NTP states it (log2 seconds): the smallest step seen between
// successive readings of CLOCK_REALTIME, as ntpd measures it at start-up.
std::int8_t measure_precision();
// CLOCK_REALTIME in nanoseconds.
std::int64_t wall_now_ns();
// Peer address of a datagram, v4-mapped IPv6 turned into IPv4.
common::IpAddress peer_address(const Datagram& d);
// Its source port (restrict's `ntpport` matches 123 only).
std::uint16_t peer_port(const Datagram& d);

} // namespace superd::ntp
