#pragma once
// superd-dhcpd --leases: the leases in force at `now`, for a person (a table) or a program
// (JSON). Pure: the caller reads the lease file.
#include "dhcpd/lease_file.hpp"

#include <cstdint>
#include <map>
#include <string>

namespace superd::dhcp {

// Active leases whose end is after `now`, by address.
std::string leases_table(const std::map<std::uint32_t, Lease>& leases, std::int64_t now);
// {"leases": [{"address", "state", "starts", "ends", "cltt", "hardware_ethernet",
// "client_id", "client_hostname"}, ...]}, times as ISO 8601 UTC ("never" for an infinite lease),
// client_id in hex. `all`: every lease in the file, whatever its state.
std::string leases_json(const std::map<std::uint32_t, Lease>& leases, std::int64_t now,
                        bool all = false);

} // namespace superd::dhcp
