#pragma once
// Internal to the ntp.conf parser (config*.cpp): the line tokenizer, the cursor over one
// statement, and the statement parser, split between config.cpp (files, paths, keys),
// config_servers.cpp (server/pool/peer, fudge), config_access.cpp (restrict, interface) and
// config_system.cpp (tos, discard, enable/disable, tinker, logconfig).
#include "common/config_lines.hpp"
#include "common/diagnostics.hpp"
#include "ntpd/config.hpp"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::ntp::detail {

using Token = common::ConfigToken;
using Statement = common::ConfigStatement;
using common::quote;
using common::where_text;

// ntp.conf is line-oriented: one statement per line, words separated by blanks, `#` to the end
// of the line is a comment, "..." quotes a word (no escapes), and `(` `)` are words of their own
// (for trustedkey's ranges). Sets `unterminated` when a quote is not closed on its line.
std::vector<Token> tokenize(std::string_view line, bool& unterminated);

// The shortest text that reads back as `value` ("0.001", "16").
std::string format_number(double value);

// Text that can be a DNS host name (letters, digits, '-', '_', dots between labels).
bool is_host_name(std::string_view text);

// ntpd's MAXINCLUDELEVEL: each level costs an open file and stack.
inline constexpr std::size_t max_include_depth = 5;

class Parser {
  public:
    explicit Parser(common::Diagnostics& diags)
        : diags_(diags) {}

    void parse_file(const std::string& path, const SourceLocation* from);
    // Runs the checks that need the whole config (fudges, tos limits) and hands it over.
    Config finish() &&;

  private:
    void parse_statement(Statement& st);
    // config.cpp
    void parse_include(Statement& st);
    void parse_path(Statement& st, std::optional<Setting<std::string>>& slot);
    void parse_trustedkey(Statement& st);
    void parse_key(Statement& st, std::optional<Setting<std::uint32_t>>& slot);
    // config_servers.cpp
    void parse_server(Statement& st, ServerKind kind);
    bool parse_server_option(Statement& st, ServerLine& server, bool& min_set, bool& max_set);
    void parse_fudge(Statement& st);
    void apply_fudges();
    // config_access.cpp
    void parse_restrict(Statement& st);
    bool parse_restrict_target(Statement& st, Restrict& entry, bool& has_prefix);
    void parse_interface(Statement& st);
    // config_system.cpp
    void parse_tos(Statement& st);
    void parse_discard(Statement& st);
    void parse_enable(Statement& st, bool enable);
    void parse_tinker(Statement& st);
    void parse_logconfig(Statement& st);
    void check_tos();

    // Value readers: each consumes the value, or reports why there is none (missing: "'WHAT'
    // needs a number"; "invalid number 'x' for 'WHAT'"; "WHAT 99 is out of range (LO..HI)").
    std::optional<long long> read_int(Statement& st, std::string_view what, long long lo,
                                      long long hi);
    std::optional<double> read_double(Statement& st, std::string_view what, double lo, double hi);
    // Reports the first token left on the line: "unexpected 'x' in 'DIRECTIVE'".
    bool end(Statement& st);
    void error(const Statement& st, std::string message) { diags_.error(st.where(), message); }

    struct PendingFudge {
        std::string address;
        Fudge fudge;
    };

    Config config_;
    common::Diagnostics& diags_;
    common::IncludeStack includes_{max_include_depth};
    std::map<std::string, SourceLocation> server_lines_; // canonical address -> first line
    std::vector<PendingFudge> fudges_;
};

} // namespace superd::ntp::detail
