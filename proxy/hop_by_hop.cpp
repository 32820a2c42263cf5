#include "proxy/hop_by_hop.hpp"

#include "proxy/field_values.hpp"

#include <array>

namespace superd::proxy {

bool is_hop_by_hop(std::string_view name) {
    static constexpr std::array<std::string_view, 10> names{"Connection",
                                                            "Keep-Alive",
                                                            "Proxy-Connection",
                                                            "TE",
                                                            "Trailer",
                                                            "Transfer-Encoding",
                                                            "Upgrade",
                                                            "Proxy-Authenticate",
                                                            "Proxy-Authorization",
                                                            "Proxy-Authentication-Info"};
    for (auto n : names) {
        if (iequals(n, name)) return true;
    }
    return false;
}

std::vector<std::string> connection_options(const http::fields& fields) {
    std::vector<std::string> out;
    for (auto name : field_list(fields, "Connection"))
        out.push_back(to_lower(name));
    return out;
}

void strip_hop_by_hop(http::fields& fields) {
    for (const auto& name : connection_options(fields))
        fields.erase(name);
    for (auto it = fields.begin(); it != fields.end();) {
        if (is_hop_by_hop(std::string_view(it->name_string())))
            it = fields.erase(it);
        else
            ++it;
    }
}

} // namespace superd::proxy
