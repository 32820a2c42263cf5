#include "dhcpd/lease_listing.hpp"

#include "dhcpd/config.hpp"

#include <boost/json.hpp>

#include <ctime>
#include <fmt/format.h>

namespace superd::dhcp {

namespace {

bool in_force(const Lease& l, std::int64_t now) {
    return l.binding == BindingState::active && (l.ends == Lease::never || l.ends > now);
}

std::string iso_time(std::int64_t t) {
    if (t == Lease::never) return "never";
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    if (!::gmtime_r(&tt, &tm)) return std::to_string(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
    std::string out;
    for (auto b : bytes)
        out += fmt::format("{}{:02x}", out.empty() ? "" : ":", b);
    return out;
}

// A name as sent by the client may hold anything: show it printable.
std::string printable(const std::string& s) {
    std::string out;
    for (unsigned char c : s)
        out += (c >= 0x20 && c < 0x7f) ? std::string(1, static_cast<char>(c))
                                       : fmt::format("\\x{:02x}", c);
    return out;
}

} // namespace

std::string leases_table(const std::map<std::uint32_t, Lease>& leases, std::int64_t now) {
    std::string out = fmt::format("{:<15}  {:<17}  {:<20}  {}\n", "ADDRESS", "HARDWARE",
                                  "ENDS (UTC)", "HOSTNAME");
    std::size_t n = 0;
    for (const auto& [address, l] : leases) {
        if (!in_force(l, now)) continue;
        ++n;
        out += fmt::format("{:<15}  {:<17}  {:<20}  {}\n", ipv4_string(address),
                           l.hardware_ethernet ? to_string(*l.hardware_ethernet) : "-",
                           iso_time(l.ends), printable(l.client_hostname));
    }
    out += fmt::format("{} active lease(s)\n", n);
    return out;
}

std::string leases_json(const std::map<std::uint32_t, Lease>& leases, std::int64_t now, bool all) {
    boost::json::array list;
    for (const auto& [address, l] : leases) {
        if (!all && !in_force(l, now)) continue;
        boost::json::object o;
        o["address"] = ipv4_string(address);
        o["state"] = std::string(to_string(l.binding));
        o["starts"] = l.starts ? iso_time(l.starts) : "";
        o["ends"] = l.ends ? iso_time(l.ends) : "";
        o["cltt"] = l.cltt ? iso_time(l.cltt) : "";
        o["hardware_ethernet"] = l.hardware_ethernet ? to_string(*l.hardware_ethernet) : "";
        o["client_id"] = hex(l.uid);
        o["client_hostname"] = l.client_hostname;
        list.push_back(std::move(o));
    }
    boost::json::object top;
    top["leases"] = std::move(list);
    return boost::json::serialize(top) + "\n";
}

} // namespace superd::dhcp
