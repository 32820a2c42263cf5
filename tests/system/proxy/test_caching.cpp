// superd-proxy's cache (RFC 9111) seen from outside: curl and wget through the proxy to an
// origin that counts what reaches it. Hits with Age and no origin request, no-store, reload,
// revalidation with 304, Vary, ranges from a cached object, only-if-cached, invalidation by
// POST, the disk cache after a restart and across processes, kill -9 during a download, cache
// deny, refresh_pattern, a parent cache_peer, reply_body_max_size.
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include <csignal>
#include <sys/wait.h>

namespace superd::system_test {
namespace {

// An origin whose answers the URL's query describes, and which counts the requests per path:
//   cc=   Cache-Control      etag=  ETag (quoted here)   lm=  Last-Modified, seconds ago
//   vary= Vary               size=  body bytes (else the body names path and generation)
//   stall=1  the first request sends half the body, then waits 60 s
// GET /_count?PATH answers how many requests for PATH (with query) arrived, and
// GET /_bump makes every body and ETag change (a new generation). Conditional requests get a
// 304 when If-None-Match or If-Modified-Since says so.
constexpr const char* origin_script = R"PY(
import http.server, socketserver, sys, threading, time, urllib.parse, email.utils

port = int(sys.argv[1])
counts = {}
seen = {}
generation = [1]
lock = threading.Lock()
STARTED = time.time()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, headers, body=b""):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def answer(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_count":
            key = urllib.parse.unquote(url.query)
            with lock:
                n = counts.get(key, 0)
            return self.reply(200, [("Content-Length", str(len(str(n))))], str(n).encode())
        if url.path == "/_bump":
            generation[0] += 1
            return self.reply(200, [("Content-Length", "0")])
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            first = counts[self.path] == 1
        q = dict(urllib.parse.parse_qsl(url.query))
        gen = generation[0]
        headers = [("Date", email.utils.formatdate(usegmt=True))]
        if "size" in q:
            n = int(q["size"])
            body = bytes((i * 7 + gen) % 251 for i in range(n))
        else:
            body = ("%s generation %d accept-encoding=%s\n" % (url.path, gen,
                    self.headers.get("Accept-Encoding", "-"))).encode()
        etag = None
        if "etag" in q:
            etag = '"%s-%d"' % (q["etag"], gen)
            headers.append(("ETag", etag))
        lm = None
        if "lm" in q:
            lm = int(STARTED) - int(q["lm"])
            headers.append(("Last-Modified", email.utils.formatdate(lm, usegmt=True)))
        if "cc" in q:
            headers.append(("Cache-Control", q["cc"]))
        if "vary" in q:
            headers.append(("Vary", q["vary"]))
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if (etag and inm and etag in [t.strip() for t in inm.split(",")]) or (
                not inm and lm is not None and ims and
                email.utils.parsedate_to_datetime(ims).timestamp() >= lm):
            return self.reply(304, [h for h in headers if h[0] != "Content-Length"])
        headers.append(("Content-Type", "application/octet-stream" if "size" in q else "text/plain"))
        headers.append(("Content-Length", str(len(body))))
        if q.get("stall") == "1" and first:
            self.send_response(200)
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(60)
            return
        self.reply(200, headers, body)

    do_GET = answer
    do_HEAD = answer

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
        self.reply(200, [("Content-Length", "3")], b"ok\n")

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

Server(("127.0.0.1", port), Handler).serve_forever()
)PY";

class ProxyCaching : public ::testing::Test {
  protected:
    struct Env {
        TempDir dir;
        Child origin, proxy, other;
        int origin_port = 0, proxy_port = 0, other_port = 0;
    };
    static Env* env_;

    static std::string config(const std::string& extra = {}) {
        return "acl localnet src 127.0.0.0/8\n"
               "acl nocache url_regex /uncacheable\n"
               "acl toobig url_regex /toobig\n"
               "http_access allow localnet\n"
               "http_access deny all\n"
               "cache deny nocache\n"
               "reply_body_max_size 100 KB toobig\n"
               "visible_hostname cache-test\n"
               "read_timeout 5 seconds\n"
               "cache_mem 16 MB\n"
               "maximum_object_size_in_memory 256 KB\n"
               "maximum_object_size 8 MB\n"
               "cache_dir ufs " +
               env_->dir.file("cache") +
               " 64 4 16\n"
               "refresh_pattern /pattern/ 60 20% 120\n"
               "access_log stdio:" +
               env_->dir.file("access.log") + " squid\n" + extra;
    }

    static bool start_proxy(Child& proxy, int port, const std::string& name,
                            const std::string& extra = {}) {
        write_file(env_->dir.file(name + ".conf"), config(extra));
        if (!proxy.start({proxy_binary(), "-N", "-f", env_->dir.file(name + ".conf"), "--listen",
                          "127.0.0.1:" + std::to_string(port), "--log-file",
                          env_->dir.file(name + ".log")},
                         env_->dir.file(name + ".out")))
            return false;
        return wait_for_port(port);
    }

