#include "superd/builtins.hpp"

#include <cstdio>
#include <cstring>

namespace superd::daemon {
namespace {

struct BuiltinEntry {
    const char* name;
    SocketType type;
    Builtin builtin;
};
constexpr BuiltinEntry builtin_table[] = {
    {"echo", SocketType::stream, Builtin::echo},
    {"echo", SocketType::dgram, Builtin::echo},
    {"discard", SocketType::stream, Builtin::discard},
    {"discard", SocketType::dgram, Builtin::discard},
    {"time", SocketType::stream, Builtin::time},
    {"time", SocketType::dgram, Builtin::time},
    {"daytime", SocketType::stream, Builtin::daytime},
    {"daytime", SocketType::dgram, Builtin::daytime},
    {"chargen", SocketType::stream, Builtin::chargen},
    {"chargen", SocketType::dgram, Builtin::chargen},
    {"sensor", SocketType::stream, Builtin::sensor},
    {"sensor", SocketType::dgram, Builtin::sensor},
    {"tcpmux", SocketType::stream, Builtin::tcpmux},
};

constexpr char ring_first = ' ' + 1; // '!'
constexpr char ring_end = 126;       // '~' is never sent (xinetd's ASCII_END)
constexpr std::size_t ring_size = 94 + Chargen::line_length;

char ring_char(std::size_t i) {
    return static_cast<char>(ring_first + i % (ring_end - ring_first));
}

} // namespace

Builtin find_builtin(const std::string& name, SocketType type) {
    for (const auto& e : builtin_table)
        if (name == e.name && type == e.type) return e.builtin;
    return Builtin::none;
}

std::string daytime_text(std::time_t now) {
    static const char* const months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                         "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[128];
    int n = std::snprintf(buf, sizeof buf, "%02d %s %d %02d:%02d:%02d", tm.tm_mday,
                          months[tm.tm_mon], 1900 + tm.tm_year, tm.tm_hour, tm.tm_min, tm.tm_sec);
    n += static_cast<int>(std::strftime(buf + n, sizeof buf - n, " %Z\r\n", &tm));
    return std::string(buf, n);
}

std::array<std::uint8_t, 4> time_bytes(std::time_t now) {
    constexpr std::uint64_t offset_1900 = 2208988800ULL;
    auto v = static_cast<std::uint32_t>(static_cast<std::uint64_t>(now) + offset_1900);
    return {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
            static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
}

void Chargen::next_line(std::string& out, std::size_t room) {
    if (room < 2) return;
    std::size_t len = std::min(line_length, room - 2);
    for (std::size_t i = 0; i < len; ++i)
        out.push_back(ring_char(offset_ + i));
    out += "\r\n";
    // xinetd's ring buffer restarts when fewer than a line's worth of characters remain.
    ++offset_;
    if (ring_size - offset_ < line_length) offset_ = 0;
}

std::string Chargen::datagram() {
    std::string out;
    constexpr std::size_t size = 1024;
    while (size - out.size() > 2)
        next_line(out, size - out.size());
    return out;
}

} // namespace superd::daemon
