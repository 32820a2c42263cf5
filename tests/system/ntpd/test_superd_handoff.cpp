// superd-ntpd started by superd: superd holds a UDP port on 127.0.0.1 (dgram, wait = yes),
// starts the module when the first request arrives and hands it the socket on fd 0; that very
// first request is answered; the module exits when idle and the next request starts it again.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <thread>

namespace superd::system_test {
namespace {

// One mode 3 request; true when a mode 4 reply with our transmit timestamp as its origin comes.
// (The binary is unsynchronized until ntp.conf support lands, which clients such as rdate
// rightly refuse to take time from: the exchange itself is what is tested here.)
bool answered(int port) {
    std::string request(48, '\0');
    request[0] = 0x23; // version 4, mode 3
    const std::string nonce = "\x12\x34\x56\x78\x9a\xbc\xde\xf0";
    request.replace(40, 8, nonce);
    auto reply = udp_exchange(port, request, 5s);
    return reply && reply->size() == 48 && ((*reply)[0] & 7) == 4 && reply->substr(24, 8) == nonce;
}

TEST(NtpUnderSuperd, TheFirstRequestIsAnsweredAndTheModuleComesBackAfterItsIdleExit) {
    TempDir dir;
    int port = free_port(SOCK_DGRAM);
    std::string service =
        service_block("ntp", {"type = UNLISTED", "socket_type = dgram", "protocol = udp",
                              "wait = yes", "flags = IPv4", "port = " + std::to_string(port),
                              "user = nobody", "server = " + std::string(SUPERD_NTPD_BIN),
                              "server_args = --idle-timeout 2 --log-file " + dir.file("ntpd.log")});
    write_file(dir.file("superd.conf"), config_text(dir.file("services.log"), service));
    // The module runs as nobody: its log file must be writable for it.
    write_file(dir.file("ntpd.log"), "");
    ::chmod(dir.path().c_str(), 0755);
    ::chmod(dir.file("ntpd.log").c_str(), 0666);
    Superd superd;
    ASSERT_TRUE(superd.start(dir.file("superd.conf"))) << superd.log();
    auto services = [&] { return read_file(dir.file("services.log")); };

    EXPECT_TRUE(answered(port)) << services() << read_file(dir.file("ntpd.log"));
    EXPECT_EQ(count_of(services(), "START: ntp"), 1) << services();
    // Idle for 2 s: the module exits, superd takes the socket back and starts it again.
    auto deadline = std::chrono::steady_clock::now() + 15s;
    while (count_of(services(), "EXIT: ntp") < 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    ASSERT_EQ(count_of(services(), "EXIT: ntp"), 1) << services();
    EXPECT_TRUE(answered(port)) << services() << read_file(dir.file("ntpd.log"));
    EXPECT_EQ(count_of(services(), "START: ntp"), 2) << services();
    EXPECT_NE(read_file(dir.file("ntpd.log")).find("handed over by superd"), std::string::npos)
        << read_file(dir.file("ntpd.log"));
}

} // namespace
} // namespace superd::system_test
