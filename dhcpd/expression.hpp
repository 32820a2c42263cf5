#pragma once
// The dhcp-eval(5) expressions of `if` / `elsif` that superd-dhcpd supports: parsed once with
// the config into an immutable tree, evaluated per request against the client's own packet.
// Pure: no sockets, no clock, no logging.
#include <cstdint>
#include <optional>
#include <vector>

namespace superd::dhcp {

struct Packet;

enum class ExprKind : std::uint8_t {
    // Conditions.
    exists,      // exists OPTION
    known,       // a host declaration matches the client
    equal,       // DATA = DATA
    not_equal,   // DATA != DATA
    logical_and, // COND and COND
    logical_or,  // COND or COND
    logical_not, // not COND
    // Data.
    option,    // option OPTION: the value the client sent
    constant,  // "text", 00:07
    substring, // substring(DATA, OFFSET, LENGTH)
    suffix,    // suffix(DATA, LENGTH)
    hardware,  // htype, then chaddr[0 .. hlen)
};

bool is_condition(ExprKind kind);

struct ExprNode {
    ExprKind kind = ExprKind::known;
    std::uint8_t code = 0;                // exists, option
    std::uint32_t left = 0, right = 0;    // operands: indexes into Expression::nodes
    std::uint32_t offset = 0, length = 0; // substring, suffix
    std::vector<std::uint8_t> bytes;      // constant
};

// A tree stored flat, so that it copies and frees without recursion: operands come before the
// nodes that use them, and the root is the last node. The parser bounds its size.
struct Expression {
    std::vector<ExprNode> nodes;
};

// What an expression may look at.
struct EvalContext {
    const Packet* request = nullptr; // as the client sent it; none: every option is missing
    bool known = false;              // ISC's `known`: a host declaration matches the client
};

// ISC dhcpd's three-valued logic (common/tree.c): nullopt is its "null", e.g. a missing
// option, or `known` with no request. Only true runs a branch.
std::optional<bool> evaluate(const Expression& expression, const EvalContext& context);

} // namespace superd::dhcp
