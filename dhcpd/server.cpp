#include "dhcpd/server.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <net/if.h>
#include <unistd.h>

namespace superd::dhcp {

namespace {

bool sets_ping_check(const std::vector<IfStatement>& conditionals) {
    return std::ranges::any_of(conditionals, [](const IfStatement& statement) {
        return std::ranges::any_of(statement.branches, [](const Branch& b) {
            return (b.params.ping_check && b.params.ping_check->value) || sets_ping_check(b.nested);
        });
    });
}

std::shared_ptr<spdlog::logger> log() {
    return common::logger("dhcpd");
}

// ISC's re-tries when a probe finds one address in use after another.
constexpr int max_probe_attempts = 8;
// Ethernet's MTU less the IPv4 and UDP headers: the most a reply may be without fragments.
constexpr std::size_t max_reply_size = 1500 - 28;
// A drop reason logs at most this many lines a second; the rest are counted and summed up.
constexpr int drop_lines_per_second = 5;

} // namespace

Server::Server(boost::asio::io_context& io, const Config& config, LeaseFile leases,
               DhcpSocket socket, ServerOptions options)
    : io_(io)
    , config_(config)
    , leases_(std::move(leases))
    , socket_(std::move(socket))
    , options_(std::move(options))
    , engine_(config_, 0)
    , readable_(io, ::dup(socket_.fd()))
    , loop_(
          io, log(), options_.idle_timeout, [this] { log_counters(); },
          // An offer still waits for its probe, or ACKs for their write.
          [this] { return !probes_.empty() || writing_ || !waiting_acks_.empty(); })
    , pinger_(io) {
    engine_.load(leases_.replayed().leases);
    file_entries_ = leases_.replayed().entries;
}

std::expected<void, std::string> Server::start() {
    interfaces_.refresh();
    for (const auto& name : options_.interfaces) {
        unsigned index = ::if_nametoindex(name.c_str());
        if (index == 0) return std::unexpected("interface " + name + ": " + std::strerror(errno));
        allowed_ifindexes_.push_back(static_cast<int>(index));
        const Interface* i = interfaces_.by_index(static_cast<int>(index));
        bool served = i && std::ranges::any_of(i->addresses, [&](const InterfaceAddress& a) {
                          return config_.subnet_for(a.address) != nullptr;
                      });
        if (!served)
            log()->warn("No subnet declaration for {}: requests on it get no answer unless "
                        "relayed",
                        name);
    }
    // Whether any request may get ping-check true; an `if` branch setting it counts too.
    bool any_ping = std::ranges::any_of(config_.scopes, [](const Scope& s) {
        return !s.params.ping_check || s.params.ping_check->value ||
               sets_ping_check(s.conditionals);
    });
    if (any_ping && !pinger_.available())
        log()->warn("ping-check: {}; addresses are offered without a probe", pinger_.error());
    maybe_compact();
    wait_readable();
    loop_.start();
    return {};
}

int Server::run() {
    io_.run();
    // A write still running finishes (its ACKs are not sent: the loop has stopped); what was
    // queued after it is written now, so that nothing the engine decided is forgotten.
    disk_.join();
    if (leases_.pending() && !leases_.commit())
        log()->error("{}: leases of the last requests not written", leases_.path());
    log_counters();
    return exit_status_;
}

std::int64_t Server::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(
               common::SystemClock::instance().wall().time_since_epoch())
        .count();
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
    std::vector<Outgoing> out;
    for (std::size_t i = 0; i < options_.batch_limit; ++i) {
        auto d = socket_.receive();
        if (!d) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                io_drop("receive_error", std::string("recvmsg: ") + std::strerror(errno));
            break;
        }
        process(*d, out);
    }
    commit_and_send(out);
    loop_.touch();
}

void Server::process(const Datagram& d, std::vector<Outgoing>& out) {
    auto from = [&] { return ipv4_string(d.source) + ":" + std::to_string(d.source_port); };
    if (d.truncated) return io_drop("oversized", "oversized packet from " + from() + ": dropped");
    if (!allowed_ifindexes_.empty() &&
        std::ranges::find(allowed_ifindexes_, d.ifindex) == allowed_ifindexes_.end())
        return io_drop("other_interface", "packet from " + from() + " on interface " +
                                              std::to_string(d.ifindex) + ": not served");
    auto packet = decode(d.bytes);
    if (!packet)
        return io_drop("malformed", "malformed packet from " + from() + ": " +
                                        std::string(to_string(packet.error())));
    RxInfo rx;
    bool to_us = false; // sent to one of our addresses, not broadcast
    if (const Interface* i = interfaces_.by_index(d.ifindex)) {
        rx.interface_name = i->name;
        // Our address on that link: the first one in a declared subnet, else the first.
        for (const auto& a : i->addresses)
            if (!rx.interface_address ||
                (config_.subnet_for(a.address) && !config_.subnet_for(rx.interface_address)))
                rx.interface_address = a.address;
        to_us = std::ranges::any_of(
            i->addresses, [&](const InterfaceAddress& a) { return a.address == d.destination; });
    }
    if (!rx.interface_address) rx.interface_address = d.local_address;
    // A relay or a renewing client names the address it reached us at: that one identifies us.
    // A broadcast is answered from the link's own address.
    rx.server_address = to_us ? d.destination : rx.interface_address;
    answer(*packet, rx, d.ifindex, 0, out, true);
}

