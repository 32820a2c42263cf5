// `option NAME VALUE;` and `option NAME code N = ...;`: each value is checked and encoded to the
// bytes that go on the wire, so a bad value is a config error instead of a malformed reply.
#include "dhcpd/config_tokens.hpp"
#include "dhcpd/packet.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

namespace superd::dhcp::detail {

namespace {

using common::Diagnostics;
using Bytes = std::vector<std::uint8_t>;

enum class Format { ip, ip_list, text, mtu, domain_list, routes, byte_array };

struct KnownOption {
    std::string_view name;
    std::uint8_t code;
    Format format;
};

constexpr KnownOption known_options[] = {
    {"subnet-mask", option::subnet_mask, Format::ip},
    {"routers", option::routers, Format::ip_list},
    {"domain-name-servers", option::domain_name_servers, Format::ip_list},
    {"host-name", option::host_name, Format::text},
    {"domain-name", option::domain_name, Format::text},
    {"interface-mtu", option::interface_mtu, Format::mtu},
    {"broadcast-address", option::broadcast_address, Format::ip},
    {"ntp-servers", option::ntp_servers, Format::ip_list},
    {"tftp-server-name", option::tftp_server_name, Format::text},
    {"bootfile-name", option::bootfile_name, Format::text},
    {"domain-search", option::domain_search, Format::domain_list},
    // Our documented spelling: NET/LEN GATEWAY pairs (ISC needs a `code 121` declaration).
    {"classless-static-routes", option::classless_static_routes, Format::routes},
};

// Real dhcp-options(5) names this server does not encode: say "unsupported", not "unknown".
constexpr std::string_view unsupported_options[] = {
    "time-offset",
    "time-servers",
    "log-servers",
    "netbios-name-servers",
    "netbios-node-type",
    "netbios-scope",
    "root-path",
    "static-routes",
    "vendor-encapsulated-options",
    "vendor-class-identifier",
    "nis-domain",
    "nis-servers",
    "ip-forwarding",
    "default-ip-ttl",
    "dhcp-lease-time",
    "dhcp-renewal-time",
    "dhcp-rebinding-time",
    "dhcp-server-identifier",
    "smtp-server",
    "pop-server",
    "www-server",
    "font-servers",
    "lpr-servers",
    "swap-server",
    "extensions-path",
    "all-subnets-local",
    "router-discovery",
    "dhcp-parameter-request-list",
    "dhcp-max-message-size",
    "dhcp-client-identifier",
    "rfc3442-classless-static-routes",
    "ms-classless-static-routes",
    "pxe-system-type",
    "space",
};

bool at_value_end(const TokenCursor& in) {
    return in.at(TokenKind::semicolon) || in.at(TokenKind::close_brace) || in.at(TokenKind::end);
}

void fail(Diagnostics& diags, const SourceLocation& where, std::string message) {
    diags.error(where, std::move(message));
}

void append_ip(Bytes& out, std::uint32_t a) {
    out.insert(out.end(), {static_cast<std::uint8_t>(a >> 24), static_cast<std::uint8_t>(a >> 16),
                           static_cast<std::uint8_t>(a >> 8), static_cast<std::uint8_t>(a)});
}

std::optional<std::uint32_t> read_ip(TokenCursor& in, Diagnostics& diags) {
    const Token& t = in.next_value();
    auto ip = t.kind == TokenKind::word ? parse_ipv4(t.text) : std::nullopt;
    if (!ip) fail(diags, in.where(t), "invalid IPv4 address '" + t.text + "'");
    return ip;
}

std::optional<std::string> read_text(TokenCursor& in, Diagnostics& diags) {
    const Token& t = in.next_value();
    if (t.kind != TokenKind::string && t.kind != TokenKind::word) {
        fail(diags, in.where(t), "expected a string, not '" + t.text + "'");
        return std::nullopt;
    }
    if (t.text.empty() || t.text.size() > 255) {
        fail(diags, in.where(t), "option text must be 1 to 255 bytes long");
        return std::nullopt;
    }
    return t.text;
}

std::optional<unsigned> read_number(TokenCursor& in, unsigned max, Diagnostics& diags) {
    const Token& t = in.next_value();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
    if (t.kind != TokenKind::word || ec != std::errc{} || end != t.text.data() + t.text.size() ||
        value > max) {
        fail(diags, in.where(t),
             "expected a number from 0 to " + std::to_string(max) + ", not '" + t.text + "'");
        return std::nullopt;
    }
    return value;
}

// RFC 1035 3.1 labels, uncompressed (RFC 3397 allows but does not need compression).
bool append_domain(Bytes& out, std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || name.size() > 253) return false;
    while (!name.empty()) {
        std::size_t dot = name.find('.');
        std::string_view label = name.substr(0, dot);
        if (label.empty() || label.size() > 63) return false;
        out.push_back(static_cast<std::uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
        name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    }
    out.push_back(0);
    return true;
}

// RFC 3442: each route is a prefix length, the significant octets of the destination, and the
// router. Checked here so that a hand-written byte list cannot send clients a broken option.
bool valid_rfc3442(const Bytes& bytes) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        unsigned len = bytes[i];
        if (len > 32) return false;
        i += 1 + (len + 7) / 8 + 4;
    }
    return i == bytes.size() && !bytes.empty();
}