    static void SetUpTestSuite() {
        env_ = new Env;
        Env& e = *env_;
        e.origin_port = free_port(SOCK_STREAM);
        e.proxy_port = free_port(SOCK_STREAM);
        e.other_port = free_port(SOCK_STREAM);
        write_file(e.dir.file("origin.py"), origin_script);
        ASSERT_TRUE(
            e.origin.start({"python3", e.dir.file("origin.py"), std::to_string(e.origin_port)},
                           e.dir.file("origin.log")));
        ASSERT_TRUE(wait_for_port(e.origin_port)) << read_file(e.dir.file("origin.log"));
        ASSERT_TRUE(start_proxy(e.proxy, e.proxy_port, "proxy"))
            << read_file(e.dir.file("proxy.out")) << read_file(e.dir.file("proxy.log"));
    }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }

    static std::string origin(const std::string& path) {
        return "http://127.0.0.1:" + std::to_string(env_->origin_port) + path;
    }
    // Requests for `path` that reached the origin (asked directly, not through the proxy).
    static int origin_count(const std::string& path) {
        auto r = run_command(
            clean_env({"curl", "-sS", "--max-time", "10", origin("/_count?" + path)}), {}, 15s);
        try {
            return std::stoi(r.out);
        } catch (...) {
            return -1;
        }
    }
    // curl through the proxy: headers (-D -) then body, then the status on the last line.
    static CommandResult curl(std::vector<std::string> args, int port = 0) {
        std::vector<std::string> argv = {
            "curl",       "-sS",
            "--max-time", "20",
            "-D",         "-",
            "-x",         "http://127.0.0.1:" + std::to_string(port ? port : env_->proxy_port),
            "-w",         "\n%{http_code}"};
        argv.insert(argv.end(), args.begin(), args.end());
        return run_command(clean_env(argv), {}, 30s);
    }
    static std::string status_of(const CommandResult& r) {
        return r.out.substr(r.out.rfind('\n') + 1);
    }
    static std::string body_of(const CommandResult& r) {
        auto start = r.out.find("\r\n\r\n");
        auto end = r.out.rfind('\n');
        if (start == std::string::npos || end < start + 4) return {};
        return r.out.substr(start + 4, end - start - 4);
    }
    static std::string access_log() { return read_file(env_->dir.file("access.log")); }
    // The access log comes to hold `text` within 10 s (a line is written as the exchange ends).
    static bool log_shows(const std::string& text) {
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (access_log().find(text) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(20ms);
        }
        return true;
    }
    static std::string diagnostics() {
        return "\naccess.log:\n" + access_log() + "proxy.log:\n" +
               read_file(env_->dir.file("proxy.log"));
    }
};
ProxyCaching::Env* ProxyCaching::env_ = nullptr;

TEST_F(ProxyCaching, SecondGetIsAHitWithAgeAndNoOriginRequest) {
    const std::string path = "/fresh?cc=max-age=600";
    auto first = curl({origin(path)});
    EXPECT_EQ(status_of(first), "200") << first.out << diagnostics();
    std::this_thread::sleep_for(1100ms);
    auto second = curl({origin(path)});
    EXPECT_EQ(status_of(second), "200") << second.out;
    EXPECT_EQ(body_of(second), body_of(first));
    EXPECT_NE(second.out.find("Age: "), std::string::npos) << second.out;
    EXPECT_EQ(second.out.find("Age: 0\r"), std::string::npos) << second.out;
    EXPECT_EQ(origin_count(path), 1);
    EXPECT_TRUE(log_shows("TCP_MEM_HIT/200")) << diagnostics();
}

TEST_F(ProxyCaching, NoStoreAlwaysReachesTheOrigin) {
    const std::string path = "/nostore?cc=no-store";
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(status_of(curl({origin(path)})), "200");
    EXPECT_EQ(origin_count(path), 3);
}

TEST_F(ProxyCaching, ReloadRevalidatesAndA304ServesTheStoredBody) {
    const std::string path = "/reload?cc=max-age=600&etag=r";
    auto first = curl({origin(path)});
    ASSERT_EQ(status_of(first), "200") << first.out;
    auto reload = curl({"-H", "Cache-Control: no-cache", origin(path)});
    EXPECT_EQ(status_of(reload), "200") << reload.out;
    EXPECT_EQ(body_of(reload), body_of(first));
    EXPECT_EQ(origin_count(path), 2); // the conditional request
    EXPECT_TRUE(log_shows("TCP_REFRESH_UNMODIFIED/200")) << diagnostics();
    // The client's own conditional request is answered by the cache.
    auto ims = curl({"-H", "If-None-Match: \"r-1\"", origin(path)});
    EXPECT_EQ(status_of(ims), "304") << ims.out;
    EXPECT_EQ(origin_count(path), 2);
}

