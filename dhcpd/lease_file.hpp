#pragma once
// The lease store: an append-only file in ISC dhcpd.leases(5) format. Each grant appends one
// `lease A.B.C.D { ... }` entry; a later entry for the same address overrides an earlier one, so
// replaying the file from the top rebuilds the table. Entries are queued by append() and made
// durable together by commit() (one write, one fdatasync: group commit), which the server calls
// before sending the ACKs that depend on them. compact() rewrites the file with only the current
// leases (temp + fsync + rename + directory fsync), so a crash leaves either file, whole.
//
// The parser is sans-I/O (text in, leases and reasons out) and reads files written by ISC dhcpd
// 4.4 as well as our own.
#include <array>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/durable_file.hpp"

namespace superd::dhcp {

// ISC's failover binding states, spelled as ISC writes them.
enum class BindingState : std::uint8_t {
    free,
    active,
    expired,
    released,
    abandoned,
    reset,
    backup
};
std::string_view to_string(BindingState state);
std::optional<BindingState> binding_state_from(std::string_view name);

struct Lease {
    // `ends never;`: an infinite lease.
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

    std::uint32_t address = 0; // host order
    // Unix seconds, UTC. 0 means "not recorded": ISC omits the line then, and so do we.
    std::int64_t starts = 0;
    std::int64_t ends = 0;
    std::int64_t cltt = 0; // client's last transaction time
    BindingState binding = BindingState::free;
    std::optional<BindingState> next_binding; // what `ends` turns the lease into
    std::optional<std::array<std::uint8_t, 6>> hardware_ethernet;
    std::vector<std::uint8_t> uid; // client identifier (option 61), empty if none
    std::string client_hostname;   // option 12 as sent, empty if none

    bool operator==(const Lease&) const = default;
};

// Bounds on what the parser accepts (the file is read whole at start-up).
inline constexpr std::size_t max_lease_file_bytes = 256u << 20;
inline constexpr std::size_t max_token_bytes = 4096;      // one word or quoted string
inline constexpr std::size_t max_statement_tokens = 1024; // one top-level statement
inline constexpr std::size_t max_uid_bytes = 255;         // an option's length limit
inline constexpr std::size_t max_hostname_bytes = 255;    // idem
inline constexpr std::size_t max_skip_details = 64;       // reasons kept; the count goes on

struct SkippedEntry {
    std::size_t line = 0; // 1-based line where the skipped statement starts
    std::string reason;
};

struct ReplayResult {
    std::map<std::uint32_t, Lease> leases; // the last entry read for each address
    std::size_t entries = 0;               // lease entries read, overridden ones included
    std::size_t ignored = 0; // statements understood but not kept (server-duid, tstp, set ...)
    std::size_t skipped = 0; // bad or torn statements left out
    std::vector<SkippedEntry> skip_details; // the first max_skip_details of them
    // End of the last statement closed by its own `;` or `}` (good or bad). When the file ends
    // inside a statement (a crash mid-append), torn_tail is set and the tear starts here;
    // otherwise this is the file's size.
    std::size_t complete_bytes = 0;
    bool torn_tail = false;
};

// Never fails and never throws on any input: what it cannot read it skips, with a reason.
ReplayResult parse_lease_file(std::string_view text);

// One entry exactly as ISC dhcpd 4.4 writes it, from `lease` to the `}` line, newline included.
std::string format_lease(const Lease& lease);
// `1 2026/11/23 11:08:05` (weekday 0 = Sunday, UTC), `never`, or `epoch N` outside years
// 1970..9999.
std::string format_lease_time(std::int64_t unix_seconds);
// ISC's quoted string: `"` ... `"`, `\"` and `\\` escaped, non-printables as `\ooo`.
std::string quote_lease_string(std::span<const std::uint8_t> bytes);
// The header a compacted file starts with.
std::string lease_file_header();

class LeaseFile {
  public:
    // Reads and replays PATH (creating it, header only, if missing), cuts a torn last entry off
    // so that appends start on a clean line, then opens it for appending. Errors: unreadable or
    // oversized file, I/O failures; bad entries are not errors (see replayed()).
    static std::expected<LeaseFile, std::string> open(const std::string& path);

    const ReplayResult& replayed() const { return replayed_; }
    const std::string& path() const { return path_; }

    // Queues the entry; nothing reaches the file before commit().
    void append(const Lease& lease);
    std::size_t pending() const { return pending_count_; }

    // Writes everything queued in one write and fdatasyncs once; on success every queued lease
    // is durable. After a failure the file's tail is unknown (a short write, or a lost page after
    // a failed fdatasync that a later fdatasync would not report), so this and every later
    // commit() fail until a compact() succeeds: nothing appended afterwards is ever reported
    // durable by mistake.
    std::expected<void, std::string> commit();
    bool failed() const { return failed_; }

    // commit() in two steps, so that the write and sync can run on another thread while this
    // one goes on appending: take_pending() moves the queued entries out (the queue is empty
    // after it), write_durably() writes and fdatasyncs them. write_durably() touches only the
    // file, never the queue; no other call but append(), pending() and take_pending() may run
    // while it does.
    struct Entries {
        std::string text;
        std::size_t count = 0;
    };
    Entries take_pending();
    std::expected<void, std::string> write_durably(const Entries& entries);
    // compact() without touching the queue, for the same other thread: the caller has taken
    // the queued entries that `current` holds (take_pending()); what it queues meanwhile goes
    // to the new file at the next write.
    std::expected<void, std::string> rewrite(std::span<const Lease> current);

    // Replaces the file with the header plus one entry per lease in `current` (write_file_atomic:
    // temp in the same folder, fsync, rename, directory fsync), then appends to the new file.
    // `current` is the whole state, so queued entries are dropped: it already holds them. On
    // success a failed file is usable again; on failure the old file and queue are untouched.
    std::expected<void, std::string> compact(std::span<const Lease> current);

  private:
    std::string path_;
    common::AppendFile file_;
    ReplayResult replayed_;
    std::string pending_;
    std::size_t pending_count_ = 0;
    bool failed_ = false;
    bool need_newline_ = false; // the file does not end in '\n' (hand-edited)
};

} // namespace superd::dhcp
