// The cache manager's pure part (proxy/manager.hpp): which request targets are for it, and the
// pages (menu, info, counters, an unknown one) rendered from a snapshot the test makes.
#include "proxy/acl.hpp"
#include "proxy/manager.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>

namespace superd::proxy {
namespace {

using namespace std::chrono_literals;

// 2024-01-02 03:04:05 UTC, and an hour and a half later.
constexpr std::int64_t start_seconds = 1704164645;

ManagerSnapshot snapshot() {
    ManagerSnapshot s;
    s.started = std::chrono::system_clock::time_point(std::chrono::seconds(start_seconds));
    s.now = s.started + 90min + 250ms;
    s.visible_hostname = "proxy.lab";
    s.counters = {{"requests", 180},
                  {"cache_hits", 45},
                  {"mem_hits", 15},
                  {"denied", 3},
                  {"tunnels", 2},
                  {"server_requests", 130},
                  {"aborted", 1},
                  {"bytes_to_clients", 4096000},
                  {"bytes_from_cache", 1024000},
                  {"status_200", 170},
                  {"status_403", 3},
                  {"status_503", 6},
                  {"status_304", 1},
                  {"manager_requests", 4}};
    s.active_clients = 7;
    s.disk = ManagerSnapshot::Cache{200, 50 * 1024 * 1024, 200 * 1024 * 1024};
    s.memory = ManagerSnapshot::Cache{20, 4 * 1024 * 1024, 16 * 1024 * 1024};
    return s;
}

const ManagerSelf self{"Proxy.Lab", "127.0.0.1", 3128};

bool has_line(const std::string& body, const std::string& line) {
    return body.find(line + "\n") != std::string::npos;
}

TEST(ManagerRequest, CacheObjectUrlsAsSquidclientSendsThem) {
    auto r = manager_request("cache_object://127.0.0.1/info", self);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->page, "info");
    EXPECT_EQ(r->scheme, "cache_object");
    EXPECT_EQ(r->url, "cache_object://127.0.0.1/info");
    EXPECT_EQ(r->target.host, "127.0.0.1");
    EXPECT_EQ(r->target.port, 3128); // squid's default port for the scheme

    // The password (squidclient -w) and a query are not part of the page; any host will do.
    auto p = manager_request("CACHE_OBJECT://elsewhere.test:8080/counters@secret", self);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->page, "counters");
    EXPECT_EQ(p->target.port, 8080);
    auto empty = manager_request("cache_object://localhost/", self);
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->page, "menu");
}

TEST(ManagerRequest, SquidInternalMgrOnThisProxyOnly) {
    auto origin_form = manager_request("/squid-internal-mgr/info?x=1", self);
    ASSERT_TRUE(origin_form);
    EXPECT_EQ(origin_form->page, "info");
    EXPECT_EQ(origin_form->scheme, "http");
    // Made absolute with the proxy's name and port, as squid logs and matches it.
    EXPECT_EQ(origin_form->url, "http://proxy.lab:3128/squid-internal-mgr/info?x=1");
    EXPECT_EQ(origin_form->target.host, "proxy.lab");
    EXPECT_EQ(origin_form->target.port, 3128);

    for (const char* mine : {"http://127.0.0.1:3128/squid-internal-mgr/counters",
                             "http://PROXY.lab:3128/squid-internal-mgr/counters",
                             "http://localhost:3128/squid-internal-mgr/counters"}) {
        auto r = manager_request(mine, self);
        ASSERT_TRUE(r) << mine;
        EXPECT_EQ(r->page, "counters");
        EXPECT_EQ(r->url, mine);
    }
    // Another host or port is an ordinary request, forwarded (or denied) as any other.
    for (const char* theirs :
         {"http://127.0.0.1:8080/squid-internal-mgr/info",
          "http://origin.test/squid-internal-mgr/info", "http://127.0.0.1:3128/info",
          "http://127.0.0.1:3128/squid-internal-static/icons/x", "/index.html",
          "/squid-internal-mgr", "https://127.0.0.1:3128/squid-internal-mgr/info"})
        EXPECT_FALSE(manager_request(theirs, self)) << theirs;
}

