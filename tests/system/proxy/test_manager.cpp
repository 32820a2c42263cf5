// superd-proxy's cache manager, read by the real squidclient (Debian's, which sends
// `GET cache_object://HOST/PAGE HTTP/1.0`) and by curl (`/squid-internal-mgr/PAGE`, origin-form
// and absolute): mgr:info and mgr:counters count the requests made through the proxy, an
// unknown page is 404, and http_access's `manager` and `proto cache_object` rules deny them
// with 403.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <thread>

namespace superd::system_test {
namespace {

constexpr const char* squidclient = "/usr/bin/squidclient";

class ProxyManager : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        env_ = new Env;
        Env& e = *env_;
        e.origin_port = free_port(SOCK_STREAM);
        e.proxy_port = free_port(SOCK_STREAM);
        e.locked_port = free_port(SOCK_STREAM);
        ASSERT_TRUE(start_origin(e.origin, e.dir, e.origin_port, free_port(SOCK_STREAM),
                                 free_port(SOCK_STREAM)))
            << read_file(e.dir.file("origin.log"));
        // squid's stock manager lines: the manager from this host only.
        write_file(e.dir.file("squid.conf"), "acl localnet src 127.0.0.0/8\n"
                                             "http_access allow localhost manager\n"
                                             "http_access deny manager\n"
                                             "http_access allow localnet\n"
                                             "http_access deny all\n"
                                             "visible_hostname test-proxy\n"
                                             "proxy_auto_config on\n"
                                             "access_log stdio:" +
                                                 e.dir.file("access.log") + " squid\n");
        // No manager at all: cache_object:// by its scheme, the rest by squid's `manager`.
        write_file(e.dir.file("locked.conf"), "acl localnet src 127.0.0.0/8\n"
                                              "acl cachemgr proto cache_object\n"
                                              "http_access deny cachemgr\n"
                                              "http_access deny manager\n"
                                              "http_access allow localnet\n"
                                              "http_access deny all\n"
                                              "visible_hostname locked-proxy\n"
                                              "access_log stdio:" +
                                                  e.dir.file("locked-access.log") + " squid\n");
        for (auto [proxy, conf, port, log] :
             {std::tuple{&e.proxy, "squid.conf", e.proxy_port, "proxy.log"},
              std::tuple{&e.locked, "locked.conf", e.locked_port, "locked.log"}}) {
            ASSERT_TRUE(
                proxy->start({proxy_binary(), "-N", "-f", e.dir.file(conf), "--listen",
                              "127.0.0.1:" + std::to_string(port), "--log-file", e.dir.file(log)},
                             e.dir.file(std::string(log) + ".out")));
            ASSERT_TRUE(wait_for_port(port)) << read_file(e.dir.file(log));
        }
    }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }

    struct Env {
        TempDir dir;
        Child origin, proxy, locked;
        int origin_port = 0, proxy_port = 0, locked_port = 0;
    };
    static Env* env_;

    static std::string proxy_url(int port) { return "http://127.0.0.1:" + std::to_string(port); }

    // `squidclient -h 127.0.0.1 -p PORT mgr:PAGE`: the answer, header and body.
    static CommandResult mgr(const std::string& page, int port = env_->proxy_port) {
        return run_command(clean_env({squidclient, "-h", "127.0.0.1", "-p", std::to_string(port),
                                      "-T", "10", "mgr:" + page}),
                           {}, 20s);
    }
    // curl, straight to the proxy (no -x) unless `args` has one; the status on the last line.
    static CommandResult curl(std::vector<std::string> args) {
        std::vector<std::string> argv = {"curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(clean_env(argv), {}, 20s);
    }
    static std::string status_of(const CommandResult& r) {
        return r.out.substr(r.out.rfind('\n') + 1);
    }
    // The number after `label` (up to the end of its line), or -1.
    static long long number_after(const std::string& text, const std::string& label) {
        auto at = text.find(label);
        if (at == std::string::npos) return -1;
        return std::stoll(text.substr(at + label.size()));
    }
    static bool log_shows(const std::string& file, const std::string& text) {
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (read_file(env_->dir.file(file)).find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }
    static std::string diagnostics() {
        return "\naccess.log:\n" + read_file(env_->dir.file("access.log")) +
               "locked-access.log:\n" + read_file(env_->dir.file("locked-access.log")) +
               "proxy.log:\n" + read_file(env_->dir.file("proxy.log"));
    }
};
ProxyManager::Env* ProxyManager::env_ = nullptr;

// A missing squidclient fails every test here (scripts/install-deps installs it).
#define REQUIRE_SQUIDCLIENT()                                                                      \
    ASSERT_TRUE(have_program(squidclient))                                                         \
        << squidclient << " is not installed: run scripts/install-deps (package squidclient)"

TEST_F(ProxyManager, SquidclientInfoCountsTheRequestsMadeThroughTheProxy) {
    REQUIRE_SQUIDCLIENT();
    auto before = mgr("info");
    ASSERT_EQ(before.status, 0) << before.out << diagnostics();
    EXPECT_NE(before.out.find("HTTP/1.1 200 OK"), std::string::npos) << before.out;
    EXPECT_NE(before.out.find("Content-Type: text/plain"), std::string::npos) << before.out;
    EXPECT_NE(before.out.find("superd-proxy Object Cache: Version "), std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("Connection information for squid:"), std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("\tNumber of clients accessing cache:\t"), std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("\tHits as % of all requests:\t5min: 0.0%, 60min: 0.0%"),
              std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("Internal Data Structures:"), std::string::npos) << before.out;
    const long long n = number_after(before.out, "Number of HTTP requests received:\t");
    ASSERT_GE(n, 1) << before.out; // the info request itself

    for (int i = 0; i < 2; ++i) {
        auto r = curl({"-x", proxy_url(env_->proxy_port),
                       "http://127.0.0.1:" + std::to_string(env_->origin_port) + "/hello"});
        ASSERT_EQ(status_of(r), "200") << r.out << diagnostics();
    }
    auto after = mgr("info");
    ASSERT_EQ(after.status, 0) << after.out;
    // The two curl requests and this second info request.
    EXPECT_EQ(number_after(after.out, "Number of HTTP requests received:\t"), n + 3) << after.out;
    // squid logs a manager answer as a miss that went nowhere.
    EXPECT_TRUE(log_shows("access.log", " TCP_MISS/200 ")) << diagnostics();
    std::regex line("[0-9.]+ +[0-9]+ 127\\.0\\.0\\.1 TCP_MISS/200 [0-9]+ GET "
                    "cache_object://127\\.0\\.0\\.1/info - HIER_NONE/- text/plain\n");
    EXPECT_TRUE(std::regex_search(read_file(env_->dir.file("access.log")), line)) << diagnostics();
}

TEST_F(ProxyManager, SquidclientCountersAreNameValueLines) {
    REQUIRE_SQUIDCLIENT();
    auto before = mgr("counters");
    ASSERT_EQ(before.status, 0) << before.out << diagnostics();
    EXPECT_NE(before.out.find("\nsample_time = "), std::string::npos) << before.out;
    const long long requests = number_after(before.out, "\nclient_http.requests = ");
    const long long server = number_after(before.out, "\nserver.all.requests = ");
    const long long kbytes = number_after(before.out, "\nclient_http.kbytes_out = ");
    ASSERT_GE(requests, 1) << before.out;
    ASSERT_GE(server, 0) << before.out;
    ASSERT_GE(kbytes, 0) << before.out;

    for (int i = 0; i < 2; ++i) {
        auto r = curl({"-x", proxy_url(env_->proxy_port),
                       "http://127.0.0.1:" + std::to_string(env_->origin_port) + "/hello"});
        ASSERT_EQ(status_of(r), "200") << r.out << diagnostics();
    }
    auto after = mgr("counters");
    ASSERT_EQ(after.status, 0) << after.out;
    EXPECT_EQ(number_after(after.out, "\nclient_http.requests = "), requests + 3) << after.out;
    EXPECT_EQ(number_after(after.out, "\nserver.all.requests = "), server + 2) << after.out;
    EXPECT_GE(number_after(after.out, "\nclient_http.kbytes_out = "), kbytes) << after.out;
    EXPECT_GE(number_after(after.out, "\nsuperd.manager_requests = "), 2) << after.out;
}

TEST_F(ProxyManager, MenuAndAnUnknownPage) {
    REQUIRE_SQUIDCLIENT();
    auto menu = mgr("menu");
    EXPECT_NE(menu.out.find("HTTP/1.1 200 OK"), std::string::npos) << menu.out;
    EXPECT_NE(menu.out.find(" info                  \tGeneral Runtime Information"),
              std::string::npos)
        << menu.out;
    auto unknown = mgr("no_such_page");
    EXPECT_NE(unknown.out.find("HTTP/1.1 404 Not Found"), std::string::npos) << unknown.out;
    EXPECT_NE(unknown.out.find(" counters "), std::string::npos) << unknown.out;
}

TEST_F(ProxyManager, CurlReadsSquidInternalMgrOriginFormAndAbsolute) {
    // Without -x: `GET /squid-internal-mgr/counters`, as to a web server.
    auto direct = curl({proxy_url(env_->proxy_port) + "/squid-internal-mgr/counters"});
    EXPECT_EQ(status_of(direct), "200") << direct.out << diagnostics();
    EXPECT_NE(direct.out.find("client_http.requests = "), std::string::npos) << direct.out;
    // Logged, as squid does, with the URL made absolute with visible_hostname and the port.
    EXPECT_TRUE(
        log_shows("access.log", "GET http://test-proxy:" + std::to_string(env_->proxy_port) +
                                    "/squid-internal-mgr/counters - HIER_NONE/- "
                                    "text/plain"))
        << diagnostics();

    // Through the proxy to the proxy's own address: answered, not forwarded to itself.
    auto absolute = curl({"-x", proxy_url(env_->proxy_port),
                          proxy_url(env_->proxy_port) + "/squid-internal-mgr/info"});
    EXPECT_EQ(status_of(absolute), "200") << absolute.out << diagnostics();
    EXPECT_NE(absolute.out.find("Connection information for squid:"), std::string::npos)
        << absolute.out;

    // Any other origin-form path is still no request for a forward proxy.
    EXPECT_EQ(status_of(curl({proxy_url(env_->proxy_port) + "/hello"})), "400");
}

TEST_F(ProxyManager, DeniedByHttpAccessIs403) {
    REQUIRE_SQUIDCLIENT();
    auto info = mgr("info", env_->locked_port);
    EXPECT_NE(info.out.find("HTTP/1.1 403 Forbidden"), std::string::npos) << info.out;
    EXPECT_EQ(info.out.find("Connection information for squid:"), std::string::npos) << info.out;
    EXPECT_TRUE(log_shows("locked-access.log", "TCP_DENIED/403 " /* bytes */)) << diagnostics();
    EXPECT_TRUE(log_shows("locked-access.log", "GET cache_object://127.0.0.1/info - HIER_NONE/-"))
        << diagnostics();

    auto direct = curl({proxy_url(env_->locked_port) + "/squid-internal-mgr/info"});
    EXPECT_EQ(status_of(direct), "403") << direct.out;
    // Ordinary requests still pass.
    auto r = curl({"-x", proxy_url(env_->locked_port),
                   "http://127.0.0.1:" + std::to_string(env_->origin_port) + "/hello"});
    EXPECT_EQ(status_of(r), "200") << r.out << diagnostics();
}

} // namespace
} // namespace superd::system_test

