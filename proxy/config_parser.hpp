#pragma once
// Internal to the squid.conf parser (config*.cpp): the line tokenizer, the cursor over one
// statement, and the statement parser, split between config.cpp (files, includes, ports, logs,
// simple values), config_access.cpp (acl, http_access, cache, cache_peer_access,
// reply_body_max_size) and config_cache.cpp (sizes, times, cache_dir, refresh_pattern,
// cache_peer).
#include "common/config_lines.hpp"
#include "common/diagnostics.hpp"
#include "proxy/config.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace superd::proxy::detail {

using Token = common::ConfigToken;
using Statement = common::ConfigStatement;
using common::quote;
using common::where_text;
// Words separated by blanks; a word starting with '#' starts a comment to the end of the line
// (a '#' inside a word is data: regexes); "..." is one word without its quotes (no escapes). Sets
// `unterminated` when a quote is not closed on its line.
std::vector<Token> tokenize(std::string_view line, bool& unterminated);

std::string lower(std::string_view text);
// `path` relative to the folder of the file that names it.
std::string relative_to(const SourceLocation& where, const std::string& path);
// A non-negative decimal integer that fits `hi`.
std::optional<long long> parse_integer(std::string_view text, long long hi);

inline constexpr std::size_t max_include_depth = 16;

class Parser {
  public:
    explicit Parser(common::Diagnostics& diags)
        : diags_(diags) {}

    void parse_file(const std::string& path, const SourceLocation* from);
    Config finish() && { return std::move(config_); }

  private:
    void parse_statement(Statement& st);
    // config.cpp
    void parse_include(Statement& st);
    void parse_http_port(Statement& st);
    void parse_access_log(Statement& st);
    void parse_string(Statement& st, std::optional<Setting<std::string>>& slot);
    void parse_on_off(Statement& st, Setting<bool>& slot);
    void parse_forwarded_for(Statement& st);
    void parse_max_filedescriptors(Statement& st);
    void parse_client_ip_max_connections(Statement& st);
    // config_access.cpp
    void parse_acl(Statement& st);
    void add_acl_file(Statement& st, Acl& acl, const std::string& path, bool& icase);
    void parse_rule(Statement& st, std::vector<AccessRule>& rules);
    void parse_cache_peer_access(Statement& st);
    void parse_reply_body_max_size(Statement& st);
    // Reads `[!]ACL ...` to the end of the line; false when one of them is not defined.
    bool read_acl_refs(Statement& st, std::vector<AclRef>& refs);
    // config_cache.cpp
    void parse_size(Statement& st, Setting<std::uint64_t>& slot);
    void parse_time(Statement& st, Setting<std::chrono::seconds>& slot);
    void parse_cache_dir(Statement& st);
    void parse_refresh_pattern(Statement& st);
    void parse_cache_peer(Statement& st);
    bool parse_cache_peer_option(Statement& st, CachePeer& peer, const std::string& option);

    // `SIZE [bytes|KB|MB|GB]` (no unit: bytes, with a warning, as squid does). Another word
    // after the number is an unknown unit, unless ACLs may follow.
    std::optional<std::uint64_t> read_size(Statement& st, bool acls_follow);
    // `N [seconds|minutes|hours|days|weeks]` (no unit: seconds, with a warning).
    std::optional<std::chrono::seconds> read_time(Statement& st);
    // Reports the first token left on the line: "unexpected 'x' in 'DIRECTIVE'".
    bool end(Statement& st);
    void error(const Statement& st, std::string message) { diags_.error(st.where(), message); }
    void warning(const Statement& st, std::string message) { diags_.warning(st.where(), message); }

    Config config_;
    common::Diagnostics& diags_;
    common::IncludeStack includes_{max_include_depth};
};

} // namespace superd::proxy::detail
