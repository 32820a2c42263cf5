// libFuzzer target: the value parsers behind the xinetd attributes and common/address.hpp.
// The first byte picks the parser (modulo the number of parsers, see `parsers` below), the rest
// of the input is the text handed to it. Seeds: tests/fuzz/corpus/fuzz_config_values/.
#include "fuzz_setup.hpp"

#include "common/address.hpp"
#include "common/config_lines.hpp"
#include "superd/config_attributes.hpp"
#include "superd/ident.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using superd::common::Cidr;
using superd::common::Endpoint;
using superd::common::IpAddress;
using superd::fuzz::require;
namespace daemon = superd::daemon;

void check_pattern(const daemon::AddressPattern& p) {
    if (p.kind == daemon::AddressPattern::Kind::cidr) {
        int max = p.cidr.network().is_v4() ? 32 : 128;
        require(p.cidr.prefix_len() >= 0 && p.cidr.prefix_len() <= max, "pattern prefix in range");
    } else {
        require(!p.name.empty(), "a host or domain pattern has a name");
    }
}

void address_pattern(const std::string& text) {
    if (auto p = daemon::parse_address_pattern(text)) {
        require(p->text == text, "a pattern keeps its text");
        check_pattern(*p);
    }
}

void address_value(const std::string& text) {
    if (auto list = daemon::parse_address_value(text))
        for (const auto& p : *list)
            check_pattern(p);
}

void time_interval(const std::string& text) {
    if (auto t = daemon::parse_time_interval(text)) {
        require(t->start_minute >= 0 && t->start_minute < 24 * 60, "interval start in a day");
        require(t->end_minute >= 0 && t->end_minute < 24 * 60, "interval end in a day");
        require(t->start_minute != t->end_minute, "interval is not empty");
    }
}

void size_plain(const std::string& text) {
    (void)daemon::parse_size(text, false);
}

void size_suffixed(const std::string& text) {
    auto with = daemon::parse_size(text, true);
    if (auto without = daemon::parse_size(text, false))
        require(with == without, "a size without suffix reads the same with suffixes allowed");
}

void ip_address(const std::string& text) {
    if (auto a = IpAddress::parse(text)) {
        auto again = IpAddress::parse(a->str());
        require(again && *again == *a, "IpAddress round-trips through str()");
    }
}

void cidr(const std::string& text) {
    if (auto c = Cidr::parse(text)) {
        auto again = Cidr::parse(c->str());
        require(again && *again == *c, "Cidr round-trips through str()");
        require(c->contains(c->network()), "a prefix contains its network address");
    }
}

void endpoint(const std::string& text) {
    if (auto e = Endpoint::parse(text)) {
        auto again = Endpoint::parse(e->str());
        require(again && again->address == e->address && again->port == e->port,
                "Endpoint round-trips through str()");
        sockaddr_storage storage{};
        socklen_t len = e->to_sockaddr(storage);
        auto back = Endpoint::from_sockaddr(reinterpret_cast<const sockaddr*>(&storage), len);
        require(back && back->address == e->address && back->port == e->port,
                "Endpoint round-trips through sockaddr");
    }
}

void blanks(const std::string& text) {
    for (const auto& field : superd::common::split_blanks(text))
        require(!field.empty() && field.find_first_of(" \t") == std::string::npos,
                "split_blanks fields are non-empty and blank-free");
    auto t = superd::common::trim(text);
    require(t.size() <= text.size(), "trim does not grow");
}

// Not config, but a parser of untrusted text all the same: an identd's reply line.
void ident_reply(const std::string& text) {
    if (auto user = daemon::parse_ident_reply(text, 6193, 23)) {
        require(!user->empty(), "an accepted ident reply names someone");
        for (char c : *user)
            require(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f,
                    "no control characters in USERID text");
    }
}

using Parser = void (*)(const std::string&);
constexpr Parser parsers[] = {
    address_pattern, // 0
    address_value,   // 1
    time_interval,   // 2
    size_plain,      // 3
    size_suffixed,   // 4
    ip_address,      // 5
    cidr,            // 6
    endpoint,        // 7
    blanks,          // 8
    ident_reply,     // 9
};
constexpr std::size_t parser_count = sizeof parsers / sizeof parsers[0];

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    superd::fuzz::local_name_lookups_only();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return -1;
    std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
    parsers[data[0] % parser_count](text);
    return 0;
}
