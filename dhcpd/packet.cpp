#include "dhcpd/packet.hpp"

#include <algorithm>

namespace superd::dhcp {
namespace {

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
    return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 |
           std::uint32_t(b[at + 2]) << 8 | b[at + 3];
}

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

void put32(std::vector<std::uint8_t>& out, std::size_t at, std::uint32_t v) {
    out[at] = static_cast<std::uint8_t>(v >> 24);
    out[at + 1] = static_cast<std::uint8_t>(v >> 16);
    out[at + 2] = static_cast<std::uint8_t>(v >> 8);
    out[at + 3] = static_cast<std::uint8_t>(v);
}

// Text of a NUL-padded field, up to its first NUL.
std::string field_text(std::span<const std::uint8_t> field) {
    auto nul = std::find(field.begin(), field.end(), std::uint8_t{0});
    return std::string(field.begin(), nul);
}

void append_option(Packet& p, std::uint8_t code, std::span<const std::uint8_t> value) {
    for (auto& [c, v] : p.options)
        if (c == code) { // RFC 3396: the parts of one option, in order, are joined
            v.insert(v.end(), value.begin(), value.end());
            return;
        }
    p.options.emplace_back(code, std::vector<std::uint8_t>(value.begin(), value.end()));
}

// Parses the options in one field (the options area, or file/sname when overloaded). Sets
// `overload` when the field holds option 52 and `overload` is not null.
std::optional<DecodeError> parse_options(std::span<const std::uint8_t> field, Packet& p,
                                         std::uint8_t* overload) {
    std::size_t i = 0;
    while (i < field.size()) {
        std::uint8_t code = field[i];
        if (code == option::pad) {
            ++i;
            continue;
        }
        if (code == option::end) return std::nullopt;
        if (i + 1 >= field.size()) return DecodeError::truncated_option;
        std::size_t len = field[i + 1];
        if (i + 2 + len > field.size()) return DecodeError::truncated_option;
        auto value = field.subspan(i + 2, len);
        if (code == option::overload) {
            if (len != 1 || value[0] < 1 || value[0] > 3) return DecodeError::bad_overload;
            if (overload != nullptr) *overload = value[0];
        } else {
            append_option(p, code, value);
        }
        i += 2 + len;
    }
    return std::nullopt; // no end option: the field's end ends the options
}

// The wire form of one option: split into parts of at most 255 bytes (RFC 3396).
std::vector<std::vector<std::uint8_t>> option_parts(std::uint8_t code,
                                                    const std::vector<std::uint8_t>& value) {
    std::vector<std::vector<std::uint8_t>> parts;
    std::size_t at = 0;
    do {
        std::size_t n = std::min<std::size_t>(255, value.size() - at);
        std::vector<std::uint8_t> part{code, static_cast<std::uint8_t>(n)};
        part.insert(part.end(), value.begin() + static_cast<long>(at),
                    value.begin() + static_cast<long>(at + n));
        parts.push_back(std::move(part));
        at += n;
    } while (at < value.size());
    return parts;
}

} // namespace

std::string_view to_string(MessageType type) {
    switch (type) {
    case MessageType::discover:
        return "DHCPDISCOVER";
    case MessageType::offer:
        return "DHCPOFFER";
    case MessageType::request:
        return "DHCPREQUEST";
    case MessageType::decline:
        return "DHCPDECLINE";
    case MessageType::ack:
        return "DHCPACK";
    case MessageType::nak:
        return "DHCPNAK";
    case MessageType::release:
        return "DHCPRELEASE";
    case MessageType::inform:
        return "DHCPINFORM";
    }
    return "DHCP?";
}

std::string_view to_string(DecodeError error) {
    switch (error) {
    case DecodeError::too_short:
        return "shorter than a BOOTP header";
    case DecodeError::bad_op:
        return "op is not BOOTREQUEST or BOOTREPLY";
    case DecodeError::bad_hlen:
        return "hardware address length over 16";
    case DecodeError::truncated_option:
        return "an option runs past the end of its field";
    case DecodeError::bad_overload:
        return "bad option overload (52)";
    case DecodeError::bad_message_type:
        return "bad DHCP message type (53)";
    }
    return "?";
}

