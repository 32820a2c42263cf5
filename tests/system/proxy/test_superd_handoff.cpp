// superd-proxy started by superd. wait = yes: superd holds a TCP port on 127.0.0.1, starts the
// module on the first connection and hands it the listening socket on fd 0; the module serves
// it, exits when idle, and the next request starts it again. wait = no: superd accepts each
// connection and starts one module per client with the connected socket on fd 0; the module
// serves that connection's requests and exits when the client closes it.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>

#include <future>
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

TEST(ProxyUnderSuperd, WaitNoServesEachConnectionInAProcessOfItsOwn) {
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
    for (const char* f : {"proxy.log", "access.log"}) {
        write_file(dir.file(f), "");
        ::chmod(dir.file(f).c_str(), 0666);
    }
    ::chmod(dir.path().c_str(), 0755);
    ::chmod(dir.file("squid.conf").c_str(), 0644);
    std::string service = service_block(
        "proxy",
        {"type = UNLISTED", "socket_type = stream", "protocol = tcp", "wait = no", "flags = IPv4",
         "port = " + std::to_string(port), "user = nobody", "server = " + proxy_binary(),
         "server_args = -f " + dir.file("squid.conf") + " --log-file " + dir.file("proxy.log")});
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), service));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    auto services = [&] { return read_file(dir.file("services.log")); };
    auto diagnostics = [&] {
        return "\nservices:\n" + services() + "proxy.log:\n" + read_file(dir.file("proxy.log")) +
               "access.log:\n" + read_file(dir.file("access.log")) + "superd:\n" + superd.log();
    };
    const std::string hello = "http://127.0.0.1:" + std::to_string(origin_port) + "/hello";
    auto get = [&] {
        return run_command(clean_env({"curl", "-sS", "--max-time", "10", "-x",
                                      "http://127.0.0.1:" + std::to_string(port), hello}),
                           {}, 20s)
            .out;
    };
    // Every module started has exited, with status 0.
    auto all_exited = [&](int started) {
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (count_of(services(), "EXIT: proxy") < started &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(50ms);
        return count_of(services(), "EXIT: proxy") == started &&
               count_of(services(), "EXIT: proxy status=0 ") == started;
    };

    // Two requests one after the other: two connections, two processes, each gone afterwards.
    EXPECT_EQ(get(), "hello world\n") << diagnostics();
    EXPECT_EQ(get(), "hello world\n") << diagnostics();
    EXPECT_EQ(count_of(services(), "START: proxy"), 2) << diagnostics();
    EXPECT_TRUE(all_exited(2)) << diagnostics();

    // Two at the same time.
    auto a = std::async(std::launch::async, get);
    auto b = std::async(std::launch::async, get);
    EXPECT_EQ(a.get(), "hello world\n") << diagnostics();
    EXPECT_EQ(b.get(), "hello world\n") << diagnostics();
    EXPECT_EQ(count_of(services(), "START: proxy"), 4) << diagnostics();
    EXPECT_TRUE(all_exited(4)) << diagnostics();

    // A persistent connection keeps its process while another client is served by another
    // one; its second request is answered by the same process, which leaves when it closes.
    const std::string request =
        "GET " + hello + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(origin_port) + "\r\n\r\n";
    TcpClient kept(port);
    ASSERT_TRUE(kept.connected());
    ASSERT_TRUE(kept.send(request));
    std::string first = kept.read_line(5s);
    EXPECT_EQ(first.rfind("HTTP/1.1 200", 0), 0u) << first << diagnostics();
    EXPECT_EQ(get(), "hello world\n") << diagnostics();
    EXPECT_TRUE(all_exited(5)) << diagnostics(); // curl's; the kept one's is still running
    EXPECT_EQ(count_of(services(), "START: proxy"), 6) << diagnostics();
    ASSERT_TRUE(kept.send(request));
    std::string rest;
    for (int i = 0; i < 20 && count_of(rest, "hello world\n") < 2; ++i)
        rest += kept.read_line(5s);
    EXPECT_EQ(count_of(rest, "hello world\n"), 2) << rest << diagnostics();
    EXPECT_EQ(count_of(rest, "HTTP/1.1 200"), 1) << rest << diagnostics();
    EXPECT_EQ(count_of(services(), "START: proxy"), 6) << diagnostics();
    kept.shutdown_write();
    EXPECT_TRUE(kept.closed_by_peer(5s)) << diagnostics();
    EXPECT_TRUE(all_exited(6)) << diagnostics();
    EXPECT_EQ(count_of(read_file(dir.file("access.log")), "TCP_MISS/200"), 7) << diagnostics();
    EXPECT_NE(read_file(dir.file("proxy.log")).find("the connection handed over by superd"),
              std::string::npos)
        << diagnostics();
}

} // namespace
} // namespace superd::system_test
