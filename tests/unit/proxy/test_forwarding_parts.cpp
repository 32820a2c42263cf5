// The pure parts of the proxy's forwarding: request targets (RFC 9112 3.2), the forwarded
// header (hop-by-hop, Host, Via, X-Forwarded-For, Max-Forwards) and squid's access-log line.
#include "proxy/access_log.hpp"
#include "proxy/forward_headers.hpp"
#include "proxy/request_target.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

TEST(RequestTarget, AbsoluteFormForOrdinaryMethods) {
    auto t = parse_absolute_http("http://Mirror.Lab.test:8080/debian/dists?x=1");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host, "mirror.lab.test");
    EXPECT_EQ(t->port, 8080);
    EXPECT_EQ(t->path, "/debian/dists?x=1");
    EXPECT_EQ(t->authority(), "mirror.lab.test:8080");

    auto bare = parse_absolute_http("HTTP://127.0.0.1");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->port, 80);
    EXPECT_EQ(bare->path, "/");
    EXPECT_EQ(bare->authority(), "127.0.0.1");

    auto v6 = parse_absolute_http("http://[::1]:3000/x");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->authority(), "[::1]:3000");
}

TEST(RequestTarget, WhatAForwardProxyRefuses) {
    for (const char* bad :
         {"/index.html", "https://example.test/", "ftp://h/", "http://", "http:///path",
          "http://h:99999/", "http://h:x/", "http://user@h/", "*", "cache_object://h/info"})
        EXPECT_FALSE(parse_absolute_http(bad)) << bad;
}

TEST(RequestTarget, AuthorityFormForConnect) {
    auto t = parse_authority_form("secure.lab.test:443");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->host, "secure.lab.test");
    EXPECT_EQ(t->port, 443);
    auto v6 = parse_authority_form("[2001:db8::1]:8443");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "2001:db8::1");
    for (const char* bad : {"secure.lab.test", "host:", ":443", "http://h:443", "h:70000"})
        EXPECT_FALSE(parse_authority_form(bad)) << bad;
}

TEST(ForwardHeaders, HopByHopGoneHostFromTheUrlViaAndXForwardedForAdded) {
    http::fields f;
    f.set(http::field::host, "wrong.test");
    f.set(http::field::connection, "keep-alive, X-Private");
    f.set("X-Private", "secret");
    f.set("Proxy-Connection", "keep-alive");
    f.set(http::field::keep_alive, "timeout=5");
    f.set(http::field::te, "trailers");
    f.set(http::field::user_agent, "curl/7.88.1");
    f.set(http::field::via, "1.0 upstream");
    prepare_request_fields(
        f, 11, "origin.test:8080", "192.0.2.7",
        {.via = true, .visible_hostname = "proxy.lab", .forwarded_for = ForwardedFor::on});
    EXPECT_EQ(f[http::field::host], "origin.test:8080");
    EXPECT_EQ(f.count(http::field::connection), 0u);
    EXPECT_EQ(f.count("X-Private"), 0u);
    EXPECT_EQ(f.count("Proxy-Connection"), 0u);
    EXPECT_EQ(f.count(http::field::keep_alive), 0u);
    EXPECT_EQ(f.count(http::field::te), 0u);
    EXPECT_EQ(f[http::field::user_agent], "curl/7.88.1");
    EXPECT_EQ(f[http::field::via], "1.0 upstream, 1.1 proxy.lab (superd-proxy/0.1)");
    EXPECT_EQ(f["X-Forwarded-For"], "192.0.2.7");
}

TEST(ForwardHeaders, XForwardedForAsEachForwardedForModeSays) {
    auto with = [](ForwardedFor mode) {
        http::fields f;
        f.set("X-Forwarded-For", "10.0.0.1");
        apply_forwarded_for(f, mode, "192.0.2.7");
        return f.count("X-Forwarded-For") ? std::string(f["X-Forwarded-For"]) : "(none)";
    };
    EXPECT_EQ(with(ForwardedFor::on), "10.0.0.1, 192.0.2.7");
    EXPECT_EQ(with(ForwardedFor::off), "10.0.0.1, unknown");
    EXPECT_EQ(with(ForwardedFor::truncate), "192.0.2.7");
    EXPECT_EQ(with(ForwardedFor::delete_header), "(none)");
    EXPECT_EQ(with(ForwardedFor::transparent), "10.0.0.1");
}

TEST(ForwardHeaders, MaxForwardsCountsDown) {
    http::fields f;
    EXPECT_FALSE(take_max_forwards(f));
    f.set(http::field::max_forwards, "3");
    EXPECT_EQ(take_max_forwards(f), 3u);
    EXPECT_EQ(f[http::field::max_forwards], "2");
    f.set(http::field::max_forwards, "0");
    EXPECT_EQ(take_max_forwards(f), 0u);
    f.set(http::field::max_forwards, "lots");
    EXPECT_FALSE(take_max_forwards(f));
}

TEST(AccessLog, SquidsNativeLine) {
    AccessEntry e;
    e.started = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
    e.elapsed = std::chrono::milliseconds(45);
    e.client = "127.0.0.1";
    e.code = "TCP_MISS";
    e.status = 200;
    e.bytes = 1234;
    e.method = "GET";
    e.url = "http://127.0.0.1:8080/x";
    e.hierarchy = "HIER_DIRECT";
    e.peer = "127.0.0.1";
    e.type = "text/html";
    EXPECT_EQ(format_access_line(e), "1700000000.123     45 127.0.0.1 TCP_MISS/200 1234 GET "
                                     "http://127.0.0.1:8080/x - HIER_DIRECT/127.0.0.1 text/html");
    AccessEntry denied;
    denied.started = e.started;
    denied.client = "192.0.2.9";
    denied.code = "TCP_DENIED";
    denied.status = 403;
    denied.bytes = 458;
    denied.method = "CONNECT";
    denied.url = "h.test:25";
    EXPECT_EQ(format_access_line(denied), "1700000000.123      0 192.0.2.9 TCP_DENIED/403 458 "
                                          "CONNECT h.test:25 - HIER_NONE/- -");
}

} // namespace
} // namespace superd::proxy
