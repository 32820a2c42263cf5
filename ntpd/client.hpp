#pragma once
// The client side's I/O shell: one UDP socket per address family on an ephemeral port (the
// random source port and the nonce each reply must echo are the anti-spoofing), a timer per
// association, the kernel's receive time as T4 and the wall clock read just before each send as
// T1. The protocol is all in association.hpp and system_process.hpp; this only moves bytes and
// reads clocks. Runs on the daemon's io_context beside the server.
#include "ntpd/association.hpp"
#include "ntpd/keys.hpp"
#include "ntpd/peer_status.hpp"
#include "ntpd/socket.hpp"
#include "ntpd/system_process.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace superd::ntp {

struct ClientOptions {
    std::chrono::nanoseconds burst_spacing = std::chrono::seconds(2);
    SystemOptions system;
    std::shared_ptr<const KeyTable> keys; // for associations with a key
    // Where our sockets bind (port 0 always): the wildcard by default; tests use loopback.
    common::IpAddress bind_v4;                             // 0.0.0.0
    common::IpAddress bind_v6 = common::IpAddress::v6({}); // ::
    std::size_t batch = 16;                                // datagrams per recvmmsg
};

class Client {
  public:
    using UpdateHandler = std::function<void(const ClientView&)>;

    // Resolves host names (getaddrinfo, only for names that are not numeric; the first address
    // of the wanted family, once) and binds the sockets the upstreams' families need. Throws
    // std::runtime_error when a socket cannot be bound (start-up, not the data plane).
    Client(boost::asio::io_context& io, std::vector<UpstreamConfig> upstreams,
           ClientOptions options, UpdateHandler on_update);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Arms the timers and the reads; calls on_update once with the initial view.
    void start();
    const ClientView& view() const { return view_; }
    // Named counters: every reply's ReplyResult, unknown_source, send_error, receive_error...
    const std::map<std::string, std::uint64_t>& counters() const { return counters_; }

  private:
    struct Channel {
        NtpSocket socket;
        std::unique_ptr<boost::asio::posix::stream_descriptor> readable;
    };

    void resolve_names();
    void open_channel(int family, const common::IpAddress& bind_address);
    void schedule(std::size_t index);
    void on_poll(std::size_t index);
    void wait_readable(Channel& channel);
    void read_batch(Channel& channel);
    void schedule_system();
    void update();

    boost::asio::io_context& io_;
    ClientOptions options_;
    UpdateHandler on_update_;
    std::vector<Association> associations_;
    std::vector<std::unique_ptr<boost::asio::steady_timer>> timers_; // one per association
    boost::asio::steady_timer system_timer_;
    std::int64_t start_mono_ns_;
    SystemProcess system_;
    std::map<int, Channel> channels_; // by address family
    std::map<std::pair<common::IpAddress, std::uint16_t>, std::size_t> by_endpoint_;
    std::mt19937_64 nonces_;
    std::vector<Datagram> in_;
    ClientView view_;
    std::map<std::string, std::uint64_t> counters_;
};

} // namespace superd::ntp
