// superd-proxy's limits, driven by curl against the local origin: `request_header_max_size`
// (431), `request_body_max_size` (413), each with its access-log line, and a client that stalls
// in the middle of its request line while another client is served.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace superd::system_test {
namespace {

class ProxyLimits : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        env_ = new Env;
        Env& e = *env_;
        e.origin_port = free_port(SOCK_STREAM);
        e.proxy_port = free_port(SOCK_STREAM);
        ASSERT_TRUE(start_origin(e.origin, e.dir, e.origin_port, free_port(SOCK_STREAM),
                                 free_port(SOCK_STREAM)))
            << read_file(e.dir.file("origin.log"));
        write_file(e.dir.file("squid.conf"), "acl localnet src 127.0.0.0/8\n"
                                             "http_access allow localnet\n"
                                             "http_access deny all\n"
                                             "visible_hostname test-proxy\n"
                                             "request_header_max_size 4 KB\n"
                                             "request_body_max_size 1 KB\n"
                                             "access_log stdio:" +
                                                 e.dir.file("access.log") + " squid\n");
        ASSERT_TRUE(e.proxy.start({proxy_binary(), "-N", "-f", e.dir.file("squid.conf"), "--listen",
                                   "127.0.0.1:" + std::to_string(e.proxy_port), "--log-file",
                                   e.dir.file("proxy.log")},
                                  e.dir.file("proxy.out")));
        ASSERT_TRUE(wait_for_port(e.proxy_port))
            << read_file(e.dir.file("proxy.out")) << read_file(e.dir.file("proxy.log"));
    }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }

    struct Env {
        TempDir dir;
        Child origin, proxy;
        int origin_port = 0, proxy_port = 0;
    };
    static Env* env_;

    static std::string origin(const std::string& path) {
        return "http://127.0.0.1:" + std::to_string(env_->origin_port) + path;
    }
    // curl through the proxy; `-w` prints the status on the last line.
    static CommandResult curl(std::vector<std::string> args) {
        std::vector<std::string> argv = {
            "curl",       "-sS",
            "--max-time", "20",
            "-x",         "http://127.0.0.1:" + std::to_string(env_->proxy_port),
            "-w",         "\n%{http_code}"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(clean_env(argv), {}, 30s);
    }
    static std::string status_of(const CommandResult& r) {
        return r.out.substr(r.out.rfind('\n') + 1);
    }
    static std::string body_of(const CommandResult& r) {
        return r.out.substr(0, r.out.rfind('\n'));
    }
    static bool log_shows(const std::string& text) {
        return file_shows(env_->dir.file("access.log"), text);
    }
    static std::string diagnostics() {
        return "\naccess.log:\n" + read_file(env_->dir.file("access.log")) + "proxy.log:\n" +
               read_file(env_->dir.file("proxy.log"));
    }
};
ProxyLimits::Env* ProxyLimits::env_ = nullptr;

TEST_F(ProxyLimits, AHeaderOverRequestHeaderMaxSizeIs431) {
    // Under the 4 KB limit: forwarded.
    auto small = curl({"-H", "X-Padding: " + std::string(1024, 'a'), origin("/hello")});
    EXPECT_EQ(status_of(small), "200") << small.out << diagnostics();

    auto big = curl({"-H", "X-Padding: " + std::string(10 * 1024, 'a'), origin("/hello")});
    EXPECT_EQ(status_of(big), "431") << big.out << diagnostics();
    // The header was refused whole: no method or URL in the line.
    EXPECT_TRUE(log_shows(" 127.0.0.1 TAG_NONE/431 ")) << diagnostics();
    // The proxy goes on serving.
    EXPECT_EQ(status_of(curl({origin("/hello")})), "200") << diagnostics();
}

TEST_F(ProxyLimits, ABodyOverRequestBodyMaxSizeIs413) {
    // Under the 1 KB limit: forwarded and echoed.
    auto small = curl({"--data-binary", std::string(512, 's'), origin("/echo")});
    EXPECT_EQ(status_of(small), "200") << small.out << diagnostics();
    EXPECT_EQ(body_of(small), std::string(512, 's'));

    // 10 KB with a Content-Length: refused at the header, before the origin is asked.
    write_file(env_->dir.file("post.bin"), std::string(10 * 1024, 'p'));
    const std::string at = "@" + env_->dir.file("post.bin");
    auto big = curl({"--data-binary", at, origin("/echo")});
    EXPECT_EQ(status_of(big), "413") << big.out << diagnostics();
    EXPECT_TRUE(log_shows(" 127.0.0.1 TAG_NONE/413 ")) << diagnostics();

    // Chunked, so the size shows only as it streams: 413 too, logged with the request.
    auto chunked = curl({"-H", "Transfer-Encoding: chunked", "--data-binary", at, origin("/echo")});
    EXPECT_EQ(status_of(chunked), "413") << chunked.out << diagnostics();
    EXPECT_TRUE(log_shows(" TCP_MISS/413 ")) << diagnostics();
    EXPECT_TRUE(log_shows(" POST " + origin("/echo") + " ")) << diagnostics();

    EXPECT_EQ(status_of(curl({origin("/hello")})), "200") << diagnostics();
}

