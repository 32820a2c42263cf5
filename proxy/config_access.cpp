// squid.conf: acl, http_access, cache, cache_peer_access, reply_body_max_size.
#include "common/config_lines.hpp"
#include "proxy/config_parser.hpp"

#include <algorithm>

namespace superd::proxy::detail {

namespace {

// squid ACL types that superd-proxy does not implement.
constexpr std::string_view unsupported_acl_types[] = {"adaptation_service",
                                                      "all-of",
                                                      "annotate_client",
                                                      "annotate_transaction",
                                                      "any-of",
                                                      "arp",
                                                      "at_step",
                                                      "browser",
                                                      "ca_cert",
                                                      "client_connection_mark",
                                                      "clientside_mark",
                                                      "connections_encrypted",
                                                      "dst_as",
                                                      "eui64",
                                                      "external",
                                                      "has",
                                                      "hier_code",
                                                      "http_status",
                                                      "ident",
                                                      "ident_regex",
                                                      "localip",
                                                      "localport",
                                                      "max_user_ip",
                                                      "maxconn",
                                                      "myip",
                                                      "myportname",
                                                      "note",
                                                      "peername",
                                                      "peername_regex",
                                                      "proxy_auth",
                                                      "proxy_auth_regex",
                                                      "random",
                                                      "referer_regex",
                                                      "rep_header",
                                                      "rep_mime_type",
                                                      "req_header",
                                                      "req_mime_type",
                                                      "server_cert_fingerprint",
                                                      "squid_error",
                                                      "src_as",
                                                      "srcdom_regex",
                                                      "ssl::server_name",
                                                      "ssl::server_name_regex",
                                                      "ssl_error",
                                                      "tag",
                                                      "transaction_initiator",
                                                      "urllogin",
                                                      "urlpath_regex",
                                                      "user_cert"};

bool is_acl_name(std::string_view name) {
    // squid's aclParseAclLine allows letters, digits and "-_.".
    return !name.empty() && std::ranges::all_of(name, [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
    });
}

std::optional<Action> read_action(const Token* token) {
    if (token == nullptr || token->quoted) return std::nullopt;
    if (token->text == "allow") return Action::allow;
    if (token->text == "deny") return Action::deny;
    return std::nullopt;
}

} // namespace

void Parser::parse_acl(Statement& st) {
    const Token* name = st.next();
    const Token* type_word = st.next();
    if (name == nullptr || type_word == nullptr) {
        error(st, "'acl' needs a name, a type and values");
        return;
    }
    if (!is_acl_name(name->text)) {
        error(st, "invalid ACL name " + quote(name->text) + " (letters, digits, '-', '_', '.')");
        return;
    }
    auto type = acl_type(type_word->text);
    if (!type) {
        bool known = std::ranges::find(unsupported_acl_types, type_word->text) !=
                     std::end(unsupported_acl_types);
        error(st, known ? "ACL type " + quote(type_word->text) + " is not supported"
                        : "unknown ACL type " + quote(type_word->text));
        return;
    }
    Acl* acl = config_.acls.find(name->text);
    if (acl != nullptr && acl->type != *type) {
        std::string first =
            acl->predefined ? "squid's predefined ACL" : where_text(acl->where, st.where());
        error(st, "ACL " + quote(name->text) + " is already a " + quote(to_string(acl->type)) +
                      " ACL (" + first + "); one name has one type");
        return;
    }
    if (acl == nullptr) acl = &config_.acls.add(name->text, *type, st.where());
    if (st.done()) {
        error(st, "acl " + quote(name->text) + " has no values");
        return;
    }
    bool icase = false;
    std::vector<std::string> words;
    auto flush = [&] {
        for (auto& message : add_acl_values(*acl, words, icase))
            error(st, "acl " + quote(name->text) + ": " + message);
        words.clear();
    };
    while (const Token* t = st.next()) {
        if (!t->quoted) {
            words.push_back(t->text);
            continue;
        }
        flush(); // the values before the file keep their order
        add_acl_file(st, *acl, relative_to(st.where(), t->text), icase);
    }
    flush();
}

void Parser::add_acl_file(Statement& st, Acl& acl, const std::string& path, bool& icase) {
    auto lines = common::read_config_lines(path);
    if (!lines) {
        error(st, "acl " + quote(acl.name) + ": cannot read " + lines.error());
        return;
    }
    for (const auto& line : *lines) {
        std::string_view text = common::trim(line.text);
        if (text.empty() || text.front() == '#') continue;
        // One value a line (a regex may hold blanks), but a time ACL's line is its words.
        std::vector<std::string> words;
        if (acl.type == AclType::time)
            words = common::split_blanks(text);
        else
            words.emplace_back(text);
        for (auto& message : add_acl_values(acl, words, icase))
            diags_.error(line.where, "acl " + quote(acl.name) + ": " + message);
    }
}

bool Parser::read_acl_refs(Statement& st, std::vector<AclRef>& refs) {
    bool ok = true;
    while (const Token* t = st.next()) {
        std::string_view name = t->text;
        AclRef ref;
        if (name.starts_with('!')) {
            ref.negated = true;
            name.remove_prefix(1);
        }
        ref.name = name;
        // squid: an ACL is defined before the line that uses it.
        if (t->quoted || config_.acls.find(name) == nullptr) {
            error(st, "unknown ACL " + quote(name) + " in " + quote(st.directive()));
            ok = false;
        }
        refs.push_back(std::move(ref));
    }
    return ok;
}

void Parser::parse_rule(Statement& st, std::vector<AccessRule>& rules) {
    const Token* word = st.next();
    auto action = read_action(word);
    if (!action) {
        error(st, quote(st.directive()) + " needs 'allow' or 'deny'" +
                      (word == nullptr ? "" : ", not " + quote(word->text)));
        return;
    }
    AccessRule rule{*action, {}, st.where()};
    read_acl_refs(st, rule.acls);
    // Kept even with an unknown ACL (which never matches), so later lines report on their own.
    rules.push_back(std::move(rule));
}

void Parser::parse_cache_peer_access(Statement& st) {
    const Token* name = st.next();
    if (name == nullptr) {
        error(st, "'cache_peer_access' needs a cache_peer name, allow or deny, and ACLs");
        return;
    }
    auto it = std::ranges::find_if(config_.cache_peers, [&](const CachePeer& p) {
        return lower(p.name) == lower(name->text);
    });
    if (it == config_.cache_peers.end()) {
        error(st,
              "cache_peer_access: no cache_peer named " + quote(name->text) + " (define it first)");
        return;
    }
    parse_rule(st, it->access);
}

void Parser::parse_reply_body_max_size(Statement& st) {
    auto bytes = read_size(st, true);
    if (!bytes) return;
    ReplyBodyLimit limit{*bytes, {}, st.where()};
    if (!read_acl_refs(st, limit.acls)) return;
    config_.reply_body_max_size.push_back(std::move(limit));
}

} // namespace superd::proxy::detail
