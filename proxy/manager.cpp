#include "proxy/manager.hpp"

#include "proxy/forward_headers.hpp"
#include "proxy/http_date.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace superd::proxy {
namespace {

constexpr std::string_view internal_prefix = "/squid-internal-mgr/";

std::string lower(std::string_view s) {
    std::string out(s);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

// The action in `rest` (what follows the prefix): up to a password, query or fragment.
std::string page_of(std::string_view rest) {
    std::string page(rest.substr(0, rest.find_first_of("@?#")));
    return page.empty() ? "menu" : page;
}

bool is_loopback(const std::string& address) {
    return address.starts_with("127.") || address == "::1";
}

// `host`:`port` names this proxy.
bool is_self(const RequestTarget& t, const ManagerSelf& self) {
    if (t.port != self.local_port) return false;
    return (!self.visible_hostname.empty() && t.host == lower(self.visible_hostname)) ||
           (!self.local_address.empty() && t.host == lower(self.local_address)) ||
           (t.host == "localhost" && is_loopback(self.local_address));
}

std::uint64_t get(const ManagerSnapshot& s, const std::string& name) {
    auto it = s.counters.find(name);
    return it == s.counters.end() ? 0 : it->second;
}

// Answers sent with status 400..599.
std::uint64_t errors(const ManagerSnapshot& s) {
    std::uint64_t n = 0;
    for (const auto& [name, value] : s.counters)
        if (name.size() == 10 && name.starts_with("status_") && (name[7] == '4' || name[7] == '5'))
            n += value;
    return n;
}

// squid's Math::doublePercent: 0 when there is nothing to divide by.
double percent(double part, double whole) {
    return whole == 0 ? 0.0 : 100.0 * part / whole;
}

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string_view version() {
    return product.substr(product.find('/') + 1);
}

std::string menu_page() {
    std::string out;
    for (const auto& [name, description] : manager_pages())
        out += fmt::format(" {:<22}\t{:<32}\t{}\n", name, description, "public");
    return out;
}

// squid 5's mgr:info (DumpInfo in squid's src/stat.cc), the parts superd-proxy has. The hit
// ratios are since start: both of squid's windows (5min, 60min) show that one figure.
std::string info_page(const ManagerSnapshot& s) {
    const double uptime =
        std::max(0.0, std::chrono::duration<double>(s.now - s.started).count()); // seconds
    const std::uint64_t requests = get(s, "requests");
    const std::uint64_t hits = get(s, "cache_hits");
    const std::uint64_t mem_hits = std::min(get(s, "mem_hits"), hits);
    const ManagerSnapshot::Cache none{0, 0, 0};
    const auto& disk = s.disk ? *s.disk : none;
    const auto& mem = s.memory ? *s.memory : none;
    auto ratio = [](const char* label, double value) {
        return fmt::format("\t{}:\t5min: {:3.1f}%, 60min: {:3.1f}%\n", label, value, value);
    };
    auto capacity = [](const char* label, const ManagerSnapshot::Cache& c) {
        double free = c.capacity_bytes > c.bytes ? double(c.capacity_bytes - c.bytes) : 0.0;
        return fmt::format("\t{}:\t{:4.1f}% used, {:4.1f}% free\n", label,
                           percent(double(c.bytes), double(c.capacity_bytes)),
                           percent(free, double(c.capacity_bytes)));
    };

    std::string out;
    out += fmt::format("superd-proxy Object Cache: Version {}\n", version());
    out += fmt::format("Start Time:\t{}\n", format_http_date(unix_seconds(s.started)));
    out += fmt::format("Current Time:\t{}\n", format_http_date(unix_seconds(s.now)));
    out += "Connection information for squid:\n";
    out += fmt::format("\tNumber of clients accessing cache:\t{}\n", s.active_clients);
    out += fmt::format("\tNumber of HTTP requests received:\t{}\n", requests);
    out += "\tNumber of ICP messages received:\t0\n";
    out += "\tNumber of ICP messages sent:\t0\n";
    out += "\tNumber of queued ICP replies:\t0\n";
    out += "\tNumber of HTCP messages received:\t0\n";
    out += "\tNumber of HTCP messages sent:\t0\n";
    out += fmt::format("\tRequest failure ratio:\t{:5.2f}\n",
                       requests == 0 ? 0.0 : double(errors(s)) / double(requests));
    out += fmt::format("\tAverage HTTP requests per minute since start:\t{:.1f}\n",
                       uptime > 0 ? double(requests) / (uptime / 60.0) : 0.0);
    out += "\tAverage ICP messages per minute since start:\t0.0\n";
    out += "Cache information for squid:\n";
    out += ratio("Hits as % of all requests", percent(double(hits), double(requests)));
    out += ratio("Hits as % of bytes sent",
                 percent(double(get(s, "bytes_from_cache")), double(get(s, "bytes_to_clients"))));
    out += ratio("Memory hits as % of hit requests", percent(double(mem_hits), double(hits)));
    out += ratio("Disk hits as % of hit requests", percent(double(hits - mem_hits), double(hits)));
    out += fmt::format("\tStorage Swap size:\t{} KB\n", disk.bytes / 1024);
    out += capacity("Storage Swap capacity", disk);
    out += fmt::format("\tStorage Mem size:\t{} KB\n", mem.bytes / 1024);
    out += capacity("Storage Mem capacity", mem);
    out += fmt::format("\tMean Object Size:\t{:0.2f} KB\n",
                       disk.objects == 0 ? 0.0 : double(disk.bytes) / double(disk.objects) / 1024);
    out += "Resource usage for squid:\n";
    out += fmt::format("\tUP Time:\t{:.3f} seconds\n", uptime);
    out += "Internal Data Structures:\n";
    out += fmt::format("\t{:6} StoreEntries\n", disk.objects + mem.objects);
    out += fmt::format("\t{:6} StoreEntries with MemObjects\n", mem.objects);
    out += fmt::format("\t{:6} Hot Object Cache Items\n", mem.objects);
    out += fmt::format("\t{:6} on-disk objects\n", disk.objects);
    return out;
}

// squid 5's mgr:counters (`name = value`, src/stat.cc), the counters superd-proxy keeps; squid's
// ICP and FTP lines are 0 (there is neither). Then every counter of the proxy as
// `superd.NAME = value`.
std::string counters_page(const ManagerSnapshot& s) {
    using namespace std::chrono;
    const auto since_epoch = s.now.time_since_epoch();
    const auto sec = duration_cast<seconds>(since_epoch);
    const auto usec = duration_cast<microseconds>(since_epoch - sec);
    const std::uint64_t server = get(s, "server_requests");
    const std::uint64_t tunnels = std::min(get(s, "tunnels"), server);
    std::string out;
    auto line = [&](std::string_view name, std::uint64_t value) {
        out += fmt::format("{} = {}\n", name, value);
    };
    out += fmt::format("sample_time = {}.{} ({})\n", sec.count(), usec.count(),
                       format_http_date(sec.count()));
    line("client_http.requests", get(s, "requests"));
    line("client_http.hits", get(s, "cache_hits"));
    line("client_http.errors", errors(s));
    line("client_http.kbytes_out", get(s, "bytes_to_clients") / 1024);
    line("client_http.hit_kbytes_out", get(s, "bytes_from_cache") / 1024);
    line("server.all.requests", server);
    line("server.http.requests", server - tunnels);
    line("server.ftp.requests", 0);
    line("server.other.requests", tunnels);
    for (const char* icp : {"icp.pkts_sent", "icp.pkts_recv", "icp.queries_sent",
                            "icp.replies_sent", "icp.queries_recv", "icp.replies_recv"})
        line(icp, 0);
    line("aborted_requests", get(s, "aborted"));
    for (const auto& [name, value] : s.counters)
        line("superd." + name, value);
    return out;
}

http::response<http::string_body> text_response(http::status status, const ManagerSnapshot& s,
                                                std::string body) {
    http::response<http::string_body> res{status, 11};
    const std::string now = format_http_date(unix_seconds(s.now));
    res.set(http::field::server, product);
    res.set("Mime-Version", "1.0");
    res.set(http::field::date, now);
    res.set(http::field::content_type, "text/plain;charset=utf-8");
    res.set(http::field::expires, now);
    res.set(http::field::last_modified, now);
    res.body() = std::move(body);
    return res;
}

} // namespace

const std::vector<std::pair<std::string, std::string>>& manager_pages() {
    static const std::vector<std::pair<std::string, std::string>> pages = {
        {"menu", "Cache Manager Menu"},
        {"info", "General Runtime Information"},
        {"counters", "Traffic and Resource Counters"},
    };
    return pages;
}

void keep_only_head(http::response<http::string_body>& res) {
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
}

std::optional<ManagerRequest> manager_request(std::string_view target, const ManagerSelf& self) {
    if (auto t = parse_cache_object(target))
        return ManagerRequest{page_of(std::string_view(t->path).substr(1)), *t, "cache_object",
                              std::string(target)};
    if (target.starts_with(internal_prefix)) {
        // squid makes such a request absolute with its own name and port (internalLocalUri).
        RequestTarget t;
        t.host = lower(self.visible_hostname.empty() ? self.local_address : self.visible_hostname);
        t.port = self.local_port;
        t.path = std::string(target.substr(0, target.find('#')));
        std::string url = "http://" + t.authority() + t.path;
        return ManagerRequest{page_of(target.substr(internal_prefix.size())), std::move(t), "http",
                              std::move(url)};
    }
    if (auto t = parse_absolute_http(target);
        t && t->path.starts_with(internal_prefix) && is_self(*t, self))
        return ManagerRequest{page_of(std::string_view(t->path).substr(internal_prefix.size())), *t,
                              "http", std::string(target)};
    return std::nullopt;
}

http::response<http::string_body> manager_response(const std::string& page, http::verb method,
                                                   const ManagerSnapshot& s) {
    if (method != http::verb::get && method != http::verb::head) {
        auto res = text_response(http::status::method_not_allowed, s,
                                 "The cache manager answers GET and HEAD only.\n");
        res.set(http::field::allow, "GET, HEAD");
        res.prepare_payload();
        return res;
    }
    std::string body;
    http::status status = http::status::ok;
    if (page == "menu")
        body = menu_page();
    else if (page == "info")
        body = info_page(s);
    else if (page == "counters")
        body = counters_page(s);
    else {
        status = http::status::not_found;
        body = "Unknown cache manager page '" + page + "'. The pages are:\n" + menu_page();
    }
    auto res = text_response(status, s, std::move(body));
    if (status == http::status::not_found) res.set("X-Squid-Error", "ERR_INVALID_URL");
    res.prepare_payload();
    if (method == http::verb::head) keep_only_head(res);
    return res;
}

std::optional<http::response<http::string_body>> manager_answer(std::string_view target,
                                                                http::verb method,
                                                                const ManagerSelf& self,
                                                                const ManagerSnapshot& s) {
    auto request = manager_request(target, self);
    if (!request) return std::nullopt;
    return manager_response(request->page, method, s);
}

} // namespace superd::proxy
