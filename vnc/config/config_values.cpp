#include "vnc/config/config_values.hpp"

#include "vnc/config/config.hpp"

#include <charconv>

namespace superd::vnc::detail {

namespace {

std::optional<long long> decimal(std::string_view text) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || text.front() == '-' || text.front() == '+' || ec != std::errc{} ||
        end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

} // namespace

std::string quote(std::string_view text) {
    return "'" + std::string(text) + "'";
}

std::expected<long long, std::string> parse_integer(std::string_view key, std::string_view text,
                                                    long long lo, long long hi) {
    auto value = decimal(text);
    if (!value) return std::unexpected("invalid number " + quote(text) + " for " + quote(key));
    if (*value < lo || *value > hi)
        return std::unexpected(std::string(key) + " " + std::string(text) + " is out of range (" +
                               std::to_string(lo) + ".." + std::to_string(hi) + ")");
    return *value;
}

std::expected<Geometry, std::string> parse_geometry(std::string_view text) {
    std::size_t x = text.find_first_of("xX");
    auto columns = x == std::string_view::npos ? std::nullopt : decimal(text.substr(0, x));
    auto rows = x == std::string_view::npos ? std::nullopt : decimal(text.substr(x + 1));
    if (!columns || !rows)
        return std::unexpected("invalid geometry " + quote(text) + ": expected COLUMNSxROWS, " +
                               "e.g. 80x25");
    if (*columns < min_columns || *columns > max_columns || *rows < min_rows || *rows > max_rows)
        return std::unexpected("geometry " + std::string(text) + " is out of range (" +
                               std::to_string(min_columns) + "x" + std::to_string(min_rows) + ".." +
                               std::to_string(max_columns) + "x" + std::to_string(max_rows) + ")");
    return Geometry{static_cast<int>(*columns), static_cast<int>(*rows)};
}

std::expected<bool, std::string> parse_yes_no(std::string_view key, std::string_view text) {
    std::string word = lower(text);
    if (word == "yes" || word == "true" || word == "on" || word == "1") return true;
    if (word == "no" || word == "false" || word == "off" || word == "0") return false;
    return std::unexpected(quote(key) + " is yes or no, not " + quote(text));
}

std::expected<std::uint64_t, std::string> parse_size(std::string_view key, std::string_view text,
                                                     std::uint64_t hi) {
    std::size_t digits = text.find_first_not_of("0123456789");
    std::string unit = lower(text.substr(digits == std::string_view::npos ? text.size() : digits));
    std::uint64_t scale = 0;
    if (unit.empty())
        scale = 1;
    else if (unit == "k" || unit == "kib")
        scale = 1024;
    else if (unit == "m" || unit == "mib")
        scale = 1024 * 1024;
    auto value = decimal(text.substr(0, digits));
    if (!value || scale == 0)
        return std::unexpected("invalid size " + quote(text) + " for " + quote(key) +
                               ": expected bytes, or a number with K or M");
    // value is at most LLONG_MAX; dividing instead of multiplying cannot overflow.
    if (static_cast<std::uint64_t>(*value) > hi / scale)
        return std::unexpected(std::string(key) + " " + std::string(text) + " is more than " +
                               std::to_string(hi) + " bytes");
    return static_cast<std::uint64_t>(*value) * scale;
}

std::expected<ListenValue, std::string> parse_listen(std::string_view text) {
    auto invalid = [&] {
        return std::unexpected("invalid listen address " + quote(text) +
                               ": expected ADDR or ADDR:PORT with a numeric address");
    };
    std::string_view address = text;
    std::optional<std::string_view> port;
    if (text.starts_with('[')) {
        std::size_t close = text.find(']');
        if (close == std::string_view::npos) return invalid();
        address = text.substr(1, close - 1);
        std::string_view after = text.substr(close + 1);
        if (!after.empty()) {
            if (!after.starts_with(':')) return invalid();
            port = after.substr(1);
        }
    } else if (std::size_t colon = text.find(':');
               colon != std::string_view::npos &&
               text.find(':', colon + 1) == std::string_view::npos) {
        address = text.substr(0, colon); // one colon: IPv4:PORT; more: a bare IPv6 address
        port = text.substr(colon + 1);
    }
    auto ip = common::IpAddress::parse(address);
    if (!ip) return invalid();
    ListenValue out{*ip, std::nullopt};
    if (port) {
        auto number = parse_integer("listen port", *port, 1, 65535);
        if (!number) return std::unexpected(number.error());
        out.port = static_cast<std::uint16_t>(*number);
    }
    return out;
}

std::string relative_to_file(const std::string& file, std::string_view path) {
    if (path.empty() || path.front() == '/') return std::string(path);
    std::size_t slash = file.rfind('/');
    return slash == std::string::npos ? std::string(path)
                                      : file.substr(0, slash + 1) + std::string(path);
}

} // namespace superd::vnc::detail
