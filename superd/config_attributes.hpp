#pragma once
// Parsing of one attribute line's values into a ServiceConfig or DefaultsConfig.
#include "superd/config.hpp"

#include <string>
#include <vector>

namespace superd::daemon {

enum class Op { assign, add, remove };

struct AttributeLine {
    std::string name;
    Op op = Op::assign;
    std::vector<std::string> values;
    SourceLocation where;
};

// What the attribute table says of one attribute.
struct AttributeInfo {
    const char* name;
    int value_count;  // >0 exact, -1 any, -2 any and modifiable (+= -=)
    bool in_defaults; // allowed in `defaults`
};
const AttributeInfo* find_attribute(const std::string& name);

// Each returns false (and adds an error to diags) when the value is bad: xinetd then disables
// the service (or, in defaults, stops).
bool apply_service_attribute(ServiceConfig& svc, const AttributeLine& line, Diagnostics& diags);
bool apply_defaults_attribute(DefaultsConfig& defaults, const AttributeLine& line,
                              Diagnostics& diags);

// Shared value parsers (also used by tests).
std::optional<AddressPattern> parse_address_pattern(const std::string& text);
// Expands "{a,b}" factorized forms; a value with ',' but no '{' is an error (nullopt).
std::optional<std::vector<AddressPattern>> parse_address_value(const std::string& text);
std::optional<TimeInterval> parse_time_interval(const std::string& text);
std::optional<rlim_t> parse_size(const std::string& text, bool allow_suffix);

} // namespace superd::daemon