void Server::answer(const Packet& request, const RxInfo& rx, int ifindex, int attempts,
                    std::vector<Outgoing>& out, bool log_request) {
    auto reply = engine_.handle(request, rx, now());
    if (!reply) {
        // The engine counted it; the line is rate-limited per reason.
        return note_drop(engine_.last_drop_counter(), engine_.last_drop());
    }
    if (log_request && !reply->request_line.empty()) log()->info("{}", reply->request_line);
    if (reply->lease_change) {
        leases_.append(*reply->lease_change);
        ++file_entries_;
    }
    if (reply->packet.message_type() == MessageType::offer) {
        auto it = probes_.find(reply->packet.yiaddr);
        if (it != probes_.end()) {
            // A retransmitted DISCOVER while its address is being probed: the offer waits for
            // the probe, and then answers the newest request.
            it->second.request = request;
            it->second.offer = outgoing(request, rx, ifindex, std::move(*reply));
            return;
        }
    }
    if (reply->probe && pinger_.available() && attempts < max_probe_attempts) {
        auto address = *reply->probe;
        probes_.emplace(address, PendingProbe{request, rx, ifindex, attempts,
                                              outgoing(request, rx, ifindex, std::move(*reply))});
        pinger_.probe(address, options_.ping_timeout,
                      [this, address](bool answered) { probe_done(address, answered); });
        return;
    }
    if (!reply->log_line.empty()) log()->info("{}", reply->log_line);
    if (reply->send) out.push_back(outgoing(request, rx, ifindex, std::move(*reply)));
}

Server::Outgoing Server::outgoing(const Packet& request, const RxInfo& rx, int ifindex,
                                  Reply reply) const {
    Outgoing o;
    auto asked = request.u16_option(option::max_message_size).value_or(0);
    o.max_size = std::clamp<std::size_t>(asked, min_dhcp_size, max_reply_size);
    o.ifindex = ifindex;
    o.ifname = rx.interface_name;
    o.source = rx.server_address;
    o.reply = std::move(reply);
    return o;
}

void Server::probe_done(std::uint32_t address, bool answered) {
    auto it = probes_.find(address);
    if (it == probes_.end()) return;
    PendingProbe pending = std::move(it->second);
    probes_.erase(it);
    std::vector<Outgoing> out;
    if (!answered) {
        // Nobody there: the offer goes as made (the engine held the address meanwhile).
        log()->info("{}", pending.offer.reply.log_line);
        out.push_back(std::move(pending.offer));
    } else {
        log()->error("ICMP Echo reply while lease {} valid.", ipv4_string(address));
        if (auto lease = engine_.abandon(address, now())) {
            log()->error("Abandoning IP address {}: pinged before offer", ipv4_string(address));
            leases_.append(*lease);
            ++file_entries_;
        }
        // Ask again: the engine picks another address (and may want that one probed too).
        answer(pending.request, pending.rx, pending.ifindex, pending.attempts + 1, out, false);
    }
    commit_and_send(out);
    loop_.touch();
}

void Server::commit_and_send(std::vector<Outgoing>& out) {
    for (auto& o : out) {
        if (o.reply.lease_change)
            waiting_acks_.push_back(std::move(o));
        else
            send(o);
    }
    out.clear();
    if (!writing_) start_write();
}

bool Server::compaction_due() const {
    // Rewrite when most of the file is overridden entries (ISC rewrites hourly), or when a
    // failed write left its tail unknown.
    if (leases_.failed()) return true;
    return now() >= no_compaction_before_ &&
           file_entries_ >= std::max<std::size_t>(1000, 2 * engine_.leases().size());
}

