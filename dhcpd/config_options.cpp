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

using Format = OptionFormat;

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
    // What PXE clients identify themselves by: "PXEClient:Arch:00007:..." (60), "iPXE" (77).
    {"vendor-class-identifier", option::vendor_class, Format::data},
    {"tftp-server-name", option::tftp_server_name, Format::text},
    {"bootfile-name", option::bootfile_name, Format::text},
    {"user-class", option::user_class, Format::text},
    {"domain-search", option::domain_search, Format::domain_list},
    // Our documented spelling: NET/LEN GATEWAY pairs (ISC needs a `code 121` declaration).
    {"classless-static-routes", option::classless_static_routes, Format::routes},
};

// Real dhcp-options(5) names this server does not encode: say "unsupported", not "unknown".
// Those with a code may still be compared in a condition; 0: not an option of ISC's table.
struct UnsupportedOption {
    std::string_view name;
    std::uint8_t code;
};
constexpr UnsupportedOption unsupported_options[] = {
    {"time-offset", 2},
    {"time-servers", 4},
    {"log-servers", 7},
    {"netbios-name-servers", 44},
    {"netbios-node-type", 46},
    {"netbios-scope", 47},
    {"root-path", 17},
    {"static-routes", 33},
    {"vendor-encapsulated-options", 43},
    {"nis-domain", 40},
    {"nis-servers", 41},
    {"ip-forwarding", 19},
    {"default-ip-ttl", 23},
    {"dhcp-requested-address", 50},
    {"dhcp-lease-time", 51},
    {"dhcp-message-type", 53},
    {"dhcp-renewal-time", 58},
    {"dhcp-rebinding-time", 59},
    {"dhcp-server-identifier", 54},
    {"smtp-server", 69},
    {"pop-server", 70},
    {"www-server", 72},
    {"font-servers", 48},
    {"lpr-servers", 9},
    {"swap-server", 16},
    {"extensions-path", 18},
    {"all-subnets-local", 27},
    {"router-discovery", 31},
    {"dhcp-parameter-request-list", 55},
    {"dhcp-max-message-size", 57},
    {"dhcp-client-identifier", 61},
    {"relay-agent-information", 82},
    {"rfc3442-classless-static-routes", 0},
    {"ms-classless-static-routes", 0},
    {"space", 0},
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

std::optional<Bytes> read_value(TokenCursor& in, const OptionType& type, Diagnostics& diags) {
    Bytes out;
    switch (type.format) {
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
    case Format::integer: {
        const Token& t = in.next_value();
        auto value = t.kind == TokenKind::word ? encode_integer(t.text, type) : std::nullopt;
        if (!value)
            fail(diags, in.where(t), "expected " + type_name(type) + ", not '" + t.text + "'");
        return value;
    }
    case Format::flag: {
        const Token& t = in.next_value();
        bool on = t.text == "true" || t.text == "on";
        if (t.kind != TokenKind::word || !(on || t.text == "false" || t.text == "off")) {
            fail(diags, in.where(t), "expected true or false, not '" + t.text + "'");
            return std::nullopt;
        }
        return Bytes{static_cast<std::uint8_t>(on)};
    }
    case Format::data: {
        const Token& t = in.next_value();
        std::optional<Bytes> value;
        if (t.kind == TokenKind::string) {
            value = Bytes(t.text.begin(), t.text.end());
        } else if (t.kind == TokenKind::word) {
            value = parse_hex_list(t.text);
        }
        if (!value || value->empty()) {
            fail(diags, in.where(t),
                 "expected a quoted string or colon-separated hex, not '" + t.text + "'");
            return std::nullopt;
        }
        return value;
    }
    }
    return std::nullopt;
}

// The TYPE of `option NAME code N = TYPE;`, as dhcp-options(5) spells it.
std::optional<OptionType> parse_type(std::string_view type) {
    OptionType t;
    if (type == "array of integer 8" || type == "array of unsigned integer 8") {
        t.format = Format::byte_array;
    } else if (type == "ip-address") {
        t.format = Format::ip;
    } else if (type == "array of ip-address") {
        t.format = Format::ip_list;
    } else if (type == "text") {
        t.format = Format::text;
    } else if (type == "string") {
        t.format = Format::data;
    } else if (type == "boolean") {
        t.format = Format::flag;
    } else {
        // [signed|unsigned] integer 8|16|32; a bare `integer` is signed, as in ISC.
        t.format = Format::integer;
        t.is_signed = !type.starts_with("unsigned ");
        if (type.starts_with("unsigned ")) type.remove_prefix(9);
        if (type.starts_with("signed ")) type.remove_prefix(7);
        if (type == "integer 8") {
            t.width = 1;
        } else if (type == "integer 16") {
            t.width = 2;
        } else if (type == "integer 32") {
            t.width = 4;
        } else {
            return std::nullopt;
        }
    }
    return t;
}

// `code N = TYPE` after the name; records it in declarations.
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
    auto parsed = equals ? parse_type(type) : std::nullopt;
    if (!parsed) {
        fail(diags, in.where(name),
             "unsupported option declaration for '" + name.text +
                 "' (types: [un]signed integer 8|16|32, array of [unsigned] integer 8, "
                 "ip-address, array of ip-address, text, string, boolean)");
        in.skip_statement();
        return;
    }
    parsed->code = static_cast<std::uint8_t>(*code);
    bool builtin = std::ranges::any_of(known_options,
                                       [&](const KnownOption& k) { return k.name == name.text; });
    if (builtin) {
        fail(diags, in.where(name), "option '" + name.text + "' is already defined");
    } else {
        declarations[name.text] = *parsed;
    }
    in.end_statement("option", diags);
}

} // namespace

