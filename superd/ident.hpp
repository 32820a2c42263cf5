#pragma once
// RFC 1413 identification (log_on_success / log_on_failure USERID, flags IDONLY): ask the
// identd of the client's host, on port 113, which user owns the connection. Asynchronous, in
// superd's event loop: a slow or silent identd holds up only that one connection.
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace superd::daemon {

enum class IdentStatus { ok, no_server, timeout, error, response_error, bad_response };

struct IdentResult {
    IdentStatus status = IdentStatus::error;
    std::string text; // ok: what follows "USERID :", e.g. "UNIX : alice" (as xinetd logs it)
};

inline constexpr std::uint16_t ident_port = 113;
// xinetd's LOGUSER_SUCCESS_TIMEOUT. (xinetd waits without limit under IDONLY; superd does not.)
inline constexpr std::chrono::seconds ident_timeout{30};
// RFC 1413 suggests 1000; xinetd reads at most 1024 bytes.
inline constexpr std::size_t ident_max_reply = 1024;

// xinetd's words for each status (ident.c, idresult_explain), used in NOID records.
std::string_view ident_explain(IdentStatus status);

// One reply line without its CR LF, "<remote port> , <local port> : USERID : <opsys> : <user>".
// Returns what follows "USERID :" (blanks skipped) when both ports match and it is not empty;
// ERROR replies and anything malformed give nullopt.
std::optional<std::string> parse_ident_reply(std::string_view line, unsigned remote_port,
                                             unsigned local_port);

// Asks about the TCP connection conn_fd, from its local address (right for multi-homed hosts).
// conn_fd is not taken over and must stay open until `done` runs. `done` runs once, from the
// io_context (never from inside this call).
void query_ident(boost::asio::io_context& io, int conn_fd, std::chrono::milliseconds timeout,
                 std::function<void(IdentResult)> done);

} // namespace superd::daemon
