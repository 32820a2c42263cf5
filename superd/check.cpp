#include "superd/check.hpp"

namespace superd::daemon {

std::string describe_service(const ServiceConfig& s) {
    std::string where =
        s.bind_address ? s.bind_address->str() : (s.uses_ipv6() ? "[::]" : "0.0.0.0");
    if (s.bind_address && s.bind_address->is_v6()) where = "[" + where + "]";
    std::string out = s.id + ": " + to_string(s.socket_type) + "/" + s.protocol_name + " " +
                      (s.wait ? "wait" : "nowait") + " ";
    if (s.is_tcpmux_client())
        out += "via tcpmux";
    else
        out += where + ":" + std::to_string(s.port);
    if (s.is_internal()) {
        out += " internal " + s.name;
    } else if (s.redirect_host) {
        out += " redirect " + *s.redirect_host + " " + std::to_string(s.redirect_port);
    } else {
        out += " -> " + s.server;
        for (const auto& a : s.argv())
            out += " " + a;
        out += " (user " + s.user + ")";
    }
    return out;
}

} // namespace superd::daemon
