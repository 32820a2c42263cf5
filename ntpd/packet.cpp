#include "ntpd/packet.hpp"

namespace superd::ntp {

namespace {

std::uint32_t be32(std::span<const std::uint8_t> b, std::size_t at) {
    return std::uint32_t{b[at]} << 24 | std::uint32_t{b[at + 1]} << 16 |
           std::uint32_t{b[at + 2]} << 8 | b[at + 3];
}

Timestamp timestamp_at(std::span<const std::uint8_t> b, std::size_t at) {
    return {be32(b, at), be32(b, at + 4)};
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

} // namespace

std::string_view to_string(DecodeError error) {
    switch (error) {
    case DecodeError::too_short:
        return "shorter than the 48-byte header";
    case DecodeError::bad_version:
        return "bad version";
    case DecodeError::control_message:
        return "a mode 6 control message";
    case DecodeError::bad_extension:
        return "bad extension field";
    case DecodeError::bad_trailer:
        return "trailing bytes that are neither extension fields nor a MAC";
    }
    return "?";
}

std::expected<Packet, DecodeError> decode(std::span<const std::uint8_t> b) {
    if (b.size() < header_size) {
        // A control message's header is 12 bytes: tell it apart even when short.
        if (b.size() >= 1 && (b[0] & 7) == 6) return std::unexpected(DecodeError::control_message);
        return std::unexpected(DecodeError::too_short);
    }
    Packet p;
    p.leap = static_cast<Leap>(b[0] >> 6);
    p.version = (b[0] >> 3) & 7;
    p.mode = static_cast<Mode>(b[0] & 7);
    if (p.mode == Mode::control) return std::unexpected(DecodeError::control_message);
    if (p.version == 0 || p.version > 4) return std::unexpected(DecodeError::bad_version);
    p.stratum = b[1];
    p.poll = static_cast<std::int8_t>(b[2]);
    p.precision = static_cast<std::int8_t>(b[3]);
    p.root_delay = be32(b, 4);
    p.root_dispersion = be32(b, 8);
    p.reference_id = be32(b, 12);
    p.reference = timestamp_at(b, 16);
    p.origin = timestamp_at(b, 24);
    p.receive = timestamp_at(b, 32);
    p.transmit = timestamp_at(b, 40);

    // After the header: extension fields (each at least 16 bytes, a multiple of 4) while more
    // than a MAC's worth remains, then a MAC of 4 (crypto-NAK), 20 (MD5, CMAC) or 24 (SHA1).
    std::size_t at = header_size;
    std::size_t ext_start = at;
    while (b.size() - at > max_mac_size) {
        std::size_t length = std::size_t{b[at + 2]} << 8 | b[at + 3];
        if (length < 16 || length % 4 != 0 || length > b.size() - at)
            return std::unexpected(DecodeError::bad_extension);
        at += length;
    }
    p.extensions.assign(b.begin() + static_cast<std::ptrdiff_t>(ext_start),
                        b.begin() + static_cast<std::ptrdiff_t>(at));
    std::size_t rest = b.size() - at;
    if (rest == 0) return p;
    if (rest != 4 && rest != 20 && rest != 24) return std::unexpected(DecodeError::bad_trailer);
    Mac mac;
    mac.key_id = be32(b, at);
    mac.digest.assign(b.begin() + static_cast<std::ptrdiff_t>(at + 4), b.end());
    if (rest == 4 && mac.key_id != 0) return std::unexpected(DecodeError::bad_trailer);
    p.mac = std::move(mac);
    return p;
}

void write_timestamp(std::span<std::uint8_t> at, Timestamp ts) {
    for (int i = 0; i < 4; ++i) {
        at[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ts.seconds >> (24 - 8 * i));
        at[static_cast<std::size_t>(4 + i)] =
            static_cast<std::uint8_t>(ts.fraction >> (24 - 8 * i));
    }
}

std::vector<std::uint8_t> encode(const Packet& p) {
    std::vector<std::uint8_t> out;
    encode_into(p, out);
    return out;
}

void encode_into(const Packet& p, std::vector<std::uint8_t>& out) {
    out.clear(); // keeps the capacity: a reused buffer is not allocated again
    out.reserve(header_size + p.extensions.size() + (p.mac ? 4 + p.mac->digest.size() : 0));
    out.push_back(static_cast<std::uint8_t>(static_cast<unsigned>(p.leap) << 6 |
                                            (p.version & 7) << 3 | static_cast<unsigned>(p.mode)));
    out.push_back(p.stratum);
    out.push_back(static_cast<std::uint8_t>(p.poll));
    out.push_back(static_cast<std::uint8_t>(p.precision));
    put32(out, p.root_delay);
    put32(out, p.root_dispersion);
    put32(out, p.reference_id);
    for (const Timestamp& ts : {p.reference, p.origin, p.receive, p.transmit}) {
        put32(out, ts.seconds);
        put32(out, ts.fraction);
    }
    out.insert(out.end(), p.extensions.begin(), p.extensions.end());
    if (p.mac) {
        put32(out, p.mac->key_id);
        out.insert(out.end(), p.mac->digest.begin(), p.mac->digest.end());
    }
}

std::size_t mac_covered_size(const Packet& p) {
    return header_size + p.extensions.size();
}

} // namespace superd::ntp
