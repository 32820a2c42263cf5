// superd-vncd with real viewers: a console's screen captured by gvnccapture equals, pixel for
// pixel, the same output drawn by the console code in the test; vncsnapshot (JPEG) nearly so,
// also with a VNC password; keys typed over RFB reach the pty and show on the next capture; two
// viewers of a shared console see one screen; under superd with wait = no each viewer gets a
// console of its own; a console's log file gets the command's bytes as written.
#include "tests/system/vnc/vnc_fixture.hpp"

#include <gtest/gtest.h>

#include <thread>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace superd::system_test {
namespace {

constexpr int cols = 40, rows = 10;

class VncViewers : public ::testing::Test {
  protected:
    void start(const std::string& extra = {}) {
        port_ = free_port(SOCK_STREAM);
        write_file(dir_.file("vnc.ini"),
                   "[console hello]\n"
                   "command = /bin/sh -c \"printf 'hello world\\\\n'; exec cat\"\n"
                   "geometry = " +
                       std::to_string(cols) + "x" + std::to_string(rows) +
                       "\n"
                       "port = " +
                       std::to_string(port_) + "\n" + extra);
        ASSERT_TRUE(
            vncd_.start({vncd_binary(), "-c", dir_.file("vnc.ini"), "-d"}, dir_.file("vncd.log")));
        auto deadline = std::chrono::steady_clock::now() + 10s;
        while (read_file(dir_.file("vncd.log")).find("started") == std::string::npos) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << log();
            std::this_thread::sleep_for(20ms);
        }
    }
    std::string log() { return "\nsuperd-vncd:\n" + read_file(dir_.file("vncd.log")); }

    TempDir dir_;
    Process vncd_;
    int port_ = 0;
};

TEST_F(VncViewers, GvnccaptureIsPixelExact) {
    start();
    std::string why;
    EXPECT_TRUE(
        capture_shows(port_, dir_, expected_screen(cols, rows, "hello world\r\n"), 10s, &why))
        << why << log();
}

TEST_F(VncViewers, VncsnapshotMatchesWithinJpegLoss) {
    start();
    ASSERT_TRUE(capture_shows(port_, dir_, expected_screen(cols, rows, "hello world\r\n")))
        << log();
    std::string out;
    auto shot = capture_vncsnapshot(port_, dir_, {}, &out);
    ASSERT_TRUE(shot) << out << log();
    Image expected = expected_screen(cols, rows, "hello world\r\n");
    EXPECT_EQ(shot->width, expected.width);
    EXPECT_EQ(shot->height, expected.height);
    EXPECT_LT(mean_difference(*shot, expected), 3.0) << out;
    // A blank screen differs by more: the comparison can fail.
    EXPECT_GT(mean_difference(*shot, expected_screen(cols, rows, "")), 0.5);
}

TEST_F(VncViewers, TypedKeysReachThePtyAndShowOnTheScreen) {
    start();
    std::string out;
    ASSERT_TRUE(rfb_type(port_, "abc\n", &out)) << out << log();
    // The pty echoes "abc", Return, then cat prints the line back.
    std::string why;
    EXPECT_TRUE(capture_shows(
        port_, dir_, expected_screen(cols, rows, "hello world\r\nabc\r\nabc\r\n"), 10s, &why))
        << why << log();
}

