// What superd-proxy listens on when run standalone: `http_port PORT` without an address is every
// address, IPv4 and IPv6, as in squid (one dual-stack [::] socket). The test binds that wildcard
// only for a moment, on a free high port, and connects over loopback only.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>

namespace superd::system_test {
namespace {

// Whether this machine has an IPv6 loopback to connect to.
bool have_ipv6_loopback() {
    int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    ::close(fd);
    return ok;
}

TEST(ProxyListen, HttpPortWithoutAnAddressAnswersOnIpv4AndIpv6Loopback) {
    TempDir dir;
    Child origin, proxy;
    int origin_port = free_port(SOCK_STREAM);
    ASSERT_TRUE(
        start_origin(origin, dir, origin_port, free_port(SOCK_STREAM), free_port(SOCK_STREAM)))
        << read_file(dir.file("origin.log"));
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("squid.conf"), "http_port " + std::to_string(port) +
                                           "\n"
                                           "acl localnet src 127.0.0.0/8\n"
                                           "acl localhost6 src ::1\n"
                                           "http_access allow localnet\n"
                                           "http_access allow localhost6\n"
                                           "http_access deny all\n"
                                           "access_log stdio:" +
                                           dir.file("access.log") + " squid\n");
    // No --listen: the http_port line is what it listens on.
    ASSERT_TRUE(proxy.start(
        {proxy_binary(), "-N", "-f", dir.file("squid.conf"), "--log-file", dir.file("proxy.log")},
        dir.file("proxy.out")));
    ASSERT_TRUE(wait_for_port(port))
        << read_file(dir.file("proxy.out")) << read_file(dir.file("proxy.log"));
    auto diagnostics = [&] {
        return "\naccess.log:\n" + read_file(dir.file("access.log")) + "proxy.log:\n" +
               read_file(dir.file("proxy.log")) + "proxy.out:\n" + read_file(dir.file("proxy.out"));
    };
    const std::string hello = "http://127.0.0.1:" + std::to_string(origin_port) + "/hello";
    auto get_via = [&](const std::string& proxy_host) {
        return run_command(clean_env({"curl", "-sS", "--max-time", "10", "-x",
                                      "http://" + proxy_host + ":" + std::to_string(port), hello}),
                           {}, 20s)
            .out;
    };

    EXPECT_EQ(get_via("127.0.0.1"), "hello world\n") << diagnostics();
    // A v4 client of the dual-stack socket is logged (and matched by `src`) as IPv4.
    EXPECT_TRUE(file_shows(dir.file("access.log"), " 127.0.0.1 TCP_MISS/200 ")) << diagnostics();

    if (!have_ipv6_loopback()) GTEST_SKIP() << "no ::1 on this machine: the IPv6 half is not run";
    EXPECT_EQ(get_via("[::1]"), "hello world\n") << diagnostics();
    EXPECT_TRUE(file_shows(dir.file("access.log"), " ::1 TCP_MISS/200 ")) << diagnostics();
}

} // namespace
} // namespace superd::system_test
