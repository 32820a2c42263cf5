#pragma once
// What superd-ntpd keeps on disk between runs, each file replaced whole (temp + fsync + rename,
// common/durable_file.hpp), so a crash leaves the old one or the new one, never half of one:
//
// - the state file: the synchronisation state the server last published (stratum, refid,
//   reference time, root delay and dispersion, the system peer). A responder that superd starts
//   on demand reads it and serves that state at once, its root dispersion grown at 15 ppm
//   (RFC 5905's PHI) for the time it was not watching the clock, until its own client has
//   selected a source again. Too old (the root distance past `tos maxdist`), it is not used.
// - the driftfile (ntpd's format: the frequency error in ppm, one number), for the discipline.
//
// Parsing and formatting are pure; a file that does not parse is not used (and the caller says
// so), never trusted in part.
#include "ntpd/responder.hpp"

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>

namespace superd::ntp {

struct SavedState {
    std::int64_t written_ns = 0; // CLOCK_REALTIME when written
    SystemState state;           // precision is not kept: the reader measures its own
    std::string system_peer;     // the system peer's address, for the logs ("" for none)
};

std::string format_state(const SavedState& saved);
std::optional<SavedState> parse_state(std::string_view text);

// The state to serve at `now_ns` from a saved one, or nothing when it is unsynchronized, from
// the future, or too old: its root distance (root delay / 2 + root dispersion, the dispersion
// grown by 15 ppm of the age) past `maxdist` seconds.
std::optional<SystemState> restore(const SavedState& saved, std::int64_t now_ns,
                                   double maxdist = 1.5);

std::expected<void, std::string> write_state_file(const std::string& path, const SavedState& saved);
// Nothing when the file is missing; an error when it exists but cannot be read or parsed.
std::expected<std::optional<SavedState>, std::string> read_state_file(const std::string& path);

// ntpd's driftfile: "-12.345\n".
std::expected<void, std::string> write_drift_file(const std::string& path, double ppm);
std::expected<std::optional<double>, std::string> read_drift_file(const std::string& path);

// Where the state file goes when the config does not say (`statefile`): next to the driftfile
// ("DIR/ntp.state"); empty without a driftfile (no state kept).
std::string default_state_path(const std::string& driftfile);

} // namespace superd::ntp
