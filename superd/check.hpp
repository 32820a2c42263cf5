#pragma once
// superd -t: what a configuration would serve, for a person.
#include "superd/config.hpp"

#include <string>

namespace superd::daemon {
std::string describe_service(const ServiceConfig& svc);
} // namespace superd::daemon
