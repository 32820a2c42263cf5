#include "proxy/pac.hpp"

#include "proxy/forward_headers.hpp"

#include <array>

namespace superd::proxy {
namespace {

constexpr std::array<std::string_view, 2> pac_paths = {"/wpad.dat", "/proxy.pac"};

bool is_pac_path(std::string_view path) {
    path = path.substr(0, path.find_first_of("?#"));
    for (auto p : pac_paths)
        if (path == p) return true;
    return false;
}

// How a client names this proxy in a URL: IPv6 addresses in brackets.
std::string self_authority(const ManagerSelf& self) {
    RequestTarget t;
    t.host = self.local_address;
    t.port = self.local_port;
    return t.authority();
}

bool names_self(const RequestTarget& t, const ManagerSelf& self) {
    if (t.port != self.local_port) return false;
    return t.host == self.local_address ||
           (!self.visible_hostname.empty() && t.host == self.visible_hostname);
}

} // namespace

std::optional<PacRequest> pac_request(std::string_view target, const ManagerSelf& self) {
    if (self.local_address.empty()) return std::nullopt;
    if (target.starts_with('/')) {
        if (!is_pac_path(target)) return std::nullopt;
        RequestTarget t;
        t.host = self.local_address;
        t.port = self.local_port;
        t.path = std::string(target);
        std::string url = "http://" + t.authority() + t.path;
        return PacRequest{std::move(t), std::move(url)};
    }
    if (auto t = parse_absolute_http(target); t && is_pac_path(t->path) && names_self(*t, self))
        return PacRequest{*t, std::string(target)};
    return std::nullopt;
}

std::string pac_script(const ManagerSelf& self) {
    return "// superd-proxy: the proxy auto-config for this lab\n"
           "function FindProxyForURL(url, host) {\n"
           "    if (isPlainHostName(host) || host == \"localhost\" ||\n"
           "        shExpMatch(host, \"127.*\") || host == \"[::1]\" || host == \"::1\")\n"
           "        return \"DIRECT\";\n"
           "    return \"PROXY " +
           self_authority(self) +
           "; DIRECT\";\n"
           "}\n";
}

http::response<http::string_body> pac_response(http::verb method, const ManagerSelf& self) {
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::server, product);
    if (method != http::verb::get && method != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
        res.set(http::field::content_type, "text/plain");
        res.body() = "The proxy auto-config file answers GET and HEAD only.\n";
        res.prepare_payload();
        return res;
    }
    res.set(http::field::content_type, "application/x-ns-proxy-autoconfig");
    res.set(http::field::cache_control, "max-age=300");
    res.body() = pac_script(self);
    res.prepare_payload();
    if (method == http::verb::head) keep_only_head(res);
    return res;
}

} // namespace superd::proxy
