// The PAC file about the proxy (proxy/pac.hpp): which targets ask for it, and the script naming
// the address the client reached the proxy at.
#include "proxy/pac.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

ManagerSelf self_v4() {
    return {"proxy.lab", "192.168.100.1", 3128};
}

TEST(ProxyPac, OriginFormPathsAreForIt) {
    for (const char* target : {"/wpad.dat", "/proxy.pac", "/wpad.dat?x=1"}) {
        auto r = pac_request(target, self_v4());
        ASSERT_TRUE(r) << target;
        EXPECT_EQ(r->target.host, "192.168.100.1");
        EXPECT_EQ(r->target.port, 3128);
        EXPECT_EQ(r->url, std::string("http://192.168.100.1:3128") + target);
    }
    EXPECT_FALSE(pac_request("/", self_v4()));
    EXPECT_FALSE(pac_request("/wpad.dat.bak", self_v4()));
    EXPECT_FALSE(pac_request("/squid-internal-mgr/info", self_v4()));
}

TEST(ProxyPac, AbsoluteOnlyWhenItNamesThisProxy) {
    EXPECT_TRUE(pac_request("http://192.168.100.1:3128/wpad.dat", self_v4()));
    EXPECT_TRUE(pac_request("http://proxy.lab:3128/proxy.pac", self_v4()));
    // Another server's PAC file is forwarded like any other object.
    EXPECT_FALSE(pac_request("http://192.168.100.9:3128/wpad.dat", self_v4()));
    EXPECT_FALSE(pac_request("http://192.168.100.1/wpad.dat", self_v4()));
}

TEST(ProxyPac, ScriptNamesTheAddressTheClientUsed) {
    EXPECT_EQ(pac_script(self_v4()), "// superd-proxy: the proxy auto-config for this lab\n"
                                     "function FindProxyForURL(url, host) {\n"
                                     "    if (isPlainHostName(host) || host == \"localhost\" ||\n"
                                     "        shExpMatch(host, \"127.*\") || host == \"[::1]\" || "
                                     "host == \"::1\")\n"
                                     "        return \"DIRECT\";\n"
                                     "    return \"PROXY 192.168.100.1:3128; DIRECT\";\n"
                                     "}\n");
    EXPECT_NE(pac_script({"", "::1", 8080}).find("PROXY [::1]:8080; DIRECT"), std::string::npos);
}

TEST(ProxyPac, ResponseHeadAndMethods) {
    auto get = pac_response(http::verb::get, self_v4());
    EXPECT_EQ(get.result_int(), 200);
    EXPECT_EQ(get[http::field::content_type], "application/x-ns-proxy-autoconfig");
    EXPECT_EQ(get.body(), pac_script(self_v4()));
    auto head = pac_response(http::verb::head, self_v4());
    EXPECT_TRUE(head.body().empty());
    EXPECT_EQ(head[http::field::content_length], std::to_string(get.body().size()));
    auto post = pac_response(http::verb::post, self_v4());
    EXPECT_EQ(post.result_int(), 405);
    EXPECT_EQ(post[http::field::allow], "GET, HEAD");
}

} // namespace
} // namespace superd::proxy
