// Boost.JSON, compiled once here (header-only mode) for every program: superctl status --json,
// superd-dhcpd --leases --json.
#include <boost/json/src.hpp>
