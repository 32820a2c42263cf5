// libFuzzer target: the squid.conf parser, superd::proxy::load_config, and the ACL evaluation
// on what it returns. The input is written to a file in a private temporary folder (made once
// per process), parsed as the top-level config, the structs are checked against what the parser
// promises, and a fixed request is checked against every rule list.
#include "fuzz_setup.hpp"

#include "proxy/config.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    superd::fuzz::ScratchFile::create("fuzz_proxy_config: mkdtemp", "squid.conf");
    return 0;
}

namespace {

using superd::fuzz::require;
using namespace superd::proxy;

RequestFacts fixed_request() {
    RequestFacts f;
    f.client = *superd::common::IpAddress::parse("192.168.1.20");
    f.client_name = "vm1.lab.test";
    f.host = "www.example.com";
    f.port = 443;
    f.method = "CONNECT";
    f.scheme = "https";
    f.url = "www.example.com:443";
    f.weekday = 3;
    f.minute_of_day = 9 * 60 + 30;
    return f;
}

void check_acl(const Acl& acl) {
    require(!acl.name.empty(), "an ACL has a name");
    const bool addresses = acl.type == AclType::src || acl.type == AclType::dst;
    const bool domains = acl.type == AclType::srcdomain || acl.type == AclType::dstdomain;
    const bool words = acl.type == AclType::method || acl.type == AclType::proto;
    const bool regexes = acl.type == AclType::url_regex || acl.type == AclType::dstdom_regex;
    require(addresses || acl.addresses.empty(), "addresses only in src/dst");
    require(domains || acl.domains.empty(), "domains only in srcdomain/dstdomain");
    require(acl.type == AclType::port || acl.ports.empty(), "ports only in port");
    require(words || acl.words.empty(), "words only in method/proto");
    require(acl.type == AclType::time || acl.times.empty(), "times only in time");
    require(regexes || acl.regexes.empty(), "regexes only in regex ACLs");
    for (const auto& r : acl.addresses)
        require(r.first.is_v4() == r.last.is_v4() && !(r.last < r.first), "a range is ordered");
    for (const auto& d : acl.domains)
        require(!d.empty() && d != "." &&
                    std::ranges::none_of(d, [](char c) { return c >= 'A' && c <= 'Z'; }),
                "a domain is lower case");
    for (const auto& p : acl.ports)
        require(p.first <= p.last, "a port range is ordered");
    for (const auto& t : acl.times)
        require(t.days <= 0x7F && t.first_minute >= 0 && t.first_minute < t.last_minute &&
                    t.last_minute <= 24 * 60,
                "a time span is within a day");
}

void check_result(const AccessResult& r, const std::vector<AccessRule>& rules) {
    if (rules.empty()) {
        require(r.decided == AccessResult::Decided::empty, "no lines: the default decides");
        return;
    }
    require(r.decided != AccessResult::Decided::empty, "a line or the last line decides");
    if (r.decided == AccessResult::Decided::implicit) {
        require(r.where.line == rules.back().where.line && r.action != rules.back().action,
                "no match: the opposite of the last line");
        return;
    }
    auto it = std::ranges::find_if(rules, [&](const AccessRule& rule) {
        return rule.where.line == r.where.line && rule.where.file == r.where.file;
    });
    require(it != rules.end() && it->action == r.action, "a matching line decides");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // `include` and "quoted" ACL value files make the parser read whatever path the input names
    // (/dev/zero never ends), so such inputs are rejected (-1: not added to the corpus); the
    // unit tests cover them.
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (text.find("include") != std::string_view::npos || text.find('"') != std::string_view::npos)
        return -1;
    superd::fuzz::ScratchFile::write(data, size);

    superd::common::Diagnostics diags;
    Config config = load_config(superd::fuzz::ScratchFile::path(), diags);
    const bool clean = !diags.has_errors();

    for (const auto& d : diags.all())
        require(!d.message.empty() && !d.str().empty() && d.where.line >= 0,
                "a diagnostic has text");
    for (const auto& p : config.http_ports)
        require(p.port != 0 && !p.name.empty() && p.where.line > 0, "a port is 1..65535");
    for (const auto& [key, acl] : config.acls)
        check_acl(acl);
    for (auto name : {"all", "localhost", "to_localhost", "manager"})
        require(config.acls.find(name) != nullptr, "the predefined ACLs are there");
    auto defined = [&](const std::vector<AclRef>& refs) {
        return std::ranges::all_of(
            refs, [&](const AclRef& ref) { return config.acls.find(ref.name) != nullptr; });
    };
    for (const auto& rule : config.http_access)
        require(!clean || defined(rule.acls), "a clean config names defined ACLs");
    if (config.cache_dir) {
        const CacheDir& dir = *config.cache_dir;
        require(dir.size_mb >= 1 && dir.l1 >= 1 && dir.l1 <= 256 && dir.l2 >= 1 && dir.l2 <= 256,
                "a cache_dir is in bounds");
    }
    for (const auto& p : config.refresh_patterns)
        require(p.min_minutes >= 0 && p.max_minutes >= 0 && p.percent >= 0,
                "a refresh pattern is non-negative");
    for (std::size_t i = 0; i < config.cache_peers.size(); ++i) {
        const CachePeer& peer = config.cache_peers[i];
        require(peer.http_port != 0 && !peer.name.empty() && peer.no_query && peer.weight >= 1,
                "a peer is complete");
        require(config.find_peer(peer.name) == &peer, "peer names are unique");
    }

    // The evaluation answers for any parsed config, clean or not.
    const RequestFacts facts = fixed_request();
    check_result(config.check_http_access(facts), config.http_access);
    check_result(config.check_cache(facts), config.cache);
    for (const auto& peer : config.cache_peers)
        check_result(check_access(peer.access, config.acls, facts, Action::allow), peer.access);
    if (auto limit = config.reply_body_limit(facts))
        require(std::ranges::any_of(config.reply_body_max_size,
                                    [&](const ReplyBodyLimit& l) { return l.bytes == *limit; }),
                "a reply limit comes from a line");
    if (const RefreshPattern* p = config.refresh_pattern_for(facts.url))
        require(p->regex.search(facts.url), "the refresh pattern found matches");
    return 0;
}
