#include "ntpd/client.hpp"

#include "ntpd/server.hpp"

#include "common/log.hpp"

#include <cstring>
#include <stdexcept>

#include <netdb.h>
#include <unistd.h>

namespace superd::ntp {

namespace {

std::shared_ptr<spdlog::logger> log() {
    return common::logger("ntpd-client");
}

std::int64_t monotonic_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::chrono::steady_clock::time_point at(std::int64_t mono_ns) {
    return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(mono_ns));
}

// The first address of `name` in the wanted family, or none.
std::optional<common::IpAddress> resolve(const std::string& name, Family family) {
    addrinfo hints{};
    hints.ai_family = family == Family::ipv4   ? AF_INET
                      : family == Family::ipv6 ? AF_INET6
                                               : AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0) return std::nullopt;
    std::optional<common::IpAddress> out;
    for (addrinfo* a = found; a && !out; a = a->ai_next)
        out = common::IpAddress::from_sockaddr(a->ai_addr, a->ai_addrlen);
    ::freeaddrinfo(found);
    return out;
}

} // namespace

Client::Client(boost::asio::io_context& io, std::vector<UpstreamConfig> upstreams,
               ClientOptions options, UpdateHandler on_update)
    : io_(io)
    , options_(std::move(options))
    , on_update_(std::move(on_update))
    , system_timer_(io)
    , start_mono_ns_(monotonic_ns())
    , system_(options_.system, start_mono_ns_)
    , nonces_(std::random_device{}()) {
    AssociationOptions a;
    a.burst_spacing = options_.burst_spacing;
    a.precision = options_.system.precision;
    a.maxdist = options_.system.limits.maxdist;
    a.keys = options_.keys.get();
    const std::int64_t now = monotonic_ns();
    std::uint16_t id = 0;
    for (UpstreamConfig& u : upstreams)
        associations_.emplace_back(++id, std::move(u), a, now);
    resolve_names();
    for (std::size_t i = 0; i < associations_.size(); ++i) {
        timers_.push_back(std::make_unique<boost::asio::steady_timer>(io_));
        const UpstreamConfig& c = associations_[i].config();
        if (c.local_clock || !c.address) continue;
        const common::IpAddress address = c.address->unmapped();
        by_endpoint_.try_emplace({address, c.port}, i);
        if (address.is_v4())
            open_channel(AF_INET, options_.bind_v4);
        else
            open_channel(AF_INET6, options_.bind_v6);
    }
}

Client::~Client() = default;

void Client::resolve_names() {
    // Blocking, once, before the loop runs: a name that does not resolve now stays without an
    // address (shown, never polled) rather than stalling the server's loop later.
    for (Association& a : associations_) {
        const UpstreamConfig& c = a.config();
        if (c.local_clock || c.address) continue;
        if (auto address = resolve(c.name, c.family)) {
            a.set_address(address->unmapped());
            log()->info("{}: resolved to {}", c.name, address->str());
        } else {
            log()->warn("{}: does not resolve; not polled", c.name);
        }
    }
}

void Client::open_channel(int family, const common::IpAddress& bind_address) {
    if (channels_.contains(family)) return;
    auto socket = NtpSocket::bind(bind_address, 0);
    if (!socket) throw std::runtime_error("ntp client socket: " + socket.error());
    Channel channel;
    channel.readable =
        std::make_unique<boost::asio::posix::stream_descriptor>(io_, ::dup(socket->fd()));
    channel.socket = std::move(*socket);
    channels_.emplace(family, std::move(channel));
}

void Client::start() {
    for (auto& [family, channel] : channels_)
        wait_readable(channel);
    for (std::size_t i = 0; i < associations_.size(); ++i)
        schedule(i);
    update();
}

void Client::schedule(std::size_t index) {
    auto& timer = *timers_[index];
    timer.cancel();
    auto next = associations_[index].next_poll_ns();
    if (!next) return;
    timer.expires_at(at(*next));
    timer.async_wait([this, index](const boost::system::error_code& ec) {
        if (!ec) on_poll(index);
    });
}