TEST_F(ProxyCaching, StaleObjectIsRevalidatedThenFreshAgain) {
    const std::string path = "/stale?cc=max-age=1&lm=3600";
    auto first = curl({origin(path)});
    ASSERT_EQ(status_of(first), "200") << first.out;
    std::this_thread::sleep_for(2100ms);
    auto second = curl({origin(path)});
    EXPECT_EQ(status_of(second), "200") << second.out;
    EXPECT_EQ(body_of(second), body_of(first));
    EXPECT_EQ(origin_count(path), 2);
    auto third = curl({origin(path)});
    EXPECT_EQ(status_of(third), "200");
    EXPECT_EQ(origin_count(path), 2) << "the 304 made it fresh for another second" << diagnostics();
}

TEST_F(ProxyCaching, ChangedObjectReplacesTheStoredOne) {
    const std::string path = "/changing?cc=max-age=0&etag=c";
    auto first = curl({origin(path)});
    ASSERT_EQ(status_of(first), "200");
    run_command(clean_env({"curl", "-sS", origin("/_bump")}), {}, 15s);
    auto second = curl({origin(path)});
    EXPECT_EQ(status_of(second), "200");
    EXPECT_NE(body_of(second), body_of(first));
    EXPECT_NE(body_of(second).find("generation"), std::string::npos);
    EXPECT_TRUE(log_shows("TCP_REFRESH_MODIFIED/200")) << diagnostics();
}

TEST_F(ProxyCaching, VaryKeepsOneEntryPerAcceptEncoding) {
    const std::string path = "/vary?cc=max-age=600&vary=Accept-Encoding";
    auto gzip = curl({"-H", "Accept-Encoding: gzip", origin(path)});
    auto br = curl({"-H", "Accept-Encoding: br", origin(path)});
    EXPECT_EQ(origin_count(path), 2);
    auto gzip2 = curl({"-H", "Accept-Encoding: gzip", origin(path)});
    auto br2 = curl({"-H", "Accept-Encoding: br", origin(path)});
    EXPECT_EQ(origin_count(path), 2) << diagnostics();
    EXPECT_EQ(body_of(gzip2), body_of(gzip));
    EXPECT_EQ(body_of(br2), body_of(br));
    EXPECT_NE(body_of(gzip), body_of(br));
}

TEST_F(ProxyCaching, RangesAreCutFromTheCachedObject) {
    const std::string path = "/ranged?cc=max-age=600&size=300000";
    auto whole = curl({origin(path)});
    ASSERT_EQ(status_of(whole), "200");
    auto part = curl({"-r", "1000-1999", origin(path)});
    EXPECT_EQ(status_of(part), "206") << part.out.substr(0, 400);
    EXPECT_NE(part.out.find("Content-Range: bytes 1000-1999/300000"), std::string::npos);
    EXPECT_EQ(body_of(part), body_of(whole).substr(1000, 1000));
    auto beyond = curl({"-r", "400000-", origin(path)});
    EXPECT_EQ(status_of(beyond), "416");
    EXPECT_EQ(origin_count(path), 1);
}

TEST_F(ProxyCaching, OnlyIfCachedIs504WhenNotCached) {
    auto r = curl({"-H", "Cache-Control: only-if-cached", origin("/never?cc=max-age=600")});
    EXPECT_EQ(status_of(r), "504") << r.out;
    EXPECT_EQ(origin_count("/never?cc=max-age=600"), 0);
}

TEST_F(ProxyCaching, PostInvalidatesTheStoredObject) {
    const std::string path = "/posted?cc=max-age=600";
    curl({origin(path)});
    curl({origin(path)});
    EXPECT_EQ(origin_count(path), 1);
    auto post = curl({"--data", "x=1", origin(path)});
    EXPECT_EQ(status_of(post), "200");
    curl({origin(path)});
    EXPECT_EQ(origin_count(path), 3) << diagnostics(); // GET, POST, GET again
}

TEST_F(ProxyCaching, CacheDenyAndRefreshPattern) {
    const std::string denied = "/uncacheable?cc=max-age=600";
    curl({origin(denied)});
    curl({origin(denied)});
    EXPECT_EQ(origin_count(denied), 2);
    // No freshness information at all: refresh_pattern's minimum (60 minutes) makes it fresh.
    const std::string patterned = "/pattern/file";
    curl({origin(patterned)});
    curl({origin(patterned)});
    EXPECT_EQ(origin_count(patterned), 1) << diagnostics();
    const std::string unpatterned = "/plain/file";
    curl({origin(unpatterned)});
    curl({origin(unpatterned)});
    EXPECT_EQ(origin_count(unpatterned), 2);
}

