#include "ntpd/control_answer.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>
#include <string_view>

#include <sys/utsname.h>

namespace superd::ntp {

namespace {

// uname -m, as ntpd reports it.
std::string machine() {
    utsname u{};
    return ::uname(&u) == 0 ? std::string(u.machine) : std::string("unknown");
}

// ntpq casts every bare value with int(v, 0), then float(v): numbers must be plain decimal
// (or 0x hex, as ntpd sends reach), never with leading zeros ("01" would not parse).
std::string hex_timestamp(Timestamp t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%08x.%08x", t.seconds, t.fraction);
    return buf;
}

std::string fixed(double value, int digits) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.*f", digits, value);
    return buf;
}

// ntpd's ctl_putdbl ("%.3f") for root delay and dispersion, ctl_putdbl6 ("%.6f") for the clock
// filter's offset, delay, dispersion and jitter, all in milliseconds.
std::string ms3(double seconds) {
    return fixed(seconds * 1e3, 3);
}
std::string ms6(double seconds) {
    return fixed(seconds * 1e3, 6);
}

std::string milliseconds(std::uint32_t short_format) {
    return fixed(static_cast<double>(from_short(short_format)) / 1e6, 3);
}

std::string hex(unsigned value) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%x", value);
    return buf;
}

std::string dotted_quad(std::uint32_t id) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff, (id >> 8) & 0xff,
                  id & 0xff);
    return buf;
}

// A kiss code or reference clock name. Characters that would break the "a=b, c=d" list (or
// print oddly) become '.', as ntpd's ctl_putrefid does with unprintable ones.
std::string ascii_refid(std::uint32_t id) {
    std::string text;
    for (int shift = 24; shift >= 0; shift -= 8) {
        char c = static_cast<char>((id >> shift) & 0xff);
        if (!c) break;
        bool plain = c > ' ' && c < 127 && c != ',' && c != '=' && c != '"';
        text += plain ? c : '.';
    }
    return text.empty() ? "INIT" : text; // never heard from: ntpd shows .INIT.
}

// ASCII for a reference clock (stratum 1, or the local clock) and a kiss (stratum 0, 16);
// else the upstream's address (or, for IPv6, the hash ntpd shows as a dotted quad).
std::string refid_text(std::uint8_t stratum, std::uint32_t id, bool clock) {
    if (clock || stratum <= 1 || stratum >= 16) return ascii_refid(id);
    return dotted_quad(id);
}

std::string leap_text(Leap leap, std::uint8_t stratum) {
    // ntpd sends the two bits as a number (ntpq prints it as "00".."11").
    bool unsync = stratum >= 16 || leap == Leap::unsynchronized;
    return std::to_string(static_cast<int>(unsync ? Leap::unsynchronized : leap));
}

std::vector<Variable> system_variables(const ClientView& view, std::int64_t now_ns) {
    const SystemState& s = view.state;
    const SystemDetails& d = view.details;
    return {
        {"version", "superd-ntpd 0.1.0", true},
        {"processor", machine(), true},
        {"system", "Linux", true},
        {"leap", leap_text(s.leap, s.stratum)},
        {"stratum", std::to_string(std::min<int>(s.stratum, 16))},
        {"precision", std::to_string(s.precision)},
        {"rootdelay", milliseconds(s.root_delay)},
        {"rootdisp", milliseconds(s.root_dispersion)},
        {"refid", refid_text(s.stratum, s.reference_id, s.reference_id == ascii_id("LOCL"))},
        {"reftime", hex_timestamp(s.reference_time)},
        {"clock", hex_timestamp(to_ntp(now_ns))},
        {"peer", std::to_string(d.system_peer_id)},
        {"tc", std::to_string(d.time_constant)},
        {"offset", ms6(d.offset)},
        {"frequency", fixed(d.frequency_ppm, 6)},
        {"sys_jitter", ms6(d.system_jitter)},
        {"clk_jitter", ms6(d.clock_jitter)},
        {"clk_wander", fixed(d.clock_wander_ppm, 6)},
    };
}