TEST(ManagerRequest, SquidsManagerAclAndProtoMatchTheFacts) {
    AclTable table; // squid's predefined ACLs, `manager` among them
    Acl& proto = table.add("cachemgr", AclType::proto, {"test.conf", 1});
    bool icase = false;
    ASSERT_TRUE(add_acl_values(proto, std::vector<std::string>{"cache_object"}, icase).empty());
    for (const char* target : {"cache_object://127.0.0.1/info", "/squid-internal-mgr/info",
                               "http://127.0.0.1:3128/squid-internal-mgr/menu"}) {
        auto r = manager_request(target, self);
        ASSERT_TRUE(r) << target;
        RequestFacts facts;
        facts.url = r->url;
        facts.scheme = r->scheme;
        facts.host = r->target.host;
        facts.port = r->target.port;
        EXPECT_TRUE(table.find("manager")->matches(facts)) << target;
        EXPECT_EQ(table.find("cachemgr")->matches(facts), r->scheme == "cache_object") << target;
    }
}

TEST(ManagerPages, MenuListsThePagesAsSquidDoes) {
    auto res = manager_response("menu", http::verb::get, snapshot());
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res[http::field::content_type], "text/plain;charset=utf-8");
    EXPECT_EQ(res[http::field::server], "superd-proxy/0.1");
    EXPECT_EQ(res[http::field::date], "Tue, 02 Jan 2024 04:34:05 GMT");
    EXPECT_EQ(res.body(), " menu                  \tCache Manager Menu              \tpublic\n"
                          " info                  \tGeneral Runtime Information     \tpublic\n"
                          " counters              \tTraffic and Resource Counters   \tpublic\n");
    EXPECT_EQ(res[http::field::content_length], std::to_string(res.body().size()));
}

TEST(ManagerPages, InfoKeepsSquidsLabels) {
    auto res = manager_response("info", http::verb::get, snapshot());
    EXPECT_EQ(res.result_int(), 200u);
    EXPECT_EQ(res.version(), 11u);
    const std::string& b = res.body();
    EXPECT_TRUE(b.starts_with("superd-proxy Object Cache: Version 0.1\n")) << b;
    for (const char* line : {
             "Start Time:\tTue, 02 Jan 2024 03:04:05 GMT",
             "Current Time:\tTue, 02 Jan 2024 04:34:05 GMT",
             "Connection information for squid:",
             "\tNumber of clients accessing cache:\t7",
             "\tNumber of HTTP requests received:\t180",
             "\tNumber of ICP messages received:\t0",
             "\tRequest failure ratio:\t 0.05", // 9 answers of 4xx/5xx in 180
             "\tAverage HTTP requests per minute since start:\t2.0",
             "Cache information for squid:",
             "\tHits as % of all requests:\t5min: 25.0%, 60min: 25.0%",
             "\tHits as % of bytes sent:\t5min: 25.0%, 60min: 25.0%",
             "\tMemory hits as % of hit requests:\t5min: 33.3%, 60min: 33.3%",
             "\tDisk hits as % of hit requests:\t5min: 66.7%, 60min: 66.7%",
             "\tStorage Swap size:\t51200 KB",
             "\tStorage Swap capacity:\t25.0% used, 75.0% free",
             "\tStorage Mem size:\t4096 KB",
             "\tStorage Mem capacity:\t25.0% used, 75.0% free",
             "\tMean Object Size:\t256.00 KB",
             "Resource usage for squid:",
             "\tUP Time:\t5400.250 seconds",
             "Internal Data Structures:",
             "\t   220 StoreEntries",
             "\t    20 StoreEntries with MemObjects",
             "\t    20 Hot Object Cache Items",
             "\t   200 on-disk objects",
         })
        EXPECT_TRUE(has_line(b, line)) << "missing: " << line << "\n" << b;
}