TEST_F(VncViewers, VncPasswordIsRequiredAndChecked) {
    auto made = run_command({vncd_binary(), "--passwd", dir_.file("vnc.passwd")}, "sesame\n", 10s);
    ASSERT_EQ(made.status, 0) << made.out;
    start("password_file = vnc.passwd\n");
    std::string out;
    auto shot = capture_vncsnapshot(port_, dir_, dir_.file("vnc.passwd"), &out);
    ASSERT_TRUE(shot) << out << log();
    EXPECT_LT(mean_difference(*shot, expected_screen(cols, rows, "hello world\r\n")), 3.0);
    // Another password: refused (after the server's pause).
    ASSERT_EQ(run_command({vncd_binary(), "--passwd", dir_.file("wrong.passwd")}, "letmein\n", 10s)
                  .status,
              0);
    EXPECT_FALSE(capture_vncsnapshot(port_, dir_, dir_.file("wrong.passwd"), &out)) << out;
    // The server logs the refusal as it closes, which may be a moment after the viewer gave up.
    EXPECT_TRUE(wait_until(
        [&] { return read_file(dir_.file("vncd.log")).find("handshake") != std::string::npos; },
        10s))
        << log();
    // No security None for a scripted client that does not know the password.
    EXPECT_FALSE(rfb_type(port_, "x", &out)) << out;
}

TEST_F(VncViewers, SharedConsoleShowsOneScreenToEveryViewer) {
    start("shared = yes\n");
    std::string out;
    ASSERT_TRUE(rfb_type(port_, "shared\n", &out)) << out << log();
    Image expected = expected_screen(cols, rows, "hello world\r\nshared\r\nshared\r\n");
    EXPECT_TRUE(capture_shows(port_, dir_, expected)) << log();
    // A second, separate viewer sees the same.
    auto again = capture_gvnc(port_, dir_, &out);
    ASSERT_TRUE(again) << out;
    EXPECT_EQ(*again, expected);
}

// superd hands each connection over (wait = no): each viewer gets its own console, whose
// command prints its own process id.
TEST(VncUnderSuperd, WaitNoGivesEachViewerAConsoleOfItsOwn) {
    TempDir dir;
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("vnc.ini"), "[console own]\n"
                                    "command = /bin/sh -c \"echo pid $$; exec cat\"\n"
                                    "geometry = 40x10\n"
                                    "port = " +
                                        std::to_string(port) + "\n");
    std::string service = service_block(
        "vnc",
        {"type = UNLISTED", "socket_type = stream", "protocol = tcp", "wait = no", "flags = IPv4",
         "port = " + std::to_string(port), "user = root", "server = " + vncd_binary(),
         "server_args = -c " + dir.file("vnc.ini") + " --log-file " + dir.file("vncd.log")});
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), service));
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    std::string out;
    auto first = capture_gvnc(port, dir, &out);
    ASSERT_TRUE(first) << out << read_file(dir.file("vncd.log")) << superd.log();
    auto second = capture_gvnc(port, dir, &out);
    ASSERT_TRUE(second) << out;
    EXPECT_NE(*first, *second) << "two consoles, two process ids";
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (count_of(read_file(dir.file("services.log")), "EXIT: vnc") < 2 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_EQ(count_of(read_file(dir.file("services.log")), "START: vnc"), 2);
    EXPECT_EQ(count_of(read_file(dir.file("services.log")), "EXIT: vnc"), 2)
        << read_file(dir.file("services.log")) << read_file(dir.file("vncd.log"));
}

} // namespace
} // namespace superd::system_test