TEST_F(ProxyLimits, AStalledClientDoesNotHoldOthersUp) {
    // Half a request line, then nothing (request_timeout is the default 5 minutes).
    TcpClient slow(env_->proxy_port);
    ASSERT_TRUE(slow.connected());
    ASSERT_TRUE(slow.send("GET http://127.0.0.1:" + std::to_string(env_->origin_port) + "/he"));

    // Meanwhile two other clients, one after the other and then together, are served at once.
    auto start = std::chrono::steady_clock::now();
    auto first = curl({"--max-time", "5", origin("/hello")});
    EXPECT_EQ(status_of(first), "200") << first.out << diagnostics();
    EXPECT_EQ(body_of(first), "hello world\n");
    auto a = std::async(std::launch::async, [] {
        return curl({"--max-time", "5", origin("/hello")});
    });
    auto b = std::async(std::launch::async, [] {
        return curl({"--max-time", "5", origin("/big")});
    });
    EXPECT_EQ(status_of(a.get()), "200") << diagnostics();
    auto big = b.get();
    EXPECT_EQ(status_of(big), "200") << diagnostics();
    EXPECT_TRUE(body_of(big) == big_body()) << body_of(big).size();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);

    // The stalled client was kept waiting, not dropped: it finishes its request and is answered.
    ASSERT_TRUE(slow.send("llo HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(env_->origin_port) +
                          "\r\nConnection: close\r\n\r\n"));
    std::string answer = slow.read_all(10s);
    EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer << diagnostics();
    EXPECT_NE(answer.find("\r\n\r\nhello world\n"), std::string::npos) << answer;
}

} // namespace
} // namespace superd::system_test

namespace superd::system_test {
namespace {

// client_ip_max_connections: past the limit a client's further connections are closed
// unanswered (curl: empty reply); when one of its connections ends, the next is served.
TEST(ProxyClientLimit, ClientIpMaxConnectionsClosesTheConnectionsOverTheLimit) {
    TempDir dir;
    Child origin, proxy;
    int origin_port = free_port(SOCK_STREAM), port = free_port(SOCK_STREAM);
    ASSERT_TRUE(
        start_origin(origin, dir, origin_port, free_port(SOCK_STREAM), free_port(SOCK_STREAM)));
    write_file(dir.file("squid.conf"), "acl localnet src 127.0.0.0/8\n"
                                       "http_access allow localnet\n"
                                       "client_ip_max_connections 2\n");
    ASSERT_TRUE(
        proxy.start({proxy_binary(), "-N", "-f", dir.file("squid.conf"), "--listen",
                     "127.0.0.1:" + std::to_string(port), "--log-file", dir.file("proxy.log")},
                    dir.file("proxy.out")));
    ASSERT_TRUE(wait_for_port(port));
    auto hold = [&] {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        return fd;
    };
    auto get = [&] {
        return run_command(
                   clean_env({"curl", "-sS", "--max-time", "10", "-x",
                              "http://127.0.0.1:" + std::to_string(port),
                              "http://127.0.0.1:" + std::to_string(origin_port) + "/hello"}),
                   {}, 20s)
            .out;
    };
    // The wait_for_port probe has come and gone; give the proxy a moment to see it leave.
    std::this_thread::sleep_for(200ms);
    int first = hold(), second = hold();
    std::this_thread::sleep_for(200ms);
    std::string refused = get();
    EXPECT_EQ(refused.find("hello world"), std::string::npos) << refused;
    ::close(first);
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(get(), "hello world\n") << read_file(dir.file("proxy.log"));
    ::close(second);
    EXPECT_NE(read_file(dir.file("proxy.log")).find("client_ip_max_connections 2; closed"),
              std::string::npos)
        << read_file(dir.file("proxy.log"));
}

} // namespace
} // namespace superd::system_test