TEST_F(ProxyCaching, ReplyBodyMaxSizeDeniesLargeReplies) {
    auto big = curl({origin("/toobig?size=200000")});
    EXPECT_EQ(status_of(big), "403") << big.out.substr(0, 300);
    auto small = curl({origin("/toobig?size=2000")});
    EXPECT_EQ(status_of(small), "200");
}

// A second proxy process on the same cache_dir (superd's wait = no starts one per
// connection) finds what the first stored, and so does the first after a restart; a 1 MiB
// object, larger than maximum_object_size_in_memory, comes from disk, byte for byte.
TEST_F(ProxyCaching, DiskCacheIsSharedAndSurvivesRestart) {
    const std::string path = "/disk?cc=max-age=600&size=1048576";
    auto wget_sum = [&](int port) {
        auto r = run_command(clean_env({"sh", "-c",
                                        "http_proxy=http://127.0.0.1:" + std::to_string(port) +
                                            " wget -q -O - '" + origin(path) + "' | sha256sum"}),
                             {}, 30s);
        return r.out;
    };
    auto direct = run_command(
        clean_env({"sh", "-c", "curl -sS '" + origin(path) + "' | sha256sum"}), {}, 30s);
    std::string sum = wget_sum(env_->proxy_port);
    EXPECT_EQ(sum, direct.out);
    EXPECT_EQ(origin_count(path), 2); // ours and the direct one
    // The commit is made durable on the disk thread; give it a moment.
    std::this_thread::sleep_for(500ms);
    ASSERT_TRUE(start_proxy(env_->other, env_->other_port, "other"))
        << read_file(env_->dir.file("other.log"));
    EXPECT_EQ(wget_sum(env_->other_port), direct.out);
    EXPECT_EQ(origin_count(path), 2) << diagnostics();
    EXPECT_TRUE(log_shows("TCP_HIT/200 10")) << diagnostics();
    env_->other.stop();

    env_->proxy.stop();
    ASSERT_TRUE(start_proxy(env_->proxy, env_->proxy_port, "proxy"));
    EXPECT_EQ(wget_sum(env_->proxy_port), direct.out);
    EXPECT_EQ(origin_count(path), 2);
}

// kill -9 while a large object streams in: after a restart the object is not served from the
// cache (it never completed); it is fetched again, whole.
TEST_F(ProxyCaching, KillDuringDownloadLeavesNoPartialObject) {
    const std::string path = "/stalled?cc=max-age=600&size=4000000&stall=1";
    Child client;
    ASSERT_TRUE(client.start(clean_env({"curl", "-sS", "--max-time", "30", "-x",
                                        "http://127.0.0.1:" + std::to_string(env_->proxy_port),
                                        "-o", env_->dir.file("partial.bin"), origin(path)}),
                             env_->dir.file("partial.out")));
    // Wait until half the body has passed through the proxy.
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (std::filesystem::exists(env_->dir.file("partial.bin")) == false ||
           std::filesystem::file_size(env_->dir.file("partial.bin")) < 2000000) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "no half body arrived";
        std::this_thread::sleep_for(50ms);
    }
    ::kill(env_->proxy.pid(), SIGKILL);
    env_->proxy.stop();
    client.stop();
    ASSERT_TRUE(start_proxy(env_->proxy, env_->proxy_port, "proxy"));
    auto r =
        run_command(clean_env({"sh", "-c",
                               "curl -sS -x http://127.0.0.1:" + std::to_string(env_->proxy_port) +
                                   " '" + origin(path) + "' | wc -c"}),
                    {}, 30s);
    EXPECT_EQ(r.out, "4000000\n") << diagnostics();
    EXPECT_EQ(origin_count(path), 2);
}

// cache_peer: a child proxy sends its misses to this suite's proxy as its parent.
TEST_F(ProxyCaching, MissesGoToTheParentPeer) {
    const std::string path = "/viaparent?cc=max-age=600";
    ASSERT_TRUE(start_proxy(env_->other, env_->other_port, "child",
                            "cache_peer 127.0.0.1 parent " + std::to_string(env_->proxy_port) +
                                " 0 no-query\n"));
    auto r = curl({origin(path)}, env_->other_port);
    EXPECT_EQ(status_of(r), "200") << r.out << read_file(env_->dir.file("child.log"));
    EXPECT_TRUE(log_shows("FIRSTUP_PARENT/127.0.0.1")) << diagnostics();
    // The parent cached it too: a second child request is a hit in the child, and had it not
    // been, the parent would answer it.
    EXPECT_EQ(origin_count(path), 1);
    env_->other.stop();
}

} // namespace
} // namespace superd::system_test
