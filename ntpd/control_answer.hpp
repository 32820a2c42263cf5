#pragma once
// Answers to ntpq's read-only mode 6 queries from the system state: READSTAT (the system status
// word; associations once the client side lands) and READVAR of association 0 (the system
// variables ntpq -c rv prints). Writes are refused; unknown opcodes, associations and variables
// get the matching error. Pure: the state and the time are passed in.
#include "ntpd/control.hpp"
#include "ntpd/peer_status.hpp"
#include "ntpd/responder.hpp"

#include <cstdint>
#include <vector>

namespace superd::ntp {

// LI, clock source, event count and code, as RFC 9327 3.3.1 packs them.
std::uint16_t system_status_word(const SystemState& state);

std::vector<std::vector<std::uint8_t>> answer_control(const ControlRequest& request,
                                                      const ClientView& view, std::int64_t now_ns);
// The system alone (no associations).
std::vector<std::vector<std::uint8_t>>
answer_control(const ControlRequest& request, const SystemState& state, std::int64_t now_ns);

} // namespace superd::ntp
