#pragma once
// Which INTERNAL services exist, by service name and socket type (xinetd's builtins.c table).
#include "superd/config.hpp"

#include <string>

namespace superd::daemon {

enum class Builtin { none, echo, discard, daytime, time, chargen, sensor, tcpmux };

Builtin find_builtin(const std::string& name, SocketType type);
inline bool builtin_exists(const std::string& name, SocketType type) {
    return find_builtin(name, type) != Builtin::none;
}

} // namespace superd::daemon
