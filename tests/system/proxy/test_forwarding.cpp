// superd-proxy forwarding (no cache yet) against a local origin, driven by curl and wget:
// GET/HEAD/POST (content-length, chunked, Expect: 100-continue), a 1 MiB body compared byte
// for byte, CONNECT tunnels, the error answers (403, 503, 504, 502) and access.log lines.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <sys/wait.h>
#include <thread>

namespace superd::system_test {
namespace {

class ProxyForwarding : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        env_ = new Env;
        Env& e = *env_;
        e.origin_port = free_port(SOCK_STREAM);
        e.garbage_port = free_port(SOCK_STREAM);
        e.silent_port = free_port(SOCK_STREAM);
        e.closed_port = free_port(SOCK_STREAM); // nobody listens there
        e.proxy_port = free_port(SOCK_STREAM);
        ASSERT_TRUE(start_origin(e.origin, e.dir, e.origin_port, e.garbage_port, e.silent_port))
            << read_file(e.dir.file("origin.log"));
        std::string o = std::to_string(e.origin_port);
        write_file(e.dir.file("squid.conf"),
                   "acl localnet src 127.0.0.0/8\n"
                   "acl CONNECT method CONNECT\n"
                   // The origin's port stands in for 443: CONNECT to it is allowed.
                   "acl SSL_ports port 443 " +
                       o +
                       "\n"
                       "acl secret url_regex /forbidden$\n"
                       "http_access deny CONNECT !SSL_ports\n"
                       "http_access deny secret\n"
                       "http_access allow localnet\n"
                       "http_access deny all\n"
                       "visible_hostname test-proxy\n"
                       "read_timeout 2 seconds\n"
                       "connect_timeout 2 seconds\n"
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
        int origin_port = 0, garbage_port = 0, silent_port = 0, closed_port = 0, proxy_port = 0;
    };
    static Env* env_;

    static std::string proxy_url() {
        return "http://127.0.0.1:" + std::to_string(env_->proxy_port);
    }
    static std::string url(int port, const std::string& path) {
        return "http://127.0.0.1:" + std::to_string(port) + path;
    }
    static std::string origin(const std::string& path) { return url(env_->origin_port, path); }

