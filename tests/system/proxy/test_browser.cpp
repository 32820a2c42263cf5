// A real browser through superd-proxy: headless Chromium (Debian's `chromium`) loads the
// origin's /page.html through the proxy; the page's script fetches /data.json and writes it into
// the document, and the test reads the document Chromium dumps. The access log must show both
// requests, so the browser really went through the proxy (Chromium goes direct to loopback
// URLs unless told `--proxy-bypass-list=<-loopback>`; ../shared/ref/test-peers.md).
#include "tests/system/proxy/proxy_fixture.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

namespace superd::system_test {
namespace {

constexpr const char* chromium = "/usr/bin/chromium";

// The first line of `log` that contains `text`, or "".
std::string line_with(const std::string& log, const std::string& text) {
    auto at = log.find(text);
    if (at == std::string::npos) return {};
    auto begin = log.rfind('\n', at);
    begin = begin == std::string::npos ? 0 : begin + 1;
    return log.substr(begin, log.find('\n', at) - begin);
}

TEST(ProxyBrowser, HeadlessChromiumRunsThePageScriptThroughTheProxy) {
    // A missing peer is a failure, not a skip: scripts/install-deps installs it.
    ASSERT_TRUE(have_program(chromium))
        << chromium << " is missing: install Debian's chromium (scripts/install-deps)";

    TempDir dir;
    Child origin, proxy;
    int origin_port = free_port(SOCK_STREAM);
    ASSERT_TRUE(
        start_origin(origin, dir, origin_port, free_port(SOCK_STREAM), free_port(SOCK_STREAM)))
        << read_file(dir.file("origin.log"));
    int proxy_port = free_port(SOCK_STREAM);
    // Only the origin is allowed: whatever else Chromium asks for (its update and time
    // services, say) is denied at the proxy before any name is looked up (`dst` matches
    // numeric URLs only), so nothing leaves the machine.
    write_file(dir.file("squid.conf"), "acl localnet src 127.0.0.0/8\n"
                                       "acl origin dst 127.0.0.1/32\n"
                                       "http_access allow localnet origin\n"
                                       "http_access deny all\n"
                                       "visible_hostname test-proxy\n"
                                       "access_log stdio:" +
                                           dir.file("access.log") + " squid\n");
    ASSERT_TRUE(proxy.start({proxy_binary(), "-N", "-f", dir.file("squid.conf"), "--listen",
                             "127.0.0.1:" + std::to_string(proxy_port), "--log-file",
                             dir.file("proxy.log")},
                            dir.file("proxy.out")));
    ASSERT_TRUE(wait_for_port(proxy_port))
        << read_file(dir.file("proxy.out")) << read_file(dir.file("proxy.log"));

    const std::string page = "http://127.0.0.1:" + std::to_string(origin_port) + "/page.html";
    const std::string data = "http://127.0.0.1:" + std::to_string(origin_port) + "/data.json";
    // Chromium 1xx's `--headless` is the new headless mode (the old one is a separate
    // chrome-headless-shell now); `--dump-dom` prints the document once the virtual time
    // budget has run out, i.e. after the script's fetch. stdout is the DOM, stderr (D-Bus
    // complaints and the like) goes to a file. `timeout` bounds the run and kills its
    // process group: Chromium's helper processes with it. HOME: nothing lands in root's home.
    ::mkdir(dir.file("home").c_str(), 0700);
    const std::string err = dir.file("chromium.err");
    auto r = run_command(clean_env({"HOME=" + dir.file("home"),
                                    "sh",
                                    "-c",
                                    "exec \"$@\" 2>\"$0\"",
                                    err,
                                    "timeout",
                                    "-k",
                                    "5",
                                    "60",
                                    chromium,
                                    "--headless",
                                    "--no-sandbox",
                                    "--disable-gpu",
                                    "--no-first-run",
                                    "--disable-background-networking",
                                    "--disable-component-update",
                                    "--disable-sync",
                                    "--user-data-dir=" + dir.file("profile"),
                                    "--proxy-server=http://127.0.0.1:" + std::to_string(proxy_port),
                                    "--proxy-bypass-list=<-loopback>",
                                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                                    "--virtual-time-budget=5000",
                                    "--dump-dom",
                                    page}),
                         {}, 90s);
    auto diagnostics = [&] {
        return "\nchromium stdout:\n" + r.out + "\nchromium stderr:\n" + read_file(err) +
               "\naccess.log:\n" + read_file(dir.file("access.log")) + "proxy.log:\n" +
               read_file(dir.file("proxy.log"));
    };
    ASSERT_TRUE(r.status != -1 && WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0)
        << "status " << r.status << diagnostics();
    // The script ran and its fetch came back through the proxy.
    EXPECT_NE(r.out.find("<p id=\"out\">data: fetched-through-the-proxy</p>"), std::string::npos)
        << diagnostics();
    EXPECT_NE(r.out.find("<title>loaded</title>"), std::string::npos) << diagnostics();
    // Both requests are in the proxy's log, answered by the origin.
    const std::string access = dir.file("access.log");
    ASSERT_TRUE(file_shows(access, " GET " + page + " - HIER_DIRECT/127.0.0.1 text/html\n"))
        << diagnostics();
    ASSERT_TRUE(file_shows(access, " GET " + data + " - HIER_DIRECT/127.0.0.1 application/json\n"))
        << diagnostics();
    EXPECT_NE(line_with(read_file(access), page).find(" TCP_MISS/200 "), std::string::npos)
        << diagnostics();
    EXPECT_NE(line_with(read_file(access), data).find(" TCP_MISS/200 "), std::string::npos)
        << diagnostics();
    // Nothing went anywhere but to the origin.
    std::string log = read_file(dir.file("access.log"));
    EXPECT_EQ(count_of(log, "HIER_DIRECT/"), count_of(log, "HIER_DIRECT/127.0.0.1 "))
        << diagnostics();
}

} // namespace
} // namespace superd::system_test