std::optional<Bytes> read_routes(TokenCursor& in, Diagnostics& diags) {
    Bytes out;
    do {
        const Token& t = in.next_value();
        std::string_view text = t.text;
        std::size_t slash = text.find('/');
        auto net = parse_ipv4(text.substr(0, slash));
        unsigned len = 33;
        if (slash != std::string_view::npos) {
            std::string_view l = text.substr(slash + 1);
            auto [end, ec] = std::from_chars(l.data(), l.data() + l.size(), len);
            if (ec != std::errc{} || end != l.data() + l.size()) len = 33;
        }
        if (t.kind != TokenKind::word || !net || len > 32) {
            fail(diags, in.where(t), "expected a route destination NET/LEN, not '" + t.text + "'");
            return std::nullopt;
        }
        std::uint32_t mask = len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
        if ((*net & ~mask) != 0) {
            fail(diags, in.where(t), "route destination '" + t.text + "' has host bits set");
            return std::nullopt;
        }
        auto gateway = read_ip(in, diags);
        if (!gateway) return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(len));
        for (unsigned octet = 0; octet < (len + 7) / 8; ++octet)
            out.push_back(static_cast<std::uint8_t>(*net >> (24 - 8 * octet)));
        append_ip(out, *gateway);
        in.accept(TokenKind::comma); // pairs may be separated by commas or just blanks
    } while (!at_value_end(in));
    return out;
}

std::optional<Bytes> read_value(TokenCursor& in, Format format, Diagnostics& diags) {
    Bytes out;
    switch (format) {
    case Format::ip: {
        auto ip = read_ip(in, diags);
        if (!ip) return std::nullopt;
        append_ip(out, *ip);
        return out;
    }
    case Format::ip_list:
        do {
            auto ip = read_ip(in, diags);
            if (!ip) return std::nullopt;
            append_ip(out, *ip);
        } while (in.accept(TokenKind::comma));
        return out;
    case Format::text: {
        auto text = read_text(in, diags);
        if (!text) return std::nullopt;
        return Bytes(text->begin(), text->end());
    }
    case Format::mtu: {
        SourceLocation where = in.here();
        auto mtu = read_number(in, 65535, diags);
        if (!mtu) return std::nullopt;
        if (*mtu < 68) { // RFC 2132 9.1: the minimum legal MTU
            fail(diags, where, "interface-mtu must be at least 68");
            return std::nullopt;
        }
        return Bytes{static_cast<std::uint8_t>(*mtu >> 8), static_cast<std::uint8_t>(*mtu)};
    }
    case Format::domain_list:
        do {
            const Token& t = in.next_value();
            if (t.kind != TokenKind::string || !append_domain(out, t.text)) {
                fail(diags, in.where(t), "invalid domain name '" + t.text + "'");
                return std::nullopt;
            }
        } while (in.accept(TokenKind::comma));
        return out;
    case Format::routes:
        return read_routes(in, diags);
    case Format::byte_array:
        do {
            auto byte = read_number(in, 255, diags);
            if (!byte) return std::nullopt;
            out.push_back(static_cast<std::uint8_t>(*byte));
        } while (in.accept(TokenKind::comma));
        return out;
    }
    return std::nullopt;
}