    // curl through the proxy; `-w` prints the status on the last line.
    static CommandResult curl(std::vector<std::string> args) {
        std::vector<std::string> argv = {"curl", "-sS",       "--max-time", "20",
                                         "-x",   proxy_url(), "-w",         "\n%{http_code}"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(clean_env(argv), {}, 30s);
    }
    static std::string status_of(const CommandResult& r) {
        return r.out.substr(r.out.rfind('\n') + 1);
    }
    static std::string body_of(const CommandResult& r) {
        return r.out.substr(0, r.out.rfind('\n'));
    }
    static std::string access_log() { return read_file(env_->dir.file("access.log")); }
    // Whether the access log comes to satisfy `done` within 10 s: a line is written when its
    // exchange has ended (a tunnel when both sides have closed), which may be a moment after
    // the client has its answer and exits.
    static bool log_shows(const std::function<bool(const std::string&)>& done) {
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!done(access_log())) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }
    static bool log_shows(const std::string& text) {
        return log_shows(
            [&](const std::string& log) { return log.find(text) != std::string::npos; });
    }
    static std::string diagnostics() {
        return "\naccess.log:\n" + access_log() + "proxy.log:\n" +
               read_file(env_->dir.file("proxy.log"));
    }
};
ProxyForwarding::Env* ProxyForwarding::env_ = nullptr;

TEST_F(ProxyForwarding, GetIsForwardedWithViaAndXForwardedFor) {
    auto r = curl({origin("/hello")});
    EXPECT_EQ(status_of(r), "200") << r.out << diagnostics();
    EXPECT_EQ(body_of(r), "hello world\n");

    auto h = curl({origin("/headers")});
    EXPECT_EQ(status_of(h), "200") << h.out;
    EXPECT_NE(h.out.find("Via: 1.1 test-proxy (superd-proxy/0.1)"), std::string::npos) << h.out;
    EXPECT_NE(h.out.find("X-Forwarded-For: 127.0.0.1"), std::string::npos) << h.out;
    EXPECT_NE(h.out.find("Host: 127.0.0.1:" + std::to_string(env_->origin_port)), std::string::npos)
        << h.out;
    // Hop-by-hop fields stop at the proxy.
    EXPECT_EQ(h.out.find("Proxy-Connection"), std::string::npos) << h.out;
}

TEST_F(ProxyForwarding, HeadAnswersTheHeaderOnly) {
    auto r = curl({"-I", origin("/big")});
    EXPECT_EQ(status_of(r), "200") << r.out << diagnostics();
    EXPECT_NE(r.out.find("Content-Length: 1048576"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Via: 1.1 test-proxy"), std::string::npos) << r.out;
}

TEST_F(ProxyForwarding, PostBodiesAreEchoed) {
    std::string body(100000, 'x');
    for (std::size_t i = 0; i < body.size(); ++i)
        body[i] = static_cast<char>('a' + i % 26);
    write_file(env_->dir.file("post.bin"), body);
    std::string at = "@" + env_->dir.file("post.bin");
    auto plain = curl({"--data-binary", at, origin("/echo")});
    EXPECT_EQ(status_of(plain), "200") << diagnostics();
    EXPECT_TRUE(body_of(plain) == body) << body_of(plain).size();

    auto chunked = curl({"-H", "Transfer-Encoding: chunked", "--data-binary", at, origin("/echo")});
    EXPECT_EQ(status_of(chunked), "200") << diagnostics();
    EXPECT_TRUE(body_of(chunked) == body) << body_of(chunked).size();

    auto expect = curl({"-H", "Expect: 100-continue", "--data-binary", at, origin("/echo")});
    EXPECT_EQ(status_of(expect), "200") << diagnostics();
    EXPECT_TRUE(body_of(expect) == body) << body_of(expect).size();

    auto put = curl({"-X", "PUT", "--data-binary", "short", origin("/echo")});
    EXPECT_EQ(status_of(put), "200") << diagnostics();
    EXPECT_EQ(body_of(put), "short");
}

TEST_F(ProxyForwarding, ChunkedAnswersAreRelayed) {
    auto r = curl({origin("/chunked")});
    EXPECT_EQ(status_of(r), "200") << r.out << diagnostics();
    EXPECT_EQ(body_of(r), "first second third\n");
    // HTTP/1.0 client: no chunking, the end is the connection's close.
    auto old = curl({"-0", origin("/chunked")});
    EXPECT_EQ(status_of(old), "200") << old.out << diagnostics();
    EXPECT_EQ(body_of(old), "first second third\n");
}

TEST_F(ProxyForwarding, OneMebibyteWithCurlAndWget) {
    const std::string expected = big_body();
    auto r = run_command(clean_env({"curl", "-sS", "--max-time", "20", "-x", proxy_url(), "-o",
                                    env_->dir.file("big.curl"), origin("/big")}),
                         {}, 30s);
    EXPECT_EQ(r.status, 0) << r.out << diagnostics();
    EXPECT_TRUE(read_file(env_->dir.file("big.curl")) == expected);

    auto w = run_command(clean_env({"http_proxy=" + proxy_url() + "/", "wget", "-q", "-T", "20",
                                    "-O", env_->dir.file("big.wget"), origin("/big")}),
                         {}, 30s);
    EXPECT_EQ(w.status, 0) << w.out << diagnostics();
    EXPECT_TRUE(read_file(env_->dir.file("big.wget")) == expected);
    // Both went through the proxy, not straight to the origin.
    EXPECT_TRUE(log_shows([](const std::string& log) {
        return count_of(log, "TCP_MISS/200 1048") >= 2;
    })) << diagnostics();
}

TEST_F(ProxyForwarding, AclDenialIs403AndLoggedAsTcpDenied) {
    auto r = curl({origin("/forbidden")});
    EXPECT_EQ(status_of(r), "403") << r.out;
    EXPECT_NE(r.out.find("<html>"), std::string::npos) << r.out;
    EXPECT_TRUE(log_shows("TCP_DENIED/403")) << diagnostics();
}

TEST_F(ProxyForwarding, OriginFailuresMapTo503And504And502) {
    auto refused = curl({url(env_->closed_port, "/")});
    EXPECT_EQ(status_of(refused), "503") << refused.out << diagnostics();
    // read_timeout 2 seconds in the config: the silent origin and the slow endpoint time out.
    auto silent = curl({url(env_->silent_port, "/")});
    EXPECT_EQ(status_of(silent), "504") << silent.out << diagnostics();
    auto slow = curl({origin("/slow")});
    EXPECT_EQ(status_of(slow), "504") << slow.out << diagnostics();
    auto garbage = curl({url(env_->garbage_port, "/")});
    EXPECT_EQ(status_of(garbage), "502") << garbage.out << diagnostics();
    // The proxy is still fine afterwards.
    EXPECT_EQ(status_of(curl({origin("/hello")})), "200");
}

TEST_F(ProxyForwarding, OriginFormIs400) {
    // Without -x: curl sends `GET /hello` straight to the proxy port.
    auto r = run_command(clean_env({"curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}",
                                    proxy_url() + "/hello"}),
                         {}, 20s);
    EXPECT_EQ(status_of(r), "400") << r.out;
}

// TRACE with Max-Forwards: 0 is answered by the proxy itself (RFC 9110 7.6.2), echoing the
// request as message/http without the fields that carry secrets (9.3.8).
TEST_F(ProxyForwarding, TraceAtMaxForwardsZeroIsEchoedWithoutSecrets) {
    auto r = curl({"-X", "TRACE", "-H", "Max-Forwards: 0", "-H", "Cookie: session=secret", "-H",
                   "Authorization: Basic c2VjcmV0", "-H", "X-Lab: kept", origin("/hello")});
    EXPECT_EQ(status_of(r), "200") << r.out << diagnostics();
    EXPECT_NE(r.out.find("TRACE " + origin("/hello")), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("X-Lab: kept"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("secret"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("c2VjcmV0"), std::string::npos) << r.out;
}

TEST_F(ProxyForwarding, ConnectTunnelsToAllowedPortsOnly) {
    // -p: CONNECT to the origin's port (allowed as an SSL port here), plain HTTP inside.
    auto r = curl({"-p", origin("/hello")});
    EXPECT_EQ(status_of(r), "200") << r.out << diagnostics();
    EXPECT_EQ(body_of(r), "hello world\n");
    EXPECT_TRUE(log_shows("TCP_TUNNEL/200")) << diagnostics();

    auto denied = run_command(clean_env({"curl", "-sS", "--max-time", "10", "-p", "-x", proxy_url(),
                                         "-w", "\n%{http_connect}", url(env_->garbage_port, "/")}),
                              {}, 20s);
    EXPECT_EQ(status_of(denied), "403") << denied.out;
    EXPECT_TRUE(log_shows("TCP_DENIED/403 ")) << diagnostics();
    EXPECT_TRUE(log_shows("CONNECT 127.0.0.1:" + std::to_string(env_->garbage_port)))
        << diagnostics();
}

TEST_F(ProxyForwarding, AccessLogLinesHaveSquidsShape) {
    ASSERT_EQ(status_of(curl({origin("/hello")})), "200");
    std::string o = std::to_string(env_->origin_port);
    std::regex miss("(^|\n)[0-9]+\\.[0-9]{3} +[0-9]+ 127\\.0\\.0\\.1 TCP_MISS/200 [0-9]+ GET "
                    "http://127\\.0\\.0\\.1:" +
                    o + "/hello - HIER_DIRECT/127\\.0\\.0\\.1 text/plain\n");
    EXPECT_TRUE(log_shows([&](const std::string& log) { return std::regex_search(log, miss); }))
        << diagnostics();
    std::regex refused("[0-9]+\\.[0-9]{3} +[0-9]+ 127\\.0\\.0\\.1 TCP_MISS/503 [0-9]+ GET "
                       "http://127\\.0\\.0\\.1:[0-9]+/ - HIER_NONE/- text/html\n");
    ASSERT_EQ(status_of(curl({url(env_->closed_port, "/")})), "503");
    EXPECT_TRUE(log_shows([&](const std::string& log) { return std::regex_search(log, refused); }))
        << diagnostics();
}

TEST_F(ProxyForwarding, Sigusr1LogsTheCounters) {
    ASSERT_EQ(status_of(curl({origin("/hello")})), "200");
    ::kill(env_->proxy.pid(), SIGUSR1);
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (read_file(env_->dir.file("proxy.log")).find("counters:") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    std::string log = read_file(env_->dir.file("proxy.log"));
    EXPECT_NE(log.find("counters:"), std::string::npos) << log;
    EXPECT_NE(log.find("status_200="), std::string::npos) << log;
}

// The default profile's config checks clean, as squid -k parse would; mistakes are file:line.
TEST(ProxyConfigCheck, TheShippedConfigParsesAndMistakesNameTheirLine) {
    // (Its paths are relative to the checkout, where scripts/run starts superd.)
    auto ok = run_command({"sh", "-c",
                           "cd " + std::string(SOURCE_DIR) + " && " + proxy_binary() +
                               " -k parse -f etc/proxy.conf"});
    EXPECT_TRUE(WIFEXITED(ok.status) && WEXITSTATUS(ok.status) == 0) << ok.out;
    EXPECT_NE(ok.out.find("configuration OK"), std::string::npos) << ok.out;

    TempDir dir;
    write_file(dir.file("squid.conf"),
               "http_port 3128\nacl lab src 10.0.0.0/8\n"
               "http_access allow lab nosuchacl\ncache_dir aufs /x 100 16 256\n");
    auto bad = run_command({proxy_binary(), "-t", "-f", dir.file("squid.conf")});
    EXPECT_TRUE(WIFEXITED(bad.status) && WEXITSTATUS(bad.status) == 1) << bad.out;
    EXPECT_NE(bad.out.find(dir.file("squid.conf") + ":3: "), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find(dir.file("squid.conf") + ":4: "), std::string::npos) << bad.out;
}

} // namespace
} // namespace superd::system_test