std::optional<OptionType> find_option_type(std::string_view name,
                                           const OptionDeclarations& declarations, bool to_match) {
    for (const auto& k : known_options) {
        if (k.name == name) return OptionType{k.code, k.format};
    }
    if (auto it = declarations.find(name); it != declarations.end()) return it->second;
    if (to_match) {
        for (const auto& u : unsupported_options) {
            if (u.name == name && u.code != 0) return OptionType{u.code, Format::byte_array};
        }
    }
    return std::nullopt;
}

std::string unknown_option_message(std::string_view name, std::string_view context) {
    std::string quoted = "'" + std::string(name) + "'" + std::string(context);
    // As in ISC dhcpd, option 93 has no built-in name: PXE configs declare it themselves.
    if (name == "pxe-system-type" || name == "arch")
        return "option " + quoted +
               " is not predefined (nor in ISC dhcpd): declare it first, e.g. 'option " +
               std::string(name) + " code 93 = unsigned integer 16;'";
    bool known = std::ranges::any_of(unsupported_options,
                                     [&](const UnsupportedOption& u) { return u.name == name; });
    return (known ? "unsupported option " : "unknown option ") + quoted;
}

std::optional<Bytes> parse_hex_list(std::string_view text) {
    Bytes out;
    while (true) {
        std::size_t colon = text.find(':');
        std::string_view part = text.substr(0, colon);
        unsigned value = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value, 16);
        if (part.empty() || part.size() > 2 || ec != std::errc{} ||
            end != part.data() + part.size())
            return std::nullopt;
        out.push_back(static_cast<std::uint8_t>(value));
        if (colon == std::string_view::npos) return out;
        text.remove_prefix(colon + 1);
    }
}

std::optional<Bytes> encode_integer(std::string_view text, const OptionType& type) {
    bool negative = type.is_signed && text.starts_with('-');
    if (negative) text.remove_prefix(1);
    int base = 10;
    if (text.starts_with("0x") || text.starts_with("0X")) {
        base = 16;
        text.remove_prefix(2);
    }
    std::uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    const unsigned bits = 8u * type.width;
    if (bits == 0 || bits > 32) return std::nullopt;
    const std::uint64_t max =
        type.is_signed ? (std::uint64_t{1} << (bits - 1)) - 1 : (std::uint64_t{1} << bits) - 1;
    if (magnitude > max + (negative ? 1 : 0)) return std::nullopt;
    // Two's complement in `bits` bits, most significant byte first.
    std::uint64_t value = negative ? (~magnitude + 1) : magnitude;
    Bytes out;
    for (int shift = static_cast<int>(bits) - 8; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(value >> shift));
    return out;
}

std::string type_name(const OptionType& type) {
    if (type.format != Format::integer) return "a value";
    return std::string(type.is_signed ? "signed" : "unsigned") + " integer " +
           std::to_string(8 * type.width);
}

std::optional<OptionValue> parse_option(TokenCursor& in, OptionDeclarations& declarations,
                                        Diagnostics& diags, bool declarations_allowed) {
    const Token name = in.next_value();
    if (name.kind != TokenKind::word) {
        fail(diags, in.where(name), "expected an option name, not '" + name.text + "'");
        in.skip_statement();
        return std::nullopt;
    }
    if (in.at_word("code")) {
        if (!declarations_allowed) {
            fail(diags, in.where(name),
                 "option declarations are not allowed inside 'if' (declare '" + name.text +
                     "' outside)");
            in.skip_statement();
            return std::nullopt;
        }
        parse_declaration(in, name, declarations, diags);
        return std::nullopt;
    }
    auto type = find_option_type(name.text, declarations, false);
    if (!type) {
        fail(diags, in.where(name), unknown_option_message(name.text));
        in.skip_statement();
        return std::nullopt;
    }
    const std::uint8_t code = type->code;
    auto value = read_value(in, *type, diags);
    if (value && type->format == Format::byte_array &&
        (code == option::classless_static_routes || code == 249) && !valid_rfc3442(*value)) {
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
    return OptionValue{name.text, code, std::move(*value), in.where(name)};
}

} // namespace superd::dhcp::detail