void Server::start_write() {
    if (writing_ || (waiting_acks_.empty() && !leases_.pending() && !compaction_due())) return;
    writing_ = true;
    auto acks = std::make_shared<std::vector<Outgoing>>(std::move(waiting_acks_));
    waiting_acks_.clear();
    if (compaction_due()) {
        // The whole state as of now, queued changes included: they need no write of their own.
        auto all = std::make_shared<std::vector<Lease>>(all_leases());
        leases_.take_pending();
        file_entries_ = all->size();
        boost::asio::post(disk_, [this, all, acks] {
            auto result = leases_.rewrite(*all);
            boost::asio::post(io_, [this, result, acks] { written(result, *acks, true); });
        });
        return;
    }
    auto entries = std::make_shared<LeaseFile::Entries>(leases_.take_pending());
    boost::asio::post(disk_, [this, entries, acks] {
        auto start = std::chrono::steady_clock::now();
        auto result = leases_.write_durably(*entries);
        auto took = std::chrono::steady_clock::now() - start;
        boost::asio::post(io_, [this, result, acks, took] {
            ++io_counters_["lease_writes"];
            io_counters_["lease_write_us"] +=
                std::chrono::duration_cast<std::chrono::microseconds>(took).count();
            written(result, *acks, false);
        });
    });
}

void Server::written(const std::expected<void, std::string>& result, std::vector<Outgoing>& acks,
                     bool rewrite) {
    writing_ = false;
    if (result) {
        for (const auto& o : acks)
            send(o);
    } else {
        ++io_counters_[rewrite ? "compact_failed" : "commit_failed"];
        // An ACK whose lease is not durable must not leave; the client will ask again.
        log()->error("{}: {}: {} ACK(s) not sent", leases_.path(), result.error(), acks.size());
        if (rewrite) no_compaction_before_ = now() + 60;
    }
    start_write();
}

void Server::send(const Outgoing& o) {
    auto bytes = encode(o.reply.packet, o.max_size);
    if (!bytes) {
        ++io_counters_["encode_failed"];
        log()->error("reply to {} not sent: {}", ipv4_string(o.reply.to.address),
                     to_string(bytes.error()));
        return;
    }
    const Destination& to = o.reply.to;
    // Our own port scheme, as ISC's -p: servers and relays on P, clients on P + 1.
    std::uint16_t port =
        to.port == server_port ? socket_.port() : static_cast<std::uint16_t>(socket_.port() + 1);
    std::uint32_t address = to.address;
    int ifindex = 0;
    if (to.address == limited_broadcast) ifindex = o.ifindex;
    if (to.link_layer_unicast) {
        // The client cannot answer ARP yet: tell the kernel its hardware address ourselves (as
        // dnsmasq does); without the right to, broadcast, which every client accepts.
        auto mac = o.reply.packet.hardware_address();
        auto arp = o.ifname.empty() ? std::unexpected<std::string>("no interface")
                                    : set_arp_entry(socket_.fd(), o.ifname, to.address, mac);
        if (!arp) {
            ++io_counters_["arp_fallback_broadcast"];
            address = limited_broadcast;
        }
        ifindex = o.ifindex;
    }
    if (auto ok = socket_.send(*bytes, address, port, ifindex, o.source); !ok) {
        io_drop("send_failed", "reply to " + ipv4_string(address) + ":" + std::to_string(port) +
                                   " not sent: " + ok.error());
    }
}

std::vector<Lease> Server::all_leases() const {
    std::vector<Lease> all;
    all.reserve(engine_.leases().size());
    for (const auto& [address, lease] : engine_.leases())
        all.push_back(lease);
    return all;
}

void Server::maybe_compact() {
    if (!compaction_due()) return;
    std::vector<Lease> all = all_leases();
    if (auto ok = leases_.compact(all); !ok) {
        ++io_counters_["compact_failed"];
        log()->error("{}: rewrite failed: {}", leases_.path(), ok.error());
        no_compaction_before_ = now() + 60;
        return;
    }
    file_entries_ = all.size();
}

void Server::io_drop(const std::string& counter, const std::string& line) {
    ++io_counters_[counter];
    note_drop(counter, line);
}

void Server::note_drop(const std::string& counter, const std::string& line) {
    auto second = now();
    DropLog& d = drop_log_[counter];
    if (d.second != second) {
        if (d.suppressed) log()->info("{} similar message(s) suppressed", d.suppressed);
        d = DropLog{second, 0, 0};
    }
    if (d.lines++ < drop_lines_per_second)
        log()->info("{}", line);
    else
        ++d.suppressed;
}

void Server::log_counters() const {
    auto all = engine_.counters();
    all.insert(io_counters_.begin(), io_counters_.end());
    log()->info("counters:{}", common::format_counters(all));
}

} // namespace superd::dhcp
