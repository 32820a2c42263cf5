#pragma once
// superd-dhcpd's I/O shell: the UDP socket, the lease file and the clock around the pure Engine.
//
// One event loop. When the socket is readable, every queued request is read (up to a batch
// limit) and answered by the engine. Replies that promise nothing durable (OFFER, NAK) leave at
// once; the lease changes are queued, and their ACKs wait until a write + fdatasync on the disk
// thread covers them (group commit: one sync for every change queued when it starts, while the
// loop goes on reading). So no ACK ever promises a lease that a crash could forget, and under
// load one sync covers many ACKs. Compaction runs on the disk thread too, between writes.
#include "dhcpd/config.hpp"
#include "dhcpd/engine.hpp"
#include "dhcpd/interfaces.hpp"
#include "dhcpd/lease_file.hpp"
#include "dhcpd/ping_check.hpp"
#include "dhcpd/socket.hpp"

#include "common/module_loop.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace superd::dhcp {

struct ServerOptions {
    // Answer only requests that arrive on these interfaces (names); empty: any interface.
    std::vector<std::string> interfaces;
    // Under superd (socket on fd 0): exit after this long without a request. Zero: never.
    std::chrono::seconds idle_timeout{0};
    std::size_t batch_limit = 256; // requests read before one commit
    std::chrono::milliseconds ping_timeout{1000};
};

class Server {
  public:
    // The config must outlive the server.
    Server(boost::asio::io_context& io, const Config& config, LeaseFile leases, DhcpSocket socket,
           ServerOptions options);

    // Checks the interfaces and starts reading. Error: an interface that does not exist.
    std::expected<void, std::string> start();
    // Runs until SIGTERM/SIGINT or the idle timeout; the exit status.
    int run();

    const Engine& engine() const { return engine_; }

  private:
    struct Outgoing {
        Reply reply;
        std::size_t max_size = min_dhcp_size;
        int ifindex = 0;
        std::string ifname;
        std::uint32_t source = 0;
    };
    // An OFFER held back while its address is probed, and what it answers.
    struct PendingProbe {
        Packet request;
        RxInfo rx;
        int ifindex = 0;
        int attempts = 0;
        Outgoing offer;
    };

    void wait_readable();
    void read_batch();
    void process(const Datagram& d, std::vector<Outgoing>& out);
    // log_request: false when the request was logged already (asked again after a probe).
    void answer(const Packet& request, const RxInfo& rx, int ifindex, int attempts,
                std::vector<Outgoing>& out, bool log_request);
    Outgoing outgoing(const Packet& request, const RxInfo& rx, int ifindex, Reply reply) const;
    void probe_done(std::uint32_t address, bool answered);
    // Sends what may go now; ACKs wait for the write that makes their leases durable.
    void commit_and_send(std::vector<Outgoing>& out);
    // Starts a write (or a compaction) on the disk thread when none runs and one is needed.
    void start_write();
    void written(const std::expected<void, std::string>& result, std::vector<Outgoing>& acks,
                 bool rewrite);
    bool compaction_due() const;
    void send(const Outgoing& o);
    void maybe_compact(); // at start-up, before any write runs
    std::vector<Lease> all_leases() const;
    // A drop's line, at most drop_lines_per_second per counter; io_drop counts it too (the
    // engine counts its own).
    void note_drop(const std::string& counter, const std::string& line);
    void io_drop(const std::string& counter, const std::string& line);
    void log_counters() const;
    std::int64_t now() const;

    boost::asio::io_context& io_;
    const Config& config_;
    LeaseFile leases_;
    DhcpSocket socket_;
    ServerOptions options_;
    Engine engine_;
    Interfaces interfaces_;
    std::vector<int> allowed_ifindexes_;
    boost::asio::posix::stream_descriptor readable_;
    common::ModuleLoop loop_;
    Pinger pinger_;
    std::map<std::uint32_t, PendingProbe> probes_;
    std::map<std::string, std::uint64_t> io_counters_; // transport drops: malformed, ...
    // Rate limit of drop lines: per counter, how many this second and how many were held back.
    struct DropLog {
        std::int64_t second = 0;
        int lines = 0;
        std::uint64_t suppressed = 0;
    };
    std::map<std::string, DropLog> drop_log_;
    std::size_t file_entries_ = 0; // entries in the lease file, overridden ones included
    // The disk thread: only it touches the lease file while `writing_`; this thread only
    // appends to the queue then.
    boost::asio::thread_pool disk_{1};
    bool writing_ = false;
    std::vector<Outgoing> waiting_acks_;    // their leases are queued, not yet being written
    std::int64_t no_compaction_before_ = 0; // after a failed rewrite, try again later
    int exit_status_ = 0;
};

} // namespace superd::dhcp