namespace superd::system_test {
namespace {

// A display number nobody uses, for an Xvfb of the test's own.
int free_display() {
    for (int n = 90 + (::getpid() % 100);; ++n)
        if (::access(("/tmp/.X11-unix/X" + std::to_string(n)).c_str(), F_OK) != 0 &&
            ::access(("/tmp/.X" + std::to_string(n) + "-lock").c_str(), F_OK) != 0)
            return n;
}

// TigerVNC's vncviewer, under Xvfb, over VeNCrypt X509Vnc: TLS with our certificate, then the
// VNC password inside it; the console allows nothing else (tls_only).
TEST_F(VncViewers, TigerVncViewerOverVencryptTls) {
    auto cert = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                             dir_.file("key.pem"), "-out", dir_.file("cert.pem"), "-days", "2",
                             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                            {}, 30s);
    ASSERT_EQ(cert.status, 0) << cert.out;
    ASSERT_EQ(
        run_command({vncd_binary(), "--passwd", dir_.file("vnc.passwd")}, "sesame\n", 10s).status,
        0);
    start("password_file = vnc.passwd\ntls_cert = cert.pem\ntls_key = key.pem\ntls_only = yes\n");
    int display = free_display();
    Process xvfb, viewer;
    ASSERT_TRUE(xvfb.start(
        {"Xvfb", ":" + std::to_string(display), "-screen", "0", "800x600x24", "-nolisten", "tcp"},
        dir_.file("xvfb.log")));
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (::access(("/tmp/.X11-unix/X" + std::to_string(display)).c_str(), F_OK) != 0) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << xvfb.log();
        std::this_thread::sleep_for(50ms);
    }
    ASSERT_TRUE(
        viewer.start({"env", "DISPLAY=:" + std::to_string(display), "vncviewer", "-SecurityTypes",
                      "X509Vnc", "-X509CA", dir_.file("cert.pem"), "-PasswordFile",
                      dir_.file("vnc.passwd"), "127.0.0.1::" + std::to_string(port_)},
                     dir_.file("viewer.log")));
    // Connected through TLS and past ServerInit: the viewer chose its pixel format.
    deadline = std::chrono::steady_clock::now() + 20s;
    while (viewer.log().find("Using pixel format") == std::string::npos) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << viewer.log() << log();
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_NE(viewer.log().find("X509Vnc"), std::string::npos) << viewer.log();
    EXPECT_NE(read_file(dir_.file("vncd.log")).find("RFB 3.8, TLS"), std::string::npos) << log();
    std::this_thread::sleep_for(500ms);
    EXPECT_TRUE(viewer.running()) << viewer.log();
    EXPECT_EQ(read_file(dir_.file("vncd.log")).find("closed"), std::string::npos) << log();
    // A viewer without TLS is refused: the console offers VeNCrypt only.
    std::string out;
    EXPECT_FALSE(capture_vncsnapshot(port_, dir_, dir_.file("vnc.passwd"), &out)) << out;
}

} // namespace
} // namespace superd::system_test

namespace superd::system_test {
namespace {

// noVNC 1.3 (Debian's novnc) in headless Chromium, over the WebSocket path on the console's own
// port (no websockify): the page says it is connected to the console, and the server logged a
// WebSocket viewer.
TEST_F(VncViewers, NoVncInChromiumOverWebSocket) {
    start("title = novnc-test\n");
    int http_port = free_port(SOCK_STREAM);
    Process http;
    ASSERT_TRUE(http.start({"python3", "-m", "http.server", std::to_string(http_port), "--bind",
                            "127.0.0.1", "--directory", "/usr/share/novnc"},
                           dir_.file("http.log")));
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (run_command({"curl", "-sf", "-o", "/dev/null",
                        "http://127.0.0.1:" + std::to_string(http_port) + "/vnc_lite.html"},
                       {}, 5s)
               .status != 0) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << http.log();
        std::this_thread::sleep_for(100ms);
    }
    // Chromium's virtual time can run out before the WebSocket is up on a loaded machine:
    // a page that was still "Connecting" is loaded again, at most three times.
    const std::string connected = "<div id=\"status\">Connected to novnc-test";
    CommandResult page;
    for (int attempt = 0; attempt < 3 && page.out.find(connected) == std::string::npos; ++attempt)
        page = run_command({"timeout", "60", "chromium", "--headless", "--no-sandbox",
                            "--disable-gpu", "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync",
                            "--user-data-dir=" + dir_.file("chromium" + std::to_string(attempt)),
                            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                            "--virtual-time-budget=8000", "--dump-dom",
                            "http://127.0.0.1:" + std::to_string(http_port) +
                                "/vnc_lite.html?host=127.0.0.1&port=" + std::to_string(port_)},
                           {}, 90s);
    EXPECT_NE(page.out.find(connected), std::string::npos) << page.out.substr(0, 4000) << log();
    EXPECT_NE(read_file(dir_.file("vncd.log")).find(", WebSocket"), std::string::npos) << log();
}

} // namespace
} // namespace superd::system_test

