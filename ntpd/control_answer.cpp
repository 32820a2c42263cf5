#include "ntpd/control_answer.hpp"

#include <algorithm>
#include <cstdio>

namespace superd::ntp {

namespace {

std::string hex_timestamp(Timestamp t) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%08x.%08x", t.seconds, t.fraction);
    return buf;
}

std::string milliseconds(std::uint32_t short_format) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(from_short(short_format)) / 1e6);
    return buf;
}

std::string refid_text(const SystemState& s) {
    std::uint32_t id = s.reference_id;
    // ASCII for a reference clock (stratum 1, or the local clock) and a kiss; else an address.
    if (s.stratum <= 1 || s.stratum >= 16 || id == ascii_id("LOCL")) {
        std::string text;
        for (int shift = 24; shift >= 0; shift -= 8) {
            char c = static_cast<char>((id >> shift) & 0xff);
            if (c) text += c;
        }
        return text.empty() ? "INIT" : text;
    }
    char buf[20];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff, (id >> 8) & 0xff,
                  id & 0xff);
    return buf;
}

std::vector<Variable> system_variables(const SystemState& s, std::int64_t now_ns) {
    bool unsync = s.stratum >= 16 || s.leap == Leap::unsynchronized;
    static const char* bits[] = {"00", "01", "10", "11"}; // ntpd writes the two bits
    std::string leap = bits[static_cast<int>(unsync ? Leap::unsynchronized : s.leap)];
    return {
        {"version", "superd-ntpd 0.1.0", true},
        {"processor", "x86_64", true},
        {"system", "Linux", true},
        {"leap", leap},
        {"stratum", std::to_string(std::min<int>(s.stratum, 16))},
        {"precision", std::to_string(s.precision)},
        {"rootdelay", milliseconds(s.root_delay)},
        {"rootdisp", milliseconds(s.root_dispersion)},
        {"refid", refid_text(s)},
        {"reftime", hex_timestamp(s.reference_time)},
        {"clock", hex_timestamp(to_ntp(now_ns))},
        {"peer", "0"},
        {"offset", "0.000000"},
        {"frequency", "0.000"},
        {"sys_jitter", "0.000000"},
        {"clk_jitter", "0.000"},
    };
}

} // namespace

std::uint16_t system_status_word(const SystemState& s) {
    bool unsync = s.stratum >= 16 || s.leap == Leap::unsynchronized;
    unsigned leap = static_cast<unsigned>(unsync ? Leap::unsynchronized : s.leap);
    // Clock source: 0 unspecified, 5 the local clock, 6 NTP.
    unsigned source = unsync ? 0 : s.reference_id == ascii_id("LOCL") ? 5 : 6;
    return static_cast<std::uint16_t>(leap << 14 | source << 8);
}

std::vector<std::vector<std::uint8_t>>
answer_control(const ControlRequest& req, const SystemState& state, std::int64_t now_ns) {
    return answer_control(req, ClientView{.state = state}, now_ns);
}

std::vector<std::vector<std::uint8_t>> answer_control(const ControlRequest& req,
                                                      const ClientView& view, std::int64_t now_ns) {
    const SystemState& state = view.state;
    switch (req.opcode) {
    case opcode::read_status:
        if (req.association != 0)
            return {encode_control_error(req, ControlError::unknown_association)};
        // No associations yet: the status word alone.
        return encode_control_response(req, system_status_word(state), 0, "");
    case opcode::read_variables: {
        if (req.association != 0)
            return {encode_control_error(req, ControlError::unknown_association)};
        auto all = system_variables(state, now_ns);
        auto names = variable_names(req.data);
        std::vector<Variable> chosen;
        if (names.empty()) {
            chosen = all;
        } else {
            for (const auto& name : names) {
                auto it = std::ranges::find(all, name, &Variable::name);
                if (it == all.end())
                    return {encode_control_error(req, ControlError::unknown_variable)};
                chosen.push_back(*it);
            }
        }
        return encode_control_response(req, system_status_word(state), 0,
                                       format_variables(chosen) + "\r\n");
    }
    case opcode::write_variables:
    case opcode::configure:
        return {encode_control_error(req, ControlError::permission_denied)};
    default:
        return {encode_control_error(req, ControlError::unknown_opcode)};
    }
}

} // namespace superd::ntp
