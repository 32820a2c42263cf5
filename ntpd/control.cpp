#include "ntpd/control.hpp"

#include <algorithm>
#include <cctype>

namespace superd::ntp {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

std::uint16_t be16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

std::vector<std::uint8_t> header(const ControlRequest& req, bool error, bool more,
                                 std::uint16_t status, std::uint16_t association,
                                 std::uint16_t offset, std::uint16_t count) {
    std::vector<std::uint8_t> out;
    out.push_back(static_cast<std::uint8_t>((req.version & 7) << 3 | 6));
    out.push_back(static_cast<std::uint8_t>(0x80 | (error ? 0x40 : 0) | (more ? 0x20 : 0) |
                                            (req.opcode & 0x1f)));
    put16(out, req.sequence);
    put16(out, status);
    put16(out, association);
    put16(out, offset);
    put16(out, count);
    return out;
}

} // namespace

std::string_view to_string(ControlDecodeError error) {
    switch (error) {
    case ControlDecodeError::too_short:
        return "shorter than the 12-byte control header";
    case ControlDecodeError::not_control:
        return "not a mode 6 message";
    case ControlDecodeError::is_response:
        return "a response";
    case ControlDecodeError::bad_count:
        return "data count past the end";
    case ControlDecodeError::fragmented:
        return "a fragmented request";
    }
    return "?";
}

std::expected<ControlRequest, ControlDecodeError> decode_control(std::span<const std::uint8_t> b) {
    if (b.size() < control_header_size) return std::unexpected(ControlDecodeError::too_short);
    if ((b[0] & 7) != 6) return std::unexpected(ControlDecodeError::not_control);
    if (b[1] & 0x80) return std::unexpected(ControlDecodeError::is_response);
    ControlRequest r;
    r.version = (b[0] >> 3) & 7;
    r.opcode = b[1] & 0x1f;
    r.sequence = be16(b, 2);
    r.association = be16(b, 6);
    std::uint16_t offset = be16(b, 8);
    std::uint16_t count = be16(b, 10);
    if ((b[1] & 0x20) || offset != 0) return std::unexpected(ControlDecodeError::fragmented);
    if (count > b.size() - control_header_size)
        return std::unexpected(ControlDecodeError::bad_count);
    r.data.assign(b.begin() + control_header_size, b.begin() + control_header_size + count);
    // Data padded to 4 bytes, then a MAC (key id + digest) when authenticated.
    std::size_t padded = control_header_size + ((count + 3u) & ~3u);
    r.authenticated = b.size() >= padded + 4 + 16;
    return r;
}

std::vector<std::vector<std::uint8_t>> encode_control_response(const ControlRequest& req,
                                                               std::uint16_t status,
                                                               std::uint16_t association,
                                                               std::string_view data) {
    std::vector<std::vector<std::uint8_t>> out;
    std::size_t at = 0;
    do {
        std::size_t n = std::min(control_max_fragment, data.size() - at);
        bool more = at + n < data.size();
        auto d = header(req, false, more, status, association, static_cast<std::uint16_t>(at),
                        static_cast<std::uint16_t>(n));
        d.insert(d.end(), data.begin() + static_cast<std::ptrdiff_t>(at),
                 data.begin() + static_cast<std::ptrdiff_t>(at + n));
        while (d.size() % 4)
            d.push_back(0);
        out.push_back(std::move(d));
        at += n;
    } while (at < data.size());
    return out;
}

std::vector<std::uint8_t> encode_control_error(const ControlRequest& req, ControlError error) {
    return header(req, true, false, static_cast<std::uint16_t>(std::uint16_t(error) << 8),
                  req.association, 0, 0);
}

std::vector<std::string> variable_names(std::string_view data) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= data.size()) {
        std::size_t end = data.find(',', start);
        if (end == std::string_view::npos) end = data.size();
        std::string_view name = data.substr(start, end - start);
        while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front())))
            name.remove_prefix(1);
        while (!name.empty() &&
               (std::isspace(static_cast<unsigned char>(name.back())) || name.back() == '\0'))
            name.remove_suffix(1);
        if (!name.empty()) out.emplace_back(name);
        start = end + 1;
    }
    return out;
}

std::string format_variables(const std::vector<Variable>& vars) {
    std::string out;
    for (const auto& v : vars) {
        if (!out.empty()) out += ", ";
        out += v.name + "=" + (v.quoted ? "\"" + v.value + "\"" : v.value);
    }
    return out;
}

} // namespace superd::ntp
