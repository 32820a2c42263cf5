// superd-ntpd started by superd: superd holds a UDP port on 127.0.0.1 (dgram, wait = yes),
// starts the module when the first request arrives and hands it the socket on fd 0; that very
// first request is answered; the module exits when idle and the next request starts it again,
// and no request is lost across these hand-offs.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <thread>

namespace superd::system_test {
namespace {

// One mode 3 request; the reply's stratum when a mode 4 reply with our transmit timestamp as its
// origin comes (within 5 s: one datagram, never sent again).
std::optional<int> answered(int port, std::uint8_t tag = 0) {
    std::string request(48, '\0');
    request[0] = 0x23; // version 4, mode 3
    std::string nonce = "\x12\x34\x56\x78\x9a\xbc\xde\xf0";
    nonce[7] = static_cast<char>(tag);
    request.replace(40, 8, nonce);
    auto reply = udp_exchange(port, request, 5s);
    if (!reply || reply->size() != 48 || ((*reply)[0] & 7) != 4 || reply->substr(24, 8) != nonce)
        return std::nullopt;
    return static_cast<int>(static_cast<unsigned char>((*reply)[1]));
}

// superd-ntpd as superd starts it for the default profile: on the local clock at stratum 10
// (serving 11), its state file in a folder the module's user (nobody) may write.
TEST(NtpUnderSuperd, TheFirstRequestIsAnsweredAndNoneIsLostAcrossIdleExits) {
    TempDir dir;
    int port = free_port(SOCK_DGRAM);
    ::mkdir(dir.file("var").c_str(), 0755);
    passwd* nobody = ::getpwnam("nobody");
    ASSERT_NE(nobody, nullptr);
    ASSERT_EQ(::chown(dir.file("var").c_str(), nobody->pw_uid, nobody->pw_gid), 0);
    write_file(dir.file("ntp.conf"), "server 127.127.1.0\n"
                                     "fudge 127.127.1.0 stratum 10\n"
                                     "driftfile " +
                                         dir.file("var/ntp.drift") + "\n");
    std::string service =
        service_block("ntp", {"type = UNLISTED", "socket_type = dgram", "protocol = udp",
                              "wait = yes", "flags = IPv4", "port = " + std::to_string(port),
                              "user = nobody", "server = " + std::string(SUPERD_NTPD_BIN),
                              "server_args = -c " + dir.file("ntp.conf") +
                                  " --idle-timeout 1 --log-file " + dir.file("ntpd.log")});
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), service));
    // The module runs as nobody: its config and log file must be readable / writable for it.
    write_file(dir.file("ntpd.log"), "");
    ::chmod(dir.path().c_str(), 0755);
    ::chmod(dir.file("ntpd.log").c_str(), 0666);
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    auto services = [&] { return read_file(dir.file("services.log")); };
    auto module_log = [&] { return read_file(dir.file("ntpd.log")); };

    // The request that wakes the module is answered, at the local clock's stratum + 1.
    EXPECT_EQ(answered(port), 11) << services() << module_log();
    EXPECT_EQ(count_of(services(), "START: ntp"), 1) << services();
    // Idle for 1 s: the module exits, superd takes the socket back and starts it again.
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (count_of(services(), "EXIT: ntp") < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    ASSERT_EQ(count_of(services(), "EXIT: ntp"), 1) << services();
    EXPECT_EQ(answered(port), 11) << services() << module_log();
    EXPECT_EQ(count_of(services(), "START: ntp"), 2) << services();

    // Requests around the idle timeout, some landing while the module exits and superd takes
    // the socket back: each one is answered, none is lost (a single datagram each).
    int lost = 0;
    for (int i = 0; i < 12; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(850 + 25 * i));
        if (answered(port, static_cast<std::uint8_t>(i)) != 11) ++lost;
    }
    EXPECT_EQ(lost, 0) << services() << module_log();
    EXPECT_GE(count_of(services(), "START: ntp"), 3) << services();
    EXPECT_NE(module_log().find("handed over by superd"), std::string::npos) << module_log();
    // The state file the next start reads was written by the module, as nobody.
    EXPECT_NE(read_file(dir.file("var/ntp.state")).find("stratum 11"), std::string::npos)
        << module_log();
}

} // namespace
} // namespace superd::system_test
