#pragma once
// squid's access control lists and `allow|deny ACL...` rules (http_access, cache,
// cache_peer_access), as parsed from squid.conf, and their evaluation against the facts of one
// request. Pure: no DNS, no clock, no logging. An ACL that needs a fact the caller does not have
// (srcdomain without the client's name, dst with a host name that was not resolved) does not
// match, as squid answers when its lookup fails.
#include "common/address.hpp"
#include "common/diagnostics.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace superd::proxy {

using common::SourceLocation;

enum class AclType {
    src,          // client address
    dst,          // server address (numeric host, or resolved by the caller)
    srcdomain,    // client's host name (reverse DNS, done by the caller)
    dstdomain,    // server's host name as written in the URL
    port,         // server port
    method,       // request method, case-sensitive as in HTTP
    proto,        // URL scheme (HTTP, HTTPS, FTP, ...), case-insensitive
    time,         // local weekday and time of day
    url_regex,    // the whole URL
    dstdom_regex, // the server's host name
};
std::string_view to_string(AclType type);
std::optional<AclType> acl_type(std::string_view name); // nullopt for any other word

// An inclusive range of addresses of one family; a CIDR prefix or a single address is one too.
struct AddressRange {
    common::IpAddress first;
    common::IpAddress last;
    bool contains(const common::IpAddress& address) const;
};

struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0;
};

// `[SMTWHFA]* [h1:m1-h2:m2]` (also D for Monday to Friday); squid's bounds are inclusive.
struct TimeSpan {
    std::uint8_t days = 0x7F; // bit 0 Sunday .. bit 6 Saturday
    int first_minute = 0;     // minutes since local midnight
    int last_minute = 24 * 60;
};

// A compiled POSIX extended regular expression (regcomp/regexec, as squid uses).
class Regex {
  public:
    // Error: regerror's text.
    static std::optional<Regex> compile(std::string pattern, bool icase, std::string& error);
    bool search(const std::string& text) const; // anywhere in the text, like squid
    const std::string& pattern() const { return pattern_; }
    bool icase() const { return icase_; }

  private:
    struct Compiled;
    std::shared_ptr<const Compiled> compiled_; // immutable, so copies share it
    std::string pattern_;
    bool icase_ = false;
};

// What is known about one request when its access is checked.
struct RequestFacts {
    common::IpAddress client;                // v4-mapped addresses are matched as IPv4
    std::optional<std::string> client_name;  // srcdomain: the client's name, when looked up
    std::string host;                        // the URL's host ("[v6]" or bare v6 both work)
    std::optional<common::IpAddress> dst_ip; // dst: when resolved; a numeric host is used as is
    std::uint16_t port = 80;
    std::string method = "GET";
    std::string scheme = "http"; // "http", "https", "ftp"; for CONNECT whatever the engine uses
    std::string url;             // as squid logs it: absolute URL, or host:port for CONNECT
    int weekday = 0;             // local time: 0 Sunday .. 6 Saturday
    int minute_of_day = 0;       // 0..1439
};

// One `acl` name: every line of that name adds values (all of the same type).
struct Acl {
    std::string name; // as first written (names compare case-insensitively, as in squid)
    AclType type = AclType::src;
    bool predefined = false;
    SourceLocation where; // the first line (empty for squid's predefined ACLs)

    std::vector<AddressRange> addresses; // src, dst
    std::vector<std::string> domains;    // srcdomain, dstdomain: lower case, ".dom" or "host"
    std::vector<PortRange> ports;        // port
    std::vector<std::string> words;      // method (as written), proto (upper case)
    std::vector<TimeSpan> times;         // time
    std::vector<Regex> regexes;          // url_regex, dstdom_regex

    // Any one value matches (OR).
    bool matches(const RequestFacts& facts) const;
};

// Adds the values of one acl line, or one line of a values file, to `acl`. `icase` is the
// regex types' current -i/+i state (carried from the acl line into its file). Returns the
// problems, one message each; the good values are added anyway.
std::vector<std::string> add_acl_values(Acl& acl, std::span<const std::string> words, bool& icase);

// The ACLs by name, squid's predefined ones included (all, localhost, to_localhost, manager).
class AclTable {
  public:
    AclTable(); // with the predefined ACLs
    const Acl* find(std::string_view name) const;
    Acl* find(std::string_view name);
    // Adds an empty ACL; the caller checked that the name is new.
    Acl& add(std::string name, AclType type, SourceLocation where);
    std::size_t size() const { return by_name_.size(); }
    auto begin() const { return by_name_.begin(); }
    auto end() const { return by_name_.end(); }

  private:
    std::map<std::string, Acl, std::less<>> by_name_; // key: lower-case name
};

enum class Action { allow, deny };
std::string_view to_string(Action action);

struct AclRef {
    std::string name;
    bool negated = false; // `!name`
};

// `allow|deny [!]ACL ...`: matches when every ACL does (AND); an empty list always matches.
struct AccessRule {
    Action action = Action::allow;
    std::vector<AclRef> acls;
    SourceLocation where;
};

struct AccessResult {
    enum class Decided {
        rule,     // a line matched: `where` is that line
        implicit, // no line matched: the opposite of the last line (`where`)
        empty,    // no lines at all: the caller's default; `where` is empty
    };
    Action action = Action::deny;
    Decided decided = Decided::empty;
    SourceLocation where;
    bool allowed() const { return action == Action::allow; }
};

// squid's evaluation: the first line whose ACLs all match decides; when none does, the
// answer is the opposite of the last line's action; with no lines, `when_empty`. A line naming
// an ACL missing from the table (a config with errors) never matches.
AccessResult check_access(const std::vector<AccessRule>& rules, const AclTable& acls,
                          const RequestFacts& facts, Action when_empty);

// True when every ACL of the list matches (an empty list matches); for lines such as
// reply_body_max_size and access_log that take ACLs without allow/deny.
bool all_match(const std::vector<AclRef>& refs, const AclTable& acls, const RequestFacts& facts);

} // namespace superd::proxy