namespace superd::system_test {
namespace {

// proxy_auto_config: the PAC file a lab's DHCP server names as WPAD (option 252), evaluated by
// a real PAC engine (pacparser, what pactester uses), whose answer then carries a request.
TEST_F(ProxyManager, PacFileNamesTheProxyAndAPacEngineUsesIt) {
    const std::string self = "127.0.0.1:" + std::to_string(env_->proxy_port);
    auto pac = curl({"-D", "-", "http://" + self + "/wpad.dat"});
    ASSERT_EQ(status_of(pac), "200") << pac.out << diagnostics();
    EXPECT_NE(pac.out.find("Content-Type: application/x-ns-proxy-autoconfig"), std::string::npos)
        << pac.out;
    EXPECT_NE(pac.out.find("return \"PROXY " + self + "; DIRECT\";"), std::string::npos) << pac.out;
    EXPECT_TRUE(log_shows("access.log", "TCP_MISS/200")) << diagnostics();
    EXPECT_TRUE(log_shows("access.log", "GET http://" + self + "/wpad.dat")) << diagnostics();

    const std::string script = env_->dir.file("wpad.dat");
    write_file(script, pac.out.substr(pac.out.find("\r\n\r\n") + 4,
                                      pac.out.rfind('\n') - pac.out.find("\r\n\r\n") - 4));
    auto find = [&](const std::string& url, const std::string& host) {
        return run_command(clean_env({"/usr/bin/python3", "-c",
                                      "import sys, pacparser\n"
                                      "pacparser.init()\n"
                                      "pacparser.parse_pac_file(sys.argv[1])\n"
                                      "print(pacparser.find_proxy(sys.argv[2], sys.argv[3]))\n",
                                      script, url, host}),
                           {}, 20s);
    };
    auto remote = find("http://origin.lab.test/hello", "origin.lab.test");
    ASSERT_EQ(remote.status, 0) << remote.out
                                << "\n(python3-pacparser: scripts/install-deps installs it)";
    EXPECT_EQ(remote.out, "PROXY " + self + "; DIRECT\n");
    EXPECT_EQ(find("http://localhost/", "localhost").out, "DIRECT\n");
    EXPECT_EQ(find("http://builder/", "builder").out, "DIRECT\n");

    // What the engine chose carries a request to the origin.
    const std::string chosen = remote.out.substr(6, remote.out.find(';') - 6);
    auto r = curl({"-x", "http://" + chosen,
                   "http://127.0.0.1:" + std::to_string(env_->origin_port) + "/hello"});
    EXPECT_EQ(status_of(r), "200") << r.out << diagnostics();

    // Off (the default): an origin-form request is not a proxy request.
    auto off = curl({"http://127.0.0.1:" + std::to_string(env_->locked_port) + "/wpad.dat"});
    EXPECT_EQ(status_of(off), "400") << off.out;
}

} // namespace
} // namespace superd::system_test