// Every name a peer answer may hold; those marked `listed` are sent when no names are asked
// (ntpd's default peer list), the rest (org, xmt) only when asked for by name.
struct PeerVariable {
    Variable var;
    bool listed = true;
};

// ntpd's names for a peer that a given association may lack (srchost: only for names).
constexpr std::string_view optional_peer_names[] = {"srchost"};

std::vector<PeerVariable> peer_variables(const PeerStatus& p) {
    std::vector<PeerVariable> out;
    auto put = [&](std::string name, std::string value, bool quoted = false, bool listed = true) {
        out.push_back({{std::move(name), std::move(value), quoted}, listed});
    };
    std::string address = p.address.str();
    put("srcadr", address);
    put("srcport", std::to_string(p.port));
    // ntpq -p shows srchost for 127.127.t.u addresses: ntpd names its clocks "NAME(unit)", and
    // the parenthesis is what makes ntpq print the type 'l'.
    if (p.local_clock) {
        unsigned unit = p.address.is_v4() ? p.address.v4_host_order() & 0xff : 0;
        put("srchost", "LOCAL(" + std::to_string(unit) + ")", true);
    } else if (!p.name.empty() && p.name != address) {
        put("srchost", p.name, true);
    }
    // The local address the association uses is not tracked; ntpd sends the wildcard then.
    put("dstadr", p.address.is_v4() ? "0.0.0.0" : "::");
    put("dstport", "0");
    put("leap", leap_text(p.leap, p.stratum));
    put("stratum", std::to_string(std::min<int>(p.stratum, 16)));
    put("precision", std::to_string(p.precision));
    put("rootdelay", ms3(p.root_delay));
    put("rootdisp", ms3(p.root_dispersion));
    put("refid", refid_text(p.stratum, p.reference_id, p.local_clock));
    put("reftime", hex_timestamp(p.reference_time));
    // ntpq -p's "when" is now - rec; before any reply ntpd sends zero too.
    Timestamp rec = p.rec;
    if (rec.is_zero() && p.last_update_ns != 0) rec = to_ntp(p.last_update_ns);
    put("rec", hex_timestamp(rec));
    put("reach", hex(p.reach)); // ntpd ships it as hex; ntpq prints it in octal
    put("hmode", "3");          // we are always the client (RFC 5905 mode 3)
    // The mode of the peer's last packet: a server's reply (4) once one was accepted.
    bool heard = !p.local_clock && (p.reach != 0 || p.last_update_ns != 0);
    put("pmode", heard ? "4" : "0");
    put("hpoll", std::to_string(p.hpoll));
    // ntpq -p shows 2^min(ppoll, hpoll): a peer that has not told its poll (or the local clock,
    // which sends none) must not shorten it, so it counts as ours, as ntpd's maxpoll default.
    put("ppoll", std::to_string(p.ppoll > 0 ? p.ppoll : p.hpoll));
    put("keyid", std::to_string(p.key_id));
    put("offset", ms6(p.offset));
    put("delay", ms6(p.delay));
    put("dispersion", ms6(p.dispersion));
    put("jitter", ms6(p.jitter));
    put("org", hex_timestamp(p.org), false, false);
    put("xmt", hex_timestamp(p.xmt), false, false);
    return out;
}

// The variables `data` names (all listed ones when it names none); nullopt when a name is not
// one this kind of association can have.
std::optional<std::vector<Variable>> choose(const std::vector<PeerVariable>& all,
                                            std::string_view data,
                                            std::span<const std::string_view> optional_names) {
    auto names = variable_names(data);
    std::vector<Variable> chosen;
    if (names.empty()) {
        for (const auto& v : all)
            if (v.listed) chosen.push_back(v.var);
        return chosen;
    }
    for (const auto& name : names) {
        auto it =
            std::ranges::find_if(all, [&](const PeerVariable& v) { return v.var.name == name; });
        if (it != all.end())
            chosen.push_back(it->var);
        else if (std::ranges::find(optional_names, name) == optional_names.end())
            return std::nullopt;
    }
    return chosen;
}

