// superd-proxy started by superd: superd holds a TCP port on 127.0.0.1 (stream, wait = yes),
// starts the module on the first connection and hands it the listening socket on fd 0; the
// module serves it, exits when idle, and the next request starts it again.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>

#include <thread>

namespace superd::system_test {
namespace {

TEST(ProxyUnderSuperd, ServesTheHandedOverListenerAndComesBackAfterIdle) {
    TempDir dir;
    Child origin;
    int origin_port = free_port(SOCK_STREAM);
    ASSERT_TRUE(
        start_origin(origin, dir, origin_port, free_port(SOCK_STREAM), free_port(SOCK_STREAM)))
        << read_file(dir.file("origin.log"));
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("squid.conf"), "acl localnet src 127.0.0.0/8\n"
                                       "http_access allow localnet\n"
                                       "http_access deny all\n"
                                       "visible_hostname superd-proxy-test\n"
                                       "access_log stdio:" +
                                           dir.file("access.log") + "\n");
    // The module runs as nobody: its files must be readable / writable for it.
    for (const char* f : {"proxy.log", "access.log"}) {
        write_file(dir.file(f), "");
        ::chmod(dir.file(f).c_str(), 0666);
    }
    ::chmod(dir.path().c_str(), 0755);
    ::chmod(dir.file("squid.conf").c_str(), 0644);
    std::string service =
        service_block("proxy", {"type = UNLISTED", "socket_type = stream", "protocol = tcp",
                                "wait = yes", "flags = IPv4", "port = " + std::to_string(port),
                                "user = nobody", "server = " + proxy_binary(),
                                "server_args = -f " + dir.file("squid.conf") +
                                    " --idle-timeout 1 --log-file " + dir.file("proxy.log")});
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), service));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    auto services = [&] { return read_file(dir.file("services.log")); };
    auto diagnostics = [&] {
        return "\nservices:\n" + services() + "proxy.log:\n" + read_file(dir.file("proxy.log")) +
               "access.log:\n" + read_file(dir.file("access.log"));
    };
    auto get = [&] {
        auto r =
            run_command(clean_env({"curl", "-sS", "--max-time", "10", "-x",
                                   "http://127.0.0.1:" + std::to_string(port),
                                   "http://127.0.0.1:" + std::to_string(origin_port) + "/hello"}),
                        {}, 20s);
        return r.out;
    };

    EXPECT_EQ(get(), "hello world\n") << diagnostics();
    EXPECT_EQ(count_of(services(), "START: proxy"), 1) << diagnostics();
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (count_of(services(), "EXIT: proxy") < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    ASSERT_EQ(count_of(services(), "EXIT: proxy"), 1) << diagnostics();
    EXPECT_EQ(get(), "hello world\n") << diagnostics();
    EXPECT_EQ(count_of(services(), "START: proxy"), 2) << diagnostics();
    // The line is written when the exchange has ended, which may be a moment after curl exits.
    deadline = std::chrono::steady_clock::now() + 10s;
    while (count_of(read_file(dir.file("access.log")), "TCP_MISS/200") < 2 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(count_of(read_file(dir.file("access.log")), "TCP_MISS/200"), 2) << diagnostics();
    EXPECT_NE(read_file(dir.file("proxy.log")).find("handed over by superd"), std::string::npos)
        << diagnostics();
    // The module leaves on its own (idle): nothing of it outlives the test.
    deadline = std::chrono::steady_clock::now() + 15s;
    while (count_of(services(), "EXIT: proxy") < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_EQ(count_of(services(), "EXIT: proxy"), 2) << diagnostics();
}

} // namespace
} // namespace superd::system_test
