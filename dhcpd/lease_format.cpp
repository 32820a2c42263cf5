// The writing half of dhcpd.leases(5): byte for byte what ISC dhcpd 4.4's write_lease() prints
// (server/db.c), so that ISC's dhcpd, its tools and operators' greps read our files unchanged.
#include "dhcpd/lease_file.hpp"

#include <bit>
#include <chrono>
#include <cstdio>

namespace superd::dhcp {

namespace {

constexpr std::array<std::string_view, 7> state_names = {
    "free", "active", "expired", "released", "abandoned", "reset", "backup"};

// 9999-12-31T23:59:59Z: past it the calendar form would need a fifth year digit.
constexpr std::int64_t last_calendar_second = 253402300799;

std::string dotted(std::uint32_t a) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
                  a & 0xff);
    return buf;
}

} // namespace

std::string_view to_string(BindingState state) {
    auto i = static_cast<std::size_t>(state);
    return i < state_names.size() ? state_names[i] : "abandoned";
}

std::optional<BindingState> binding_state_from(std::string_view name) {
    for (std::size_t i = 0; i < state_names.size(); ++i)
        if (state_names[i] == name) return static_cast<BindingState>(i);
    return std::nullopt;
}

std::string format_lease_time(std::int64_t t) {
    using namespace std::chrono;
    if (t == Lease::never) return "never";
    // ISC reads `epoch N` too (its db-time-format local); the calendar form cannot say these.
    if (t < 0 || t > last_calendar_second) return "epoch " + std::to_string(t);
    const sys_days day{days{t / 86400}};
    const std::int64_t second = t % 86400;
    const year_month_day ymd{day};
    char buf[48];
    std::snprintf(buf, sizeof buf, "%u %04d/%02u/%02u %02d:%02d:%02d", weekday{day}.c_encoding(),
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<int>(second / 3600),
                  static_cast<int>(second / 60 % 60), static_cast<int>(second % 60));
    return buf;
}

// ISC's quotify_buf(): what isprint() in the C locale refuses becomes a three-digit octal escape.
std::string quote_lease_string(std::span<const std::uint8_t> bytes) {
    std::string out = "\"";
    for (std::uint8_t c : bytes) {
        if (c < 0x20 || c > 0x7e) {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\%03o", c);
            out += buf;
        } else {
            if (c == '"' || c == '\\') out += '\\';
            out += static_cast<char>(c);
        }
    }
    out += '"';
    return out;
}

std::string lease_file_header() {
    // ISC writes authoring-byte-order first so that a file moved between hosts is read right;
    // we write it too, so ISC dhcpd can take the file back.
    std::string header = "# The format of this file is documented in the dhcpd.leases(5) manual "
                         "page.\n# This lease file was written by superd-dhcpd\n\n"
                         "# authoring-byte-order entry is generated, DO NOT DELETE\n"
                         "authoring-byte-order ";
    header += std::endian::native == std::endian::little ? "little-endian" : "big-endian";
    header += ";\n\n";
    return header;
}

std::string format_lease(const Lease& lease) {
    // The same order and the same "\n  " separators as write_lease(), closing with "\n}\n".
    std::string out = "lease " + dotted(lease.address) + " {";
    if (lease.starts != 0) out += "\n  starts " + format_lease_time(lease.starts) + ";";
    if (lease.ends != 0) out += "\n  ends " + format_lease_time(lease.ends) + ";";
    if (lease.cltt != 0) out += "\n  cltt " + format_lease_time(lease.cltt) + ";";
    out += "\n  binding state ";
    out += to_string(lease.binding);
    out += ";";
    if (lease.next_binding) {
        out += "\n  next binding state ";
        out += to_string(*lease.next_binding);
        out += ";";
    }
    if (lease.hardware_ethernet) {
        char buf[32];
        const auto& m = *lease.hardware_ethernet;
        std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
                      m[4], m[5]);
        out += "\n  hardware ethernet ";
        out += buf;
        out += ";";
    }
    if (!lease.uid.empty()) out += "\n  uid " + quote_lease_string(lease.uid) + ";";
    if (!lease.client_hostname.empty()) {
        // ISC leaves a non-printable name out; we escape it instead, which ISC reads back.
        const auto* p = reinterpret_cast<const std::uint8_t*>(lease.client_hostname.data());
        out += "\n  client-hostname " + quote_lease_string({p, lease.client_hostname.size()}) + ";";
    }
    out += "\n}\n";
    return out;
}

} // namespace superd::dhcp