// `code N = array of [unsigned] integer 8` after the name; records it in declarations.
void parse_declaration(TokenCursor& in, const Token& name, OptionDeclarations& declarations,
                       Diagnostics& diags) {
    in.next(); // "code"
    auto code = read_number(in, 254, diags);
    if (!code || *code == 0) {
        if (code) fail(diags, in.last(), "option code must be from 1 to 254");
        in.skip_statement();
        return;
    }
    std::string type;
    bool equals = in.accept(TokenKind::equals);
    while (in.at(TokenKind::word)) {
        if (!type.empty()) type += ' ';
        type += in.next().text;
    }
    if (!equals || (type != "array of integer 8" && type != "array of unsigned integer 8")) {
        fail(diags, in.where(name),
             "unsupported option declaration for '" + name.text +
                 "' (only 'code N = array of unsigned integer 8')");
        in.skip_statement();
        return;
    }
    bool builtin = std::ranges::any_of(known_options,
                                       [&](const KnownOption& k) { return k.name == name.text; });
    if (builtin) {
        fail(diags, in.where(name), "option '" + name.text + "' is already defined");
    } else {
        declarations[name.text] = static_cast<std::uint8_t>(*code);
    }
    in.end_statement("option", diags);
}

} // namespace

std::optional<OptionValue> parse_option(TokenCursor& in, OptionDeclarations& declarations,
                                        Diagnostics& diags) {
    const Token name = in.next_value();
    if (name.kind != TokenKind::word) {
        fail(diags, in.where(name), "expected an option name, not '" + name.text + "'");
        in.skip_statement();
        return std::nullopt;
    }
    if (in.at_word("code")) {
        parse_declaration(in, name, declarations, diags);
        return std::nullopt;
    }
    std::optional<std::uint8_t> code;
    Format format = Format::byte_array;
    for (const auto& k : known_options) {
        if (k.name == name.text) code = k.code, format = k.format;
    }
    if (auto it = declarations.find(name.text); !code && it != declarations.end())
        code = it->second;
    if (!code) {
        bool known =
            std::ranges::find(unsupported_options, name.text) != std::end(unsupported_options);
        fail(diags, in.where(name),
             (known ? "unsupported option '" : "unknown option '") + name.text + "'");
        in.skip_statement();
        return std::nullopt;
    }
    auto value = read_value(in, format, diags);
    if (value && format == Format::byte_array &&
        (*code == option::classless_static_routes || *code == 249) && !valid_rfc3442(*value)) {
        fail(diags, in.where(name),
             "invalid classless static routes for '" + name.text +
                 "' (RFC 3442: LEN, significant octets, router)");
        value.reset();
    }
    if (!value) {
        in.skip_statement();
        return std::nullopt;
    }
    if (value->size() > 255 * 4) { // bounded: RFC 3396 splitting copes, clients might not
        fail(diags, in.where(name), "option '" + name.text + "' is longer than 1020 bytes");
        in.skip_statement();
        return std::nullopt;
    }
    in.end_statement("option " + name.text, diags);
    return OptionValue{name.text, *code, std::move(*value), in.where(name)};
}

} // namespace superd::dhcp::detail