std::string_view to_string(EncodeError error) {
    switch (error) {
    case EncodeError::too_big:
        return "options do not fit in the message";
    }
    return "?";
}

const std::vector<std::uint8_t>* Packet::find(std::uint8_t code) const {
    for (const auto& [c, v] : options)
        if (c == code) return &v;
    return nullptr;
}

void Packet::set(std::uint8_t code, std::vector<std::uint8_t> value) {
    for (auto& [c, v] : options)
        if (c == code) {
            v = std::move(value);
            return;
        }
    options.emplace_back(code, std::move(value));
}

void Packet::erase(std::uint8_t code) {
    std::erase_if(options, [code](const auto& o) { return o.first == code; });
}

std::optional<MessageType> Packet::message_type() const {
    const auto* v = find(option::message_type);
    if (v == nullptr || v->size() != 1 || (*v)[0] < 1 || (*v)[0] > 8) return std::nullopt;
    return static_cast<MessageType>((*v)[0]);
}

std::optional<std::uint32_t> Packet::ip_option(std::uint8_t code) const {
    const auto* v = find(code);
    if (v == nullptr || v->size() != 4) return std::nullopt;
    return be32(*v, 0);
}

std::optional<std::uint32_t> Packet::u32_option(std::uint8_t code) const {
    return ip_option(code);
}

std::optional<std::uint16_t> Packet::u16_option(std::uint8_t code) const {
    const auto* v = find(code);
    if (v == nullptr || v->size() != 2) return std::nullopt;
    return be16(*v, 0);
}

std::span<const std::uint8_t> Packet::hardware_address() const {
    return std::span<const std::uint8_t>(chaddr).first(std::min<std::size_t>(hlen, chaddr.size()));
}

std::expected<Packet, DecodeError> decode(std::span<const std::uint8_t> b) {
    if (b.size() < fixed_size) return std::unexpected(DecodeError::too_short);
    Packet p;
    p.op = b[0];
    if (p.op != 1 && p.op != 2) return std::unexpected(DecodeError::bad_op);
    p.htype = b[1];
    p.hlen = b[2];
    if (p.hlen > p.chaddr.size()) return std::unexpected(DecodeError::bad_hlen);
    p.hops = b[3];
    p.xid = be32(b, 4);
    p.secs = be16(b, 8);
    p.flags = be16(b, 10);
    p.ciaddr = be32(b, 12);
    p.yiaddr = be32(b, 16);
    p.siaddr = be32(b, 20);
    p.giaddr = be32(b, 24);
    std::copy_n(b.begin() + 28, p.chaddr.size(), p.chaddr.begin());
    auto sname = b.subspan(44, sname_size);
    auto file = b.subspan(44 + sname_size, file_size);

    p.dhcp = b.size() >= fixed_size + 4 &&
             std::equal(magic_cookie.begin(), magic_cookie.end(), b.begin() + fixed_size);
    std::uint8_t overload = 0;
    if (p.dhcp) {
        if (auto e = parse_options(b.subspan(fixed_size + 4), p, &overload))
            return std::unexpected(*e);
        // RFC 3396 order: the options field, then file, then sname.
        if (overload & 1)
            if (auto e = parse_options(file, p, nullptr)) return std::unexpected(*e);
        if (overload & 2)
            if (auto e = parse_options(sname, p, nullptr)) return std::unexpected(*e);
        if (p.find(option::message_type) != nullptr && !p.message_type())
            return std::unexpected(DecodeError::bad_message_type);
    }
    if (!(overload & 1)) p.file = field_text(file);
    if (!(overload & 2)) p.sname = field_text(sname);
    return p;
}

