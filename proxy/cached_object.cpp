#include "proxy/cached_object.hpp"

#include "proxy/field_values.hpp"
#include "proxy/http_date.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <sstream>

namespace superd::proxy {
namespace {

constexpr std::string_view marker_field = "X-Superd-Vary-Marker";

// Fields a hit's framing and connection handling replace: never served from the stored copy.
bool is_framing_field(std::string_view name) {
    static constexpr std::array<std::string_view, 7> names = {
        "Content-Length", "Transfer-Encoding", "Connection",
        "Keep-Alive",     "Proxy-Connection",  "Age",
        "Content-Range"};
    for (auto n : names)
        if (iequals(n, name)) return true;
    return false;
}

std::string status_line(unsigned version, unsigned status, std::string_view reason) {
    std::string line = version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    line += std::to_string(status);
    line += ' ';
    line += reason;
    line += "\r\n";
    return line;
}

void add_field(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
}

} // namespace

std::string cache_url(const RequestTarget& target) {
    std::string url = "http://";
    if (target.host.find(':') != std::string::npos)
        url += "[" + target.host + "]";
    else
        url += target.host;
    if (target.port != 80) url += ":" + std::to_string(target.port);
    url += target.path;
    return url;
}

std::optional<std::string> cache_url(std::string_view absolute_uri) {
    auto target = parse_absolute_http(absolute_uri);
    if (!target) return std::nullopt;
    return cache_url(*target);
}

std::string header_block_of(const ResponseHeader& header) {
    std::ostringstream out;
    ResponseHeader copy = header;
    copy.version(11);
    out << copy;
    return out.str();
}

std::optional<ResponseHeader> parse_header_block(std::string_view block) {
    http::response_parser<http::empty_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(block.size() + 1));
    parser.eager(false);
    parser.skip(true); // the block has no body; a Content-Length must not make it wait for one
    boost::system::error_code ec;
    std::size_t used = parser.put(boost::asio::buffer(block.data(), block.size()), ec);
    if (ec || !parser.is_header_done() || used != block.size()) return std::nullopt;
    return ResponseHeader(parser.release().base());
}

std::string vary_marker_block(std::string_view vary) {
    ResponseHeader h;
    h.result(http::status::ok);
    h.version(11);
    h.set(http::field::vary, vary);
    h.set(marker_field, "1");
    return header_block_of(h);
}

bool is_vary_marker(const ResponseHeader& header) {
    return header.find(marker_field) != header.end();
}

std::optional<CachedObject> make_cached_object(std::string key, std::uint16_t status,
                                               std::string_view header_block, EntryTimes times,
                                               std::int64_t stored_time,
                                               std::uint64_t body_length) {
    auto header = parse_header_block(header_block);
    if (!header || header->result_int() != status) return std::nullopt;
    CachedObject object;
    object.key = std::move(key);
    object.header = std::move(*header);
    for (const auto& f : object.header)
        if (!is_framing_field(f.name_string()))
            add_field(object.fields, f.name_string(), f.value());
    object.times = times;
    object.stored_time = stored_time;
    object.body_length = body_length;
    return object;
}

std::string render_hit_head(const CachedObject& object, const HitHead& head) {
    std::string reason = head.status == 200
                             ? std::string("OK")
                             : std::string(http::obsolete_reason(http::int_to_status(head.status)));
    std::string out = status_line(head.version, head.status, reason);
    out.reserve(out.size() + object.fields.size() + 128);
    out += object.fields;
    add_field(out, "Age", std::to_string(head.age));
    if (!head.content_range.empty()) add_field(out, "Content-Range", head.content_range);
    add_field(out, "Content-Length", std::to_string(head.content_length));
    if (head.version == 10 && head.keep_alive)
        add_field(out, "Connection", "keep-alive");
    else if (head.version == 11 && !head.keep_alive)
        add_field(out, "Connection", "close");
    out += "\r\n";
    return out;
}

bool client_copy_current(const RequestHeader& request, const ResponseHeader& stored) {
    if (request.method() != http::verb::get && request.method() != http::verb::head) return false;
    auto inm = field_list(request, "If-None-Match");
    if (request.find(http::field::if_none_match) != request.end()) {
        const auto stored_value = first_value(stored, "ETag");
        const auto stored_tag = stored_value ? parse_entity_tag(*stored_value) : std::nullopt;
        for (auto element : inm) {
            if (element == "*") return true;
            auto tag = parse_entity_tag(element);
            if (tag && stored_tag && weak_match(*tag, *stored_tag)) return true;
        }
        return false;
    }
    const auto ims_value = first_value(request, "If-Modified-Since");
    if (!ims_value) return false;
    const auto ims = parse_http_date(*ims_value);
    if (!ims) return false; // an invalid date is ignored (RFC 9110 13.1.3)
    auto lm_value = first_value(stored, "Last-Modified");
    if (!lm_value) lm_value = first_value(stored, "Date");
    const auto lm = lm_value ? parse_http_date(*lm_value) : std::nullopt;
    return lm && *lm <= *ims;
}

std::string render_not_modified(const CachedObject& object, unsigned version, std::int64_t age,
                                bool keep_alive) {
    static constexpr std::array<std::string_view, 7> kept = {
        "Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary", "Last-Modified"};
    std::string out = status_line(version, 304, "Not Modified");
    for (const auto& f : object.header)
        for (auto name : kept)
            if (iequals(name, f.name_string())) add_field(out, f.name_string(), f.value());
    add_field(out, "Age", std::to_string(age));
    if (version == 10 && keep_alive)
        add_field(out, "Connection", "keep-alive");
    else if (version == 11 && !keep_alive)
        add_field(out, "Connection", "close");
    out += "\r\n";
    return out;
}

} // namespace superd::proxy
