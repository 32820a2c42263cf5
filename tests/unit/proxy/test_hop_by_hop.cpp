// Hop-by-hop fields (RFC 9110 7.6.1, RFC 9111 3.1) removed before storing or forwarding.
#include "proxy/hop_by_hop.hpp"

#include "tests/unit/proxy/http_messages.hpp"

#include <gtest/gtest.h>

namespace superd::proxy {
namespace {

TEST(HopByHop, StripsTheFixedListAndWhatConnectionNames) {
    auto r = test::response(200, {{"Connection", "close, X-Trace"},
                                  {"connection", "x-debug"},
                                  {"Keep-Alive", "timeout=5"},
                                  {"Proxy-Connection", "keep-alive"},
                                  {"TE", "trailers"},
                                  {"Transfer-Encoding", "chunked"},
                                  {"Upgrade", "websocket"},
                                  {"Trailer", "X-Sum"},
                                  {"Proxy-Authenticate", "Basic"},
                                  {"Proxy-Authorization", "Basic dTpw"},
                                  {"Proxy-Authentication-Info", "x"},
                                  {"Content-Type", "text/plain"},
                                  {"X-Trace", "1"},
                                  {"X-TRACE", "2"},
                                  {"X-Debug", "3"},
                                  {"Cache-Control", "max-age=1"}});
    strip_hop_by_hop(r);
    EXPECT_EQ(test::dump(r), "Content-Type: text/plain\nCache-Control: max-age=1\n");
}

TEST(HopByHop, ConnectionOptionsAreLowercased) {
    const auto r =
        test::response(200, {{"Connection", "Keep-Alive, X-A"}, {"Connection", "close"}});
    EXPECT_EQ(connection_options(r), (std::vector<std::string>{"keep-alive", "x-a", "close"}));
}

TEST(HopByHop, Names) {
    EXPECT_TRUE(is_hop_by_hop("transfer-encoding"));
    EXPECT_TRUE(is_hop_by_hop("PROXY-CONNECTION"));
    EXPECT_FALSE(is_hop_by_hop("Content-Length"));
    EXPECT_FALSE(is_hop_by_hop("Authorization"));
}

TEST(HopByHop, NothingToStrip) {
    auto r = test::response(200, {{"Content-Length", "5"}});
    strip_hop_by_hop(r);
    EXPECT_EQ(test::dump(r), "Content-Length: 5\n");
}

} // namespace
} // namespace superd::proxy