namespace superd::system_test {
namespace {

// A second password lets a viewer in to watch: vncsnapshot with it sees the screen, and the
// server logs the viewer as view only.
TEST_F(VncViewers, ViewOnlyPasswordWatches) {
    ASSERT_EQ(
        run_command({vncd_binary(), "--passwd", dir_.file("full.passwd")}, "sesame\n", 10s).status,
        0);
    ASSERT_EQ(
        run_command({vncd_binary(), "--passwd", dir_.file("view.passwd")}, "watcher\n", 10s).status,
        0);
    start("password_file = full.passwd\nviewonly_password_file = view.passwd\n");
    std::string out;
    auto shot = capture_vncsnapshot(port_, dir_, dir_.file("view.passwd"), &out);
    ASSERT_TRUE(shot) << out << log();
    EXPECT_LT(mean_difference(*shot, expected_screen(cols, rows, "hello world\r\n")), 3.0);
    EXPECT_NE(read_file(dir_.file("vncd.log")).find("view only"), std::string::npos) << log();
}

// shared = exclusive: while one viewer is connected, another is turned away.
TEST_F(VncViewers, ExclusiveConsoleRefusesASecondViewer) {
    start("shared = exclusive\n");
    std::string out;
    std::thread holder([&] { rfb_type(port_, "", &out, 3.0); });
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (read_file(dir_.file("vncd.log")).find("RFB 3.8") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    std::string second;
    EXPECT_FALSE(capture_gvnc(port_, dir_, &second)) << second;
    holder.join();
    EXPECT_NE(read_file(dir_.file("vncd.log")).find("is in use by another viewer"),
              std::string::npos)
        << log();
    // Once it has left, the next viewer gets in.
    EXPECT_TRUE(capture_gvnc(port_, dir_, &second)) << second << log();
}

// ExtendedDesktopSize: a viewer asks for 640x320; the console becomes 80x20 cells, and the
// next viewer's capture has that size.
TEST_F(VncViewers, ExtendedDesktopSizeResizesTheConsole) {
    start();
    std::string out;
    ASSERT_TRUE(rfb_type(port_, "", &out, 0, "640x320")) << out << log();
    auto shot = capture_gvnc(port_, dir_, &out);
    ASSERT_TRUE(shot) << out;
    EXPECT_EQ(shot->width, 640);
    EXPECT_EQ(shot->height, 320);
}

// A vnc.ini in `dir` with one console (`section`, to which its port line is added): the port.
int write_console_ini(const TempDir& dir, const std::string& section) {
    int port = free_port(SOCK_STREAM);
    write_file(dir.file("vnc.ini"), section + "port = " + std::to_string(port) + "\n");
    return port;
}

// superd-vncd on that vnc.ini, logging to dir/vncd.log.
bool start_vncd(Process& vncd, const TempDir& dir) {
    return vncd.start({vncd_binary(), "-c", dir.file("vnc.ini"), "-d"}, dir.file("vncd.log"));
}

// The command ends: the console says so on its last line and runs it again.
TEST(VncConsole, AnEndedCommandIsRestartedWithABanner) {
    TempDir dir;
    write_console_ini(dir, "[console brief]\n"
                           "command = /bin/sh -c \"echo short run; sleep 0.2; exit 3\"\n"
                           "geometry = 40x10\n"
                           "restart_delay = 1\n");
    Process vncd;
    ASSERT_TRUE(start_vncd(vncd, dir));
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (count_of(read_file(dir.file("vncd.log")), "exited with status 3") < 2 &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    EXPECT_GE(count_of(read_file(dir.file("vncd.log")), "exited with status 3"), 2)
        << read_file(dir.file("vncd.log"));
    EXPECT_GE(count_of(read_file(dir.file("vncd.log")), "started /bin/sh"), 2);
}

// `log`: the bytes the command wrote, as written (escape sequences and the pty's CR LF
// included), appended across restarts; `-t` refuses a log whose folder is missing.
TEST(VncConsole, TheConsoleLogHasWhatTheCommandWrote) {
    TempDir dir;
    write_console_ini(
        dir, "[console logged]\n"
             "command = /bin/sh -c \"printf 'boot: \\\\033[1mready\\\\033[0m\\\\n'; sleep 0.1\"\n"
             "geometry = 40x10\n"
             "restart_delay = 0\n"
             "log = console.log\n");
    auto check = run_command({vncd_binary(), "-t", "-c", dir.file("vnc.ini")}, {}, 10s);
    ASSERT_EQ(check.status, 0) << check.out;
    Process vncd;
    ASSERT_TRUE(start_vncd(vncd, dir));
    const std::string line = "boot: \033[1mready\033[0m\r\n";
    EXPECT_TRUE(
        wait_until([&] { return count_of(read_file(dir.file("console.log")), line) >= 2; }, 10s))
        << read_file(dir.file("console.log")) << read_file(dir.file("vncd.log"));
    vncd.kill_now();
    std::string logged = read_file(dir.file("console.log"));
    EXPECT_EQ(logged.substr(0, 2 * line.size()), line + line);
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("console.log").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0640u);

    write_file(dir.file("lost.ini"), "[console a]\ncommand = /bin/cat\nlog = gone/a.log\n");
    auto bad = run_command({vncd_binary(), "-t", "-c", dir.file("lost.ini")}, {}, 10s);
    EXPECT_EQ(WEXITSTATUS(bad.status), 1) << bad.out;
    EXPECT_NE(bad.out.find(dir.file("lost.ini") + ":3: log " + dir.file("gone/a.log") +
                           ": folder " + dir.file("gone") + ": No such file or directory"),
              std::string::npos)
        << bad.out;
}

// A log that cannot be written (/dev/full: ENOSPC) is reported once; the console goes on.
TEST(VncConsole, ALogWriteErrorIsReportedOnceAndTheConsoleGoesOn) {
    TempDir dir;
    int port = write_console_ini(dir, "[console full]\n"
                                      "command = /bin/sh -c \"echo to a full disk; sleep 0.1\"\n"
                                      "geometry = 40x10\n"
                                      "restart_delay = 0\n"
                                      "log = /dev/full\n");
    Process vncd;
    ASSERT_TRUE(start_vncd(vncd, dir));
    EXPECT_TRUE(wait_until(
        [&] { return count_of(read_file(dir.file("vncd.log")), "started /bin/sh") >= 3; }, 10s))
        << read_file(dir.file("vncd.log"));
    EXPECT_EQ(count_of(read_file(dir.file("vncd.log")),
                       "console full: log /dev/full: write: No space left on device; not logging "
                       "this console any more"),
              1)
        << read_file(dir.file("vncd.log"));
    std::string out;
    EXPECT_TRUE(capture_gvnc(port, dir, &out)) << out;
}

// -t: every mistake with its file:line, exit 1; a good file: "configuration OK", exit 0.
TEST(VncConsole, CheckReportsFileAndLine) {
    TempDir dir;
    write_file(dir.file("bad.ini"),
               "[console a]\ncommand = /bin/cat\ngeometry = huge\ncolour = red\n");
    auto bad = run_command({vncd_binary(), "-t", "-c", dir.file("bad.ini")}, {}, 10s);
    EXPECT_EQ(WEXITSTATUS(bad.status), 1) << bad.out;
    EXPECT_NE(bad.out.find(dir.file("bad.ini") + ":3:"), std::string::npos) << bad.out;
    EXPECT_NE(bad.out.find(dir.file("bad.ini") + ":4:"), std::string::npos) << bad.out;
    auto good = run_command({vncd_binary(), "-t", "-c", SOURCE_DIR "/etc/vnc.ini"}, {}, 10s);
    EXPECT_EQ(good.status, 0) << good.out;
    EXPECT_NE(good.out.find("configuration OK"), std::string::npos);
}

} // namespace
} // namespace superd::system_test
