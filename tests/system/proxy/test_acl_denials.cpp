// Denial by each ACL type, seen from curl: every type squid.conf's http_access can name here
// (src, srcdomain, dst, dstdomain, dstdom_regex, port, method, proto, time, url_regex) turns a
// request away with 403 and TCP_DENIED, and a request none of them matches is served.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace superd::system_test {
namespace {

TEST(ProxyAclDenials, EachAclTypeDenies) {
    TempDir dir;
    Child origin, proxy;
    int origin_port = free_port(SOCK_STREAM), other_port = free_port(SOCK_STREAM);
    int port = free_port(SOCK_STREAM);
    ASSERT_TRUE(
        start_origin(origin, dir, origin_port, free_port(SOCK_STREAM), free_port(SOCK_STREAM)));
    write_file(dir.file("squid.conf"), "acl localnet src 127.0.0.0/8\n"
                                       "acl by_src src 127.0.0.1\n"
                                       "acl src_path url_regex /src-denied$\n"
                                       "acl by_srcdomain srcdomain localhost\n"
                                       "acl srcdomain_path url_regex /srcdomain-denied$\n"
                                       "acl by_dst dst 127.0.0.2\n"
                                       "acl by_dstdomain dstdomain .blocked.test\n"
                                       "acl by_dstdom_regex dstdom_regex ^evil\\.\n"
                                       "acl by_port port " +
                                           std::to_string(other_port) +
                                           "\n"
                                           "acl by_method method DELETE\n"
                                           "acl by_proto proto HTTP\n"
                                           "acl proto_path url_regex /proto-denied$\n"
                                           "acl by_time time SMTWHFA 00:00-23:59\n"
                                           "acl time_path url_regex /time-denied$\n"
                                           "acl by_url url_regex -i /URL-DENIED$\n"
                                           "http_access deny by_src src_path\n"
                                           "http_access deny by_srcdomain srcdomain_path\n"
                                           "http_access deny by_dst\n"
                                           "http_access deny by_dstdomain\n"
                                           "http_access deny by_dstdom_regex\n"
                                           "http_access deny by_port\n"
                                           "http_access deny by_method\n"
                                           "http_access deny by_proto proto_path\n"
                                           "http_access deny by_time time_path\n"
                                           "http_access deny by_url\n"
                                           "http_access allow localnet\n"
                                           "http_access deny all\n"
                                           "access_log stdio:" +
                                           dir.file("access.log") + " squid\n");
    ASSERT_TRUE(
        proxy.start({proxy_binary(), "-N", "-f", dir.file("squid.conf"), "--listen",
                     "127.0.0.1:" + std::to_string(port), "--log-file", dir.file("proxy.log")},
                    dir.file("proxy.out")));
    ASSERT_TRUE(wait_for_port(port)) << read_file(dir.file("proxy.out"));
    auto status = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {
            "curl", "-sS", "-o",           "/dev/null", "--max-time",
            "10",   "-w",  "%{http_code}", "-x",        "http://127.0.0.1:" + std::to_string(port)};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(clean_env(argv), {}, 20s).out;
    };
    const std::string o = "http://127.0.0.1:" + std::to_string(origin_port);
    EXPECT_EQ(status({o + "/hello"}), "200") << read_file(dir.file("proxy.log"));
    EXPECT_EQ(status({o + "/src-denied"}), "403") << "src";
    EXPECT_EQ(status({o + "/srcdomain-denied"}), "403") << "srcdomain (127.0.0.1 is localhost)";
    EXPECT_EQ(status({"http://127.0.0.2:" + std::to_string(origin_port) + "/hello"}), "403")
        << "dst";
    EXPECT_EQ(status({"http://www.blocked.test/"}), "403") << "dstdomain";
    EXPECT_EQ(status({"http://evil.example.test/"}), "403") << "dstdom_regex";
    EXPECT_EQ(status({"http://127.0.0.1:" + std::to_string(other_port) + "/"}), "403") << "port";
    EXPECT_EQ(status({"-X", "DELETE", o + "/hello"}), "403") << "method";
    EXPECT_EQ(status({o + "/proto-denied"}), "403") << "proto";
    EXPECT_EQ(status({o + "/time-denied"}), "403") << "time";
    EXPECT_EQ(status({o + "/url-denied"}), "403") << "url_regex -i";
    // Denials are logged as squid logs them (a line is written as its exchange ends).
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (count_of(read_file(dir.file("access.log")), "TCP_DENIED/403") < 10 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(count_of(read_file(dir.file("access.log")), "TCP_DENIED/403"), 10)
        << read_file(dir.file("access.log"));
}

} // namespace
} // namespace superd::system_test
