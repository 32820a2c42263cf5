#include "ntpd/state_file.hpp"

#include "common/durable_file.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace superd::ntp {

namespace {

// RFC 5905's PHI: the frequency tolerance by which an unwatched clock's error grows.
constexpr double phi = 15e-6;
// A state file is a dozen short lines.
constexpr std::size_t max_state_bytes = 4096;

template <class T> bool number(std::string_view text, T& out, int base = 10) {
    if (text.empty()) return false;
    std::from_chars_result r;
    if constexpr (std::is_floating_point_v<T>)
        r = std::from_chars(text.data(), text.data() + text.size(), out);
    else
        r = std::from_chars(text.data(), text.data() + text.size(), out, base);
    return r.ec == std::errc{} && r.ptr == text.data() + text.size();
}

std::expected<std::optional<std::string>, std::string> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return std::optional<std::string>{};
        return std::unexpected(path + ": " + std::strerror(errno));
    }
    std::string text(max_state_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_state_bytes) return std::unexpected(path + ": too large");
    return std::optional<std::string>{std::move(text)};
}

} // namespace

std::string format_state(const SavedState& s) {
    char line[160];
    std::string out = "# superd-ntpd: the synchronisation state last served (replaced whole)\n";
    std::snprintf(line, sizeof line, "written %lld\n", static_cast<long long>(s.written_ns));
    out += line;
    std::snprintf(line, sizeof line, "leap %d\nstratum %u\nrefid %08x\nreftime %016llx\n",
                  static_cast<int>(s.state.leap), static_cast<unsigned>(s.state.stratum),
                  s.state.reference_id,
                  static_cast<unsigned long long>(s.state.reference_time.raw()));
    out += line;
    std::snprintf(line, sizeof line, "rootdelay %08x\nrootdisp %08x\n", s.state.root_delay,
                  s.state.root_dispersion);
    out += line;
    out += "peer " + (s.system_peer.empty() ? std::string("-") : s.system_peer) + "\n";
    return out;
}

std::optional<SavedState> parse_state(std::string_view text) {
    SavedState s;
    unsigned seen = 0;
    constexpr unsigned all = 0xff;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos) return std::nullopt; // a cut last line: not ours
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        if (line.empty() || line.front() == '#') continue;
        std::size_t space = line.find(' ');
        if (space == std::string_view::npos) return std::nullopt;
        std::string_view key = line.substr(0, space), value = line.substr(space + 1);
        bool ok = false;
        if (key == "written") {
            ok = number(value, s.written_ns) && (seen |= 1);
        } else if (key == "leap") {
            int leap = 0;
            ok = number(value, leap) && leap >= 0 && leap <= 3 && (seen |= 2);
            s.state.leap = static_cast<Leap>(leap);
        } else if (key == "stratum") {
            unsigned stratum = 0;
            ok = number(value, stratum) && stratum >= 1 && stratum <= 16 && (seen |= 4);
            s.state.stratum = static_cast<std::uint8_t>(stratum);
        } else if (key == "refid") {
            ok = value.size() == 8 && number(value, s.state.reference_id, 16) && (seen |= 8);
        } else if (key == "reftime") {
            std::uint64_t raw = 0;
            ok = value.size() == 16 && number(value, raw, 16) && (seen |= 16);
            s.state.reference_time = Timestamp::from_raw(raw);
        } else if (key == "rootdelay") {
            ok = value.size() == 8 && number(value, s.state.root_delay, 16) && (seen |= 32);
        } else if (key == "rootdisp") {
            ok = value.size() == 8 && number(value, s.state.root_dispersion, 16) && (seen |= 64);
        } else if (key == "peer") {
            s.system_peer = value == "-" ? "" : std::string(value);
            ok = !value.empty() && (seen |= 128);
        }
        if (!ok) return std::nullopt;
    }
    if (seen != all) return std::nullopt;
    return s;
}

std::optional<SystemState> restore(const SavedState& saved, std::int64_t now_ns, double maxdist) {
    const SystemState& s = saved.state;
    if (s.leap == Leap::unsynchronized || s.stratum >= 16) return std::nullopt;
    std::int64_t age_ns = now_ns - saved.written_ns;
    if (age_ns < 0) return std::nullopt; // the clock went back, or the file is not from here
    double age = static_cast<double>(age_ns) * 1e-9;
    double delay = static_cast<double>(from_short(s.root_delay)) * 1e-9;
    double dispersion = static_cast<double>(from_short(s.root_dispersion)) * 1e-9 + phi * age;
    if (delay / 2 + dispersion > maxdist) return std::nullopt;
    SystemState out = s;
    out.root_dispersion = to_short(static_cast<std::int64_t>(std::llround(dispersion * 1e9)));
    return out;
}

std::expected<void, std::string> write_state_file(const std::string& path,
                                                  const SavedState& saved) {
    return common::write_file_atomic(path, format_state(saved));
}

std::expected<std::optional<SavedState>, std::string> read_state_file(const std::string& path) {
    auto text = slurp(path);
    if (!text) return std::unexpected(text.error());
    if (!*text) return std::optional<SavedState>{};
    auto saved = parse_state(**text);
    if (!saved) return std::unexpected(path + ": not a superd-ntpd state file");
    return std::optional<SavedState>{std::move(*saved)};
}

std::expected<void, std::string> write_drift_file(const std::string& path, double ppm) {
    char line[64];
    std::snprintf(line, sizeof line, "%.3f\n", ppm);
    return common::write_file_atomic(path, line);
}

std::expected<std::optional<double>, std::string> read_drift_file(const std::string& path) {
    auto text = slurp(path);
    if (!text) return std::unexpected(text.error());
    if (!*text) return std::optional<double>{};
    std::string_view t = **text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\r'))
        t.remove_suffix(1);
    double ppm = 0;
    // ntpd clamps the frequency to +-500 ppm; a value beyond is not from a clock.
    if (!number(t, ppm) || !std::isfinite(ppm) || std::fabs(ppm) > 500)
        return std::unexpected(path + ": not a drift file (one number of ppm, within 500)");
    return std::optional<double>{ppm};
}

std::string default_state_path(const std::string& driftfile) {
    if (driftfile.empty()) return {};
    std::size_t slash = driftfile.rfind('/');
    return slash == std::string::npos ? std::string("ntp.state")
                                      : driftfile.substr(0, slash + 1) + "ntp.state";
}

} // namespace superd::ntp