TEST(ManagerPages, InfoWithoutCachesOrCountersIsAllZeros) {
    ManagerSnapshot s;
    s.started = s.now = std::chrono::system_clock::time_point(std::chrono::seconds(start_seconds));
    const std::string b = manager_response("info", http::verb::get, s).body();
    for (const char* line : {
             "\tNumber of HTTP requests received:\t0",
             "\tRequest failure ratio:\t 0.00",
             "\tAverage HTTP requests per minute since start:\t0.0",
             "\tHits as % of all requests:\t5min: 0.0%, 60min: 0.0%",
             "\tStorage Swap size:\t0 KB",
             "\tStorage Swap capacity:\t 0.0% used,  0.0% free",
             "\tMean Object Size:\t0.00 KB",
             "\t     0 on-disk objects",
         })
        EXPECT_TRUE(has_line(b, line)) << "missing: " << line << "\n" << b;
}

TEST(ManagerPages, CountersAreSquidsNameValueLines) {
    const std::string b = manager_response("counters", http::verb::get, snapshot()).body();
    EXPECT_TRUE(b.starts_with("sample_time = 1704170045.250000 (Tue, 02 Jan 2024 04:34:05 GMT)\n"))
        << b;
    for (const char* line : {
             "client_http.requests = 180",
             "client_http.hits = 45",
             "client_http.errors = 9",
             "client_http.kbytes_out = 4000",
             "client_http.hit_kbytes_out = 1000",
             "server.all.requests = 130",
             "server.http.requests = 128",
             "server.ftp.requests = 0",
             "server.other.requests = 2",
             "icp.pkts_sent = 0",
             "aborted_requests = 1",
             "superd.denied = 3",
             "superd.manager_requests = 4",
         })
        EXPECT_TRUE(has_line(b, line)) << "missing: " << line << "\n" << b;
    // Every line is `name = value`, as the scripts that read squid's page split it.
    std::regex shape(R"([a-z_0-9.]+ = [^\n]+)");
    std::size_t from = 0;
    while (from < b.size()) {
        auto end = b.find('\n', from);
        ASSERT_NE(end, std::string::npos);
        EXPECT_TRUE(std::regex_match(b.substr(from, end - from), shape))
            << b.substr(from, end - from);
        from = end + 1;
    }
}

TEST(ManagerPages, UnknownPageIs404ListingThePages) {
    auto res = manager_response("5min", http::verb::get, snapshot());
    EXPECT_EQ(res.result_int(), 404u);
    EXPECT_EQ(res["X-Squid-Error"], "ERR_INVALID_URL");
    EXPECT_NE(res.body().find("Unknown cache manager page '5min'"), std::string::npos);
    for (const auto& [name, description] : manager_pages())
        EXPECT_NE(res.body().find(" " + name + " "), std::string::npos) << name;
}

TEST(ManagerPages, HeadHasTheLengthButNoBodyAndOtherMethodsAre405) {
    auto get = manager_response("info", http::verb::get, snapshot());
    auto head = manager_response("info", http::verb::head, snapshot());
    EXPECT_EQ(head.result_int(), 200u);
    EXPECT_TRUE(head.body().empty());
    EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size()));

    auto post = manager_response("info", http::verb::post, snapshot());
    EXPECT_EQ(post.result_int(), 405u);
    EXPECT_EQ(post[http::field::allow], "GET, HEAD");
}

TEST(ManagerAnswer, NulloptForOrdinaryRequests) {
    EXPECT_FALSE(manager_answer("http://origin.test/", http::verb::get, self, snapshot()));
    auto res =
        manager_answer("cache_object://127.0.0.1/counters", http::verb::get, self, snapshot());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_NE(res->body().find("client_http.requests = 180\n"), std::string::npos);
}

} // namespace
} // namespace superd::proxy
