#pragma once
// Answers to ntpq's read-only mode 6 queries from the client's view: READSTAT (the system status
// word and every association's peer status word, or one association's), READVAR of association
// 0 (the system variables ntpq -c rv prints) and of association N (the peer variables ntpq -p
// and ntpq -c "rv N" print), named as ntpd names them and formatted as it formats them. Writes
// are refused; unknown opcodes, associations and variables get the matching error. Pure: the
// view and the time are passed in.
#include "ntpd/control.hpp"
#include "ntpd/peer_status.hpp"
#include "ntpd/responder.hpp"

#include <cstdint>
#include <vector>

namespace superd::ntp {

// LI, clock source, event count and code, as RFC 9327 3.3.1 packs them.
std::uint16_t system_status_word(const SystemState& state);
// Status bits (configured, authenable, authentic, reach), selection code, event count and code,
// as RFC 9327 3.3.2 packs them (ntpq -c as decodes it; its selection code is ntpq -p's tally).
std::uint16_t peer_status_word(const PeerStatus& peer);

std::vector<std::vector<std::uint8_t>> answer_control(const ControlRequest& request,
                                                      const ClientView& view, std::int64_t now_ns);
// The system alone (no associations).
std::vector<std::vector<std::uint8_t>>
answer_control(const ControlRequest& request, const SystemState& state, std::int64_t now_ns);

} // namespace superd::ntp