void Client::on_poll(std::size_t index) {
    Association& a = associations_[index];
    const std::int64_t now = monotonic_ns();
    if (auto next = a.next_poll_ns(); next && *next <= now) {
        const UpstreamConfig& c = a.config();
        Outgoing out;
        out.bytes = a.poll(now, nonces_());
        out.peer_len = common::Endpoint{*c.address, c.port}.to_sockaddr(out.peer);
        auto& channel = channels_.at(c.address->is_v4() ? AF_INET : AF_INET6);
        // T1 as late as possible: right before the system call.
        const std::int64_t t1 = wall_now_ns();
        if (channel.socket.send(std::span(&out, 1)) == 1) {
            a.sent(t1);
            ++counters_["sent"];
        } else {
            ++counters_["send_error"];
            log()->debug("{}: send: {}", c.name, std::strerror(errno));
        }
        update();
    }
    schedule(index);
}

void Client::wait_readable(Channel& channel) {
    channel.readable->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                 [this, &channel](const boost::system::error_code& ec) {
                                     if (ec) return;
                                     read_batch(channel);
                                     wait_readable(channel);
                                 });
}

void Client::read_batch(Channel& channel) {
    bool any = false;
    for (int round = 0; round < 16; ++round) {
        const int n = channel.socket.receive(in_, options_.batch);
        if (n <= 0) {
            if (n < 0) ++counters_["receive_error"];
            break;
        }
        const std::int64_t now = monotonic_ns();
        for (const Datagram& d : in_) {
            auto from = common::Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&d.peer),
                                                        d.peer_len);
            auto it = from ? by_endpoint_.find({from->address.unmapped(), from->port})
                           : by_endpoint_.end();
            if (it == by_endpoint_.end() || d.truncated) {
                ++counters_[d.truncated ? "oversized" : "unknown_source"];
                continue;
            }
            Association& a = associations_[it->second];
            const std::int64_t t4 = d.received_ns ? d.received_ns : wall_now_ns();
            const ReplyResult r = a.receive(d.bytes(), t4, now);
            ++counters_[std::string(to_string(r))];
            if (r == ReplyResult::kiss_deny)
                log()->warn("{}: refused us (kiss-o'-death); no longer polled", a.config().name);
            else if (r != ReplyResult::accepted)
                log()->info("{}: reply dropped: {}", a.config().name, to_string(r));
            schedule(it->second); // a kiss may have moved or stopped its polls
            any = true;
        }
    }
    if (any) update();
}

void Client::schedule_system() {
    // The system process also runs without packets: orphan mode starts when orphanwait ends,
    // and a local clock's reference time and everyone's dispersion move on with time.
    int minpoll = 6;
    for (const Association& a : associations_)
        minpoll = std::min(minpoll, a.config().minpoll);
    std::int64_t next = monotonic_ns() + (std::int64_t{1'000'000'000} << minpoll);
    const std::int64_t orphan =
        start_mono_ns_ +
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.system.orphan_wait).count();
    if (options_.system.orphan_stratum < 16 && monotonic_ns() < orphan)
        next = std::min(next, orphan);
    system_timer_.expires_at(at(next));
    system_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) update();
    });
}

void Client::update() {
    const std::uint16_t before = view_.details.system_peer_id;
    view_ = system_.update(associations_, monotonic_ns(), wall_now_ns());
    if (view_.details.system_peer_id != before) {
        if (view_.details.system_peer_id == 0)
            log()->warn("no system peer: stratum {}", view_.state.stratum);
        else
            log()->info("system peer {}, stratum {}",
                        view_.peers[view_.details.system_peer_id - 1].name, view_.state.stratum);
    }
    schedule_system();
    if (on_update_) on_update_(view_);
}

} // namespace superd::ntp
