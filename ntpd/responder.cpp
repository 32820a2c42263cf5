#include "ntpd/responder.hpp"

namespace superd::ntp {

namespace {

Packet reply_base(const Packet& req, Timestamp receive, const SystemState& s, Mode mode) {
    Packet r;
    bool unsynchronized = s.stratum >= 16 || s.leap == Leap::unsynchronized;
    r.leap = unsynchronized ? Leap::unsynchronized : s.leap;
    r.version = req.version; // RFC 5905 8: the reply's version is the request's
    r.mode = mode;
    r.stratum = s.stratum >= 16 ? 0 : s.stratum;
    r.poll = req.poll;
    r.precision = s.precision;
    r.root_delay = s.root_delay;
    r.root_dispersion = s.root_dispersion;
    r.reference_id = s.reference_id;
    r.reference = s.reference_time;
    r.origin = req.transmit; // byte for byte: the client matches its request by it
    r.receive = receive;
    return r;
}

Response kiss(const Packet& req, Timestamp receive, const SystemState& s, const char (&code)[5]) {
    // RFC 5905 7.4: stratum 0, the kiss code as reference id; LI 3 so that no client takes
    // the time from it.
    Response out;
    out.outcome = Outcome::kiss;
    out.packet = reply_base(req, receive, s, Mode::server);
    out.packet.leap = Leap::unsynchronized;
    out.packet.stratum = 0;
    out.packet.reference_id = ascii_id(code);
    return out;
}

} // namespace

Response respond(const Packet& req, Timestamp receive, const SystemState& s, Access access,
                 bool symmetric_allowed) {
    Mode mode;
    switch (req.mode) {
    case Mode::client:
        mode = Mode::server;
        break;
    case Mode::symmetric_active:
        if (!symmetric_allowed && access == Access::serve) access = Access::ignore;
        mode = Mode::symmetric_passive;
        break;
    default:
        // Never answer a server, broadcast, passive or reserved packet: two servers would echo
        // each other forever (the responses to our own client go elsewhere).
        return {};
    }
    switch (access) {
    case Access::serve:
        break;
    case Access::ignore:
        return {};
    case Access::kiss_deny:
        return kiss(req, receive, s, "DENY");
    case Access::kiss_rstr:
        return kiss(req, receive, s, "RSTR");
    case Access::kiss_rate:
        return kiss(req, receive, s, "RATE");
    case Access::crypto_nak: {
        Response out;
        out.outcome = Outcome::crypto_nak;
        out.packet = reply_base(req, receive, s, mode);
        out.packet.mac = Mac{0, {}};
        return out;
    }
    }
    Response out;
    out.outcome = Outcome::reply;
    out.packet = reply_base(req, receive, s, mode);
    // Never larger than the request: no extension fields back; a MAC only for a MAC.
    if (req.mac && req.mac->key_id != 0) out.mac_key = req.mac->key_id;
    return out;
}

} // namespace superd::ntp
