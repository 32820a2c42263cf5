#include "ntpd/association.hpp"

#include "ntpd/mac.hpp"

#include <algorithm>
#include <cmath>

namespace superd::ntp {

namespace {

constexpr double phi = 15e-6;   // frequency tolerance (RFC 5905: PHI)
constexpr int poll_limit = 30;  // the poll-adjust counter's bound (RFC 5905: LIMIT)
constexpr double poll_gate = 4; // offsets within this many jitters are "stable" (PGATE)

double seconds(std::int64_t ns) {
    return static_cast<double>(ns) * 1e-9;
}

} // namespace

std::string_view to_string(ReplyResult result) {
    switch (result) {
    case ReplyResult::accepted:
        return "accepted";
    case ReplyResult::bad_format:
        return "bad_format";
    case ReplyResult::not_server:
        return "not_server";
    case ReplyResult::duplicate:
        return "duplicate";
    case ReplyResult::bogus:
        return "bogus";
    case ReplyResult::not_expected:
        return "not_expected";
    case ReplyResult::auth_failed:
        return "auth_failed";
    case ReplyResult::crypto_nak:
        return "crypto_nak";
    case ReplyResult::kiss_rate:
        return "kiss_rate";
    case ReplyResult::kiss_deny:
        return "kiss_deny";
    case ReplyResult::kiss_other:
        return "kiss_other";
    case ReplyResult::unsynchronized:
        return "unsynchronized";
    case ReplyResult::bad_time:
        return "bad_time";
    case ReplyResult::too_far:
        return "too_far";
    }
    return "unknown";
}

Association::Association(std::uint16_t id, UpstreamConfig config, AssociationOptions options,
                         std::int64_t mono_ns)
    : id_(id)
    , config_(std::move(config))
    , options_(options)
    , hpoll_(config_.minpoll)
    , next_poll_ns_(mono_ns) {
    peer_.association_id = id_;
    peer_.name = config_.name;
    peer_.port = config_.port;
    peer_.configured = config_.configured;
    peer_.prefer = config_.prefer;
    peer_.local_clock = config_.local_clock;
    peer_.authenticated = config_.key.has_value();
    peer_.key_id = config_.key.value_or(0);
    peer_.reference_id = ascii_id("INIT"); // what ntpq shows before the first reply
    if (local()) {
        peer_.leap = Leap::none;
        peer_.stratum = static_cast<std::uint8_t>(config_.local_stratum);
        peer_.reference_id = config_.local_refid;
        peer_.precision = -7;
    }
}

std::optional<std::int64_t> Association::next_poll_ns() const {
    if (local() || denied_ || !config_.address) return std::nullopt;
    return next_poll_ns_;
}

std::int64_t Association::poll_interval_ns() const {
    return std::int64_t{1'000'000'000} << hpoll_;
}

std::vector<std::uint8_t> Association::poll(std::int64_t mono_ns, std::uint64_t nonce) {
    pending_regular_ = burst_left_ == 0;
    if (pending_regular_) {
        // RFC 5905 A.5.7.2 (poll) with ntpd's time-out: the register shifts once per regular
        // poll; a burst's extra packets do not shift it.
        const std::uint8_t before = reach_;
        reach_ = static_cast<std::uint8_t>(reach_ << 1);
        ++unreach_;
        if (reach_ == 0) {
            // Lost: start again from minpoll to find it quickly once it answers.
            if (before != 0) {
                hpoll_ = config_.minpoll;
                jiggle_ = 0;
                event(PeerEvent::unreachable);
            }
            // iburst while it has not answered for long; past that, a dead server gets
            // single packets at a growing interval rather than bursts.
            if (config_.iburst && unreach_ < unreach_limit) burst_left_ = burst_size - 1;
        } else if (config_.burst) {
            burst_left_ = burst_size - 1;
        }
        if (unreach_ >= unreach_limit) hpoll_ = std::min(hpoll_ + 1, config_.maxpoll);
    } else {
        --burst_left_;
    }
    next_poll_ns_ =
        mono_ns + (burst_left_ > 0 ? options_.burst_spacing.count() : poll_interval_ns());

    // A basic client request (RFC 5905 section 8 as SNTP and chrony send it): only the mode,
    // version, poll and precision mean anything; the transmit timestamp is a nonce the reply
    // must echo as its origin, which hides our clock and makes a blind spoof guess 64 bits.
    pending_nonce_ = nonce == 0 ? 1 : nonce;
    Packet request;
    request.leap = Leap::unsynchronized;
    request.version = static_cast<std::uint8_t>(config_.version);
    request.mode = Mode::client;
    request.poll = static_cast<std::int8_t>(hpoll_);
    request.precision = options_.precision;
    request.transmit = Timestamp::from_raw(pending_nonce_);
    if (config_.key) request.mac = Mac{*config_.key, {}};
    std::vector<std::uint8_t> bytes = encode(request);
    if (config_.key) {
        // Without the key in the table we cannot sign: send it unsigned; the reply then fails
        // the MAC check, which is what the operator sees (auth_ok false).
        bytes.resize(mac_covered_size(request));
        const Key* key = options_.keys ? options_.keys->find(*config_.key) : nullptr;
        if (key) {
            auto field = mac_field(*key, bytes);
            bytes.insert(bytes.end(), field.begin(), field.end());
        }
    }
    return bytes;
}

void Association::sent(UnixNanos t1) {
    outstanding_nonce_ = pending_nonce_;
    outstanding_regular_ = pending_regular_;
    t1_ = t1;
}

ReplyResult Association::receive(std::span<const std::uint8_t> bytes, UnixNanos t4,
                                 std::int64_t mono_ns) {
    if (local() || denied_) return ReplyResult::not_expected;
    auto decoded = decode(bytes);
    if (!decoded) return ReplyResult::bad_format;
    const Packet& p = *decoded;
    if (p.mode != Mode::server) return ReplyResult::not_server;
    // RFC 5905 8's two tests, in its order: a replay of the last reply, then a reply that does
    // not answer our outstanding request (an old one, a spoof).
    if (!last_xmt_.is_zero() && p.transmit == last_xmt_) return ReplyResult::duplicate;
    if (outstanding_nonce_ == 0 || p.origin.raw() != outstanding_nonce_) return ReplyResult::bogus;
    // Authentication before anything the reply makes us do: an unsigned kiss must not stop a
    // keyed association (ntpd's fix for CVE-2015-7704).
    if (config_.key) {
        ReplyResult auth = check_auth(p, bytes);
        if (auth != ReplyResult::accepted) return auth;
    }
    const bool regular = outstanding_regular_;
    outstanding_nonce_ = 0; // one reply per request
    last_xmt_ = p.transmit;

    if (p.stratum == 0) return handle_kiss(p, mono_ns);
    // It answered: reachable, even if what it says is not usable.
    if (reach_ == 0) event(PeerEvent::reachable);
    reach_ |= 1;
    unreach_ = 0;
    take_header(p);
    if (p.leap == Leap::unsynchronized || p.stratum >= 16) return ReplyResult::unsynchronized;
    if (p.receive.is_zero() || p.transmit.is_zero() || p.reference > p.transmit)
        return ReplyResult::bad_time;
    if (peer_.root_delay / 2 + peer_.root_dispersion >= options_.maxdist)
        return ReplyResult::too_far;
    // Judged against the filter as it was: the new sample must not vouch for itself.
    const std::optional<Sample> before = filter_.best(seconds(mono_ns));
    const double jitter = filter_.jitter(seconds(mono_ns));
    const double offset = add_sample(p, t4, mono_ns);
    if (regular && before) adjust_poll(offset - before->offset, jitter);
    return ReplyResult::accepted;
}

ReplyResult Association::check_auth(const Packet& p, std::span<const std::uint8_t> bytes) {
    peer_.auth_ok = false;
    if (!p.mac) {
        event(PeerEvent::bad_auth);
        return ReplyResult::auth_failed;
    }
    if (p.mac->digest.empty()) {
        event(PeerEvent::bad_auth);
        return ReplyResult::crypto_nak;
    }
    const Key* key = options_.keys ? options_.keys->find(*config_.key) : nullptr;
    const std::size_t covered = mac_covered_size(p);
    if (!key || p.mac->key_id != *config_.key || covered > bytes.size() ||
        !verify_mac(*key, bytes.first(covered), p.mac->digest)) {
        event(PeerEvent::bad_auth);
        return ReplyResult::auth_failed;
    }
    peer_.auth_ok = true;
    return ReplyResult::accepted;
}

ReplyResult Association::handle_kiss(const Packet& p, std::int64_t mono_ns) {
    // RFC 5905 7.4: the kiss code is in the reference id; the reply carries no time.
    if (p.reference_id == ascii_id("RATE")) {
        // Poll less often, at least as rarely as the server asks, and stop any burst.
        burst_left_ = 0;
        hpoll_ = std::clamp(std::max(hpoll_ + 1, static_cast<int>(p.poll)), config_.minpoll,
                            config_.maxpoll);
        next_poll_ns_ = std::max(next_poll_ns_, mono_ns + poll_interval_ns());
        event(PeerEvent::rate_exceeded);
        return ReplyResult::kiss_rate;
    }
    if (p.reference_id == ascii_id("DENY") || p.reference_id == ascii_id("RSTR")) {
        // RFC 5905: the client MUST stop sending to that server.
        denied_ = true;
        burst_left_ = 0;
        reach_ = 0;
        peer_.reference_id = p.reference_id;
        event(PeerEvent::access_denied);
        return ReplyResult::kiss_deny;
    }
    return ReplyResult::kiss_other;
}

void Association::take_header(const Packet& p) {
    peer_.leap = p.leap;
    peer_.stratum = p.stratum;
    peer_.reference_id = p.reference_id;
    peer_.precision = p.precision;
    peer_.root_delay = seconds(from_short(p.root_delay));
    peer_.root_dispersion = seconds(from_short(p.root_dispersion));
    peer_.reference_time = p.reference;
    peer_.ppoll = p.poll;
}

double Association::add_sample(const Packet& p, UnixNanos t4, std::int64_t mono_ns) {
    // RFC 5905 section 8: T2 and T3 are taken in the era nearest our T1.
    const std::int64_t t1 = t1_;
    const std::int64_t t2 = from_ntp(p.receive, t1);
    const std::int64_t t3 = from_ntp(p.transmit, t1);
    const double ours = std::ldexp(1.0, options_.precision);
    Sample s;
    s.offset = (seconds(t2 - t1) + seconds(t3 - t4)) / 2;
    // Never below our precision: a zero or negative delay (clock steps, a server whose
    // timestamps are coarse) must not make the sample look perfect.
    s.delay = std::max(seconds((t4 - t1) - (t3 - t2)), ours);
    s.dispersion = std::ldexp(1.0, p.precision) + ours + phi * seconds(t4 - t1);
    s.time = seconds(mono_ns);
    filter_.add(s);
    peer_.org = to_ntp(t1);
    peer_.rec = p.receive;
    peer_.xmt = p.transmit;
    peer_.last_update_ns = t4;
    return s.offset;
}

void Association::adjust_poll(double change, double jitter) {
    // RFC 5905 A.5.5.6's poll-adjust rule, applied per association since we do not discipline
    // the clock: a sample within a few jitters of the filter's previous best lengthens the
    // interval, one that jumps shortens it. Only answers to regular polls count, so that a
    // burst of 8 is one observation, not 8.
    if (std::abs(change) < poll_gate * std::max(jitter, std::ldexp(1.0, options_.precision))) {
        jiggle_ += hpoll_;
        if (jiggle_ > poll_limit) {
            jiggle_ = 0;
            hpoll_ = std::min(hpoll_ + 1, config_.maxpoll);
        }
    } else {
        jiggle_ -= 2 * hpoll_;
        if (jiggle_ < -poll_limit) {
            jiggle_ = 0;
            hpoll_ = std::max(hpoll_ - 1, config_.minpoll);
        }
    }
}

void Association::event(PeerEvent e) {
    peer_.last_event = static_cast<std::uint8_t>(e);
    if (peer_.event_count < 15) ++peer_.event_count; // a 4-bit counter that sticks at 15
}

std::optional<Sample> Association::best(std::int64_t mono_ns) const {
    if (local()) return Sample{0, 0, local_dispersion, seconds(mono_ns)};
    return filter_.best(seconds(mono_ns));
}

PeerStatus Association::status(std::int64_t mono_ns) const {
    PeerStatus s = peer_;
    s.address = config_.address.value_or(common::IpAddress{});
    s.reach = reach();
    s.hpoll = hpoll_;
    s.selection = PeerSelection::reject;
    if (auto b = best(mono_ns)) {
        s.offset = b->offset;
        s.delay = b->delay;
        s.dispersion = b->dispersion;
        s.jitter = local() ? 0 : filter_.jitter(seconds(mono_ns));
    } else {
        s.dispersion = 16; // RFC 5905: MAXDISP until there is a sample
    }
    return s;
}

} // namespace superd::ntp