std::expected<std::vector<std::uint8_t>, EncodeError> encode(const Packet& p,
                                                             std::size_t max_size) {
    max_size = std::max(max_size, min_dhcp_size);
    std::vector<std::uint8_t> out(fixed_size, 0);
    out[0] = p.op;
    out[1] = p.htype;
    out[2] = p.hlen;
    out[3] = p.hops;
    put32(out, 4, p.xid);
    out[8] = static_cast<std::uint8_t>(p.secs >> 8);
    out[9] = static_cast<std::uint8_t>(p.secs);
    out[10] = static_cast<std::uint8_t>(p.flags >> 8);
    out[11] = static_cast<std::uint8_t>(p.flags);
    put32(out, 12, p.ciaddr);
    put32(out, 16, p.yiaddr);
    put32(out, 20, p.siaddr);
    put32(out, 24, p.giaddr);
    std::copy(p.chaddr.begin(), p.chaddr.end(), out.begin() + 28);
    // A name may fill its field: the NUL after it is optional (RFC 2131 calls them
    // "null terminated", but clients and decode() read a full field as it is).
    std::copy_n(p.sname.begin(), std::min(p.sname.size(), sname_size), out.begin() + 44);
    std::copy_n(p.file.begin(), std::min(p.file.size(), file_size),
                out.begin() + 44 + static_cast<long>(sname_size));

    if (!p.dhcp) { // plain BOOTP: an empty 64-byte vendor area
        out.resize(bootp_size, 0);
        return out;
    }
    out.insert(out.end(), magic_cookie.begin(), magic_cookie.end());

    // The message type first (clients look for it there), then the rest in order.
    std::vector<std::pair<std::uint8_t, const std::vector<std::uint8_t>*>> order;
    if (const auto* mt = p.find(option::message_type)) order.emplace_back(option::message_type, mt);
    for (const auto& [code, v] : p.options)
        if (code != option::message_type && code != option::overload && code != option::pad &&
            code != option::end)
            order.emplace_back(code, &v);

    std::size_t total = 0;
    for (const auto& [code, v] : order)
        total += v->size() + 2 * std::max<std::size_t>(1, (v->size() + 254) / 255);
    std::size_t room = max_size - out.size() - 1; // 1: the end option
    if (total <= room) {
        for (const auto& [code, v] : order)
            for (auto& part : option_parts(code, *v))
                out.insert(out.end(), part.begin(), part.end());
        out.push_back(option::end);
    } else {
        // Overload: fill the options field (keeping 3 bytes for option 52), then file, then
        // sname, each closed by an end option. An option that does not fit whole is split at
        // the field's end and goes on in the next field (RFC 3396 joins the parts in order).
        std::array<std::vector<std::uint8_t>, 3> fields;
        std::array<std::size_t, 3> capacity{room - 3, p.file.empty() ? file_size - 1 : 0,
                                            p.sname.empty() ? sname_size - 1 : 0};
        std::size_t f = 0;
        for (const auto& [code, v] : order) {
            std::size_t at = 0;
            do {
                while (f < 3 && capacity[f] - fields[f].size() < 3)
                    ++f; // room for code, length and at least one byte (or an empty option)
                if (f == 3) return std::unexpected(EncodeError::too_big);
                std::size_t n = std::min(
                    {std::size_t{255}, v->size() - at, capacity[f] - fields[f].size() - 2});
                fields[f].push_back(code);
                fields[f].push_back(static_cast<std::uint8_t>(n));
                fields[f].insert(fields[f].end(), v->begin() + static_cast<long>(at),
                                 v->begin() + static_cast<long>(at + n));
                at += n;
            } while (at < v->size());
        }
        std::uint8_t used = (fields[1].empty() ? 0 : 1) | (fields[2].empty() ? 0 : 2);
        out.insert(out.end(), {option::overload, 1, used});
        out.insert(out.end(), fields[0].begin(), fields[0].end());
        out.push_back(option::end);
        auto place = [&](const std::vector<std::uint8_t>& opts, std::size_t at, std::size_t size) {
            std::fill_n(out.begin() + static_cast<long>(at), size, std::uint8_t{0});
            std::copy(opts.begin(), opts.end(), out.begin() + static_cast<long>(at));
            out[at + opts.size()] = option::end;
        };
        if (used & 1) place(fields[1], 44 + sname_size, file_size);
        if (used & 2) place(fields[2], 44, sname_size);
    }
    if (out.size() < bootp_size) out.resize(bootp_size, 0);
    return out;
}

} // namespace superd::dhcp