const PeerStatus* find_peer(const ClientView& view, std::uint16_t association) {
    auto it = std::ranges::find(view.peers, association, &PeerStatus::association_id);
    return it == view.peers.end() ? nullptr : &*it;
}

void put16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
}

} // namespace

std::uint16_t system_status_word(const SystemState& s) {
    bool unsync = s.stratum >= 16 || s.leap == Leap::unsynchronized;
    unsigned leap = static_cast<unsigned>(unsync ? Leap::unsynchronized : s.leap);
    // Clock source: 0 unspecified, 5 the local clock, 6 NTP.
    unsigned source = unsync ? 0 : s.reference_id == ascii_id("LOCL") ? 5 : 6;
    return static_cast<std::uint16_t>(leap << 14 | source << 8);
}

std::uint16_t peer_status_word(const PeerStatus& p) {
    unsigned status = 0;
    if (p.configured) status |= 0x80;                  // CTL_PST_CONFIG
    if (p.authenticated) status |= 0x40;               // CTL_PST_AUTHENABLE
    if (p.authenticated && p.auth_ok) status |= 0x20;  // CTL_PST_AUTHENTIC
    if (p.reach != 0) status |= 0x10;                  // CTL_PST_REACH
    status |= static_cast<unsigned>(p.selection) & 7u; // broadcast (0x08) never: unicast only
    return static_cast<std::uint16_t>(status << 8 | (p.event_count & 0xfu) << 4 |
                                      (p.last_event & 0xfu));
}

std::vector<std::vector<std::uint8_t>>
answer_control(const ControlRequest& req, const SystemState& state, std::int64_t now_ns) {
    return answer_control(req, ClientView{.state = state}, now_ns);
}

std::vector<std::vector<std::uint8_t>> answer_control(const ControlRequest& req,
                                                      const ClientView& view, std::int64_t now_ns) {
    const SystemState& state = view.state;
    switch (req.opcode) {
    case opcode::read_status: {
        if (req.association == 0) {
            // The system status word, then (association id, peer status word) pairs.
            std::string pairs;
            for (const auto& p : view.peers) {
                put16(pairs, p.association_id);
                put16(pairs, peer_status_word(p));
            }
            return encode_control_response(req, system_status_word(state), 0, pairs);
        }
        const PeerStatus* peer = find_peer(view, req.association);
        if (!peer) return {encode_control_error(req, ControlError::unknown_association)};
        return encode_control_response(req, peer_status_word(*peer), req.association, "");
    }
    case opcode::read_variables: {
        std::vector<PeerVariable> all;
        std::uint16_t status = 0;
        std::span<const std::string_view> optional_names;
        if (req.association == 0) {
            for (auto& v : system_variables(view, now_ns))
                all.push_back({std::move(v)});
            status = system_status_word(state);
        } else {
            const PeerStatus* peer = find_peer(view, req.association);
            if (!peer) return {encode_control_error(req, ControlError::unknown_association)};
            all = peer_variables(*peer);
            status = peer_status_word(*peer);
            optional_names = optional_peer_names;
        }
        auto chosen = choose(all, req.data, optional_names);
        if (!chosen) return {encode_control_error(req, ControlError::unknown_variable)};
        return encode_control_response(req, status, req.association,
                                       format_variables(*chosen) + "\r\n");
    }
    case opcode::read_clock:
        // No reference clock variables: ntpd answers so for associations that are not clocks.
        return {encode_control_error(req, ControlError::unknown_association)};
    case opcode::write_variables:
    case opcode::configure:
        return {encode_control_error(req, ControlError::permission_denied)};
    default:
        return {encode_control_error(req, ControlError::unknown_opcode)};
    }
}

} // namespace superd::ntp
