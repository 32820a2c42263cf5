// `superd -t`: the config check an operator runs before a reload, on our configs, on broken
// ones, and on the files Debian's xinetd package ships.
#include "tests/system/harness.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include <sys/wait.h>

namespace superd::system_test {
namespace {

bool exited_with(int status, int code) {
    return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

TEST(Check, TheShippedConfigIsValid) {
    auto r =
        run_command({superd_binary(), "-t", "-f", std::string(SOURCE_DIR) + "/etc/superd.conf"});
    EXPECT_TRUE(exited_with(r.status, 0)) << r.out;
    EXPECT_NE(r.out.find("configuration OK"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("dhcpd: dgram/udp wait 127.0.0.1:6767 -> "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ntp: dgram/udp wait 127.0.0.1:1123 -> "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("proxy: stream/tcp wait 127.0.0.1:3128 -> "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("echo-stream: stream/tcp nowait 127.0.0.1:7007 internal echo"),
              std::string::npos)
        << r.out;
}

TEST(Check, ErrorsNameTheFileAndLineAndFail) {
    TempDir dir;
    write_file(dir.file("superd.conf"),
               "defaults\n{\n    instances = 10\n}\n"
               "service broken\n{\n    type = UNLISTED\n    socket_type = stream\n"
               "    wait = no\n    port = 70000\n    server = /bin/true\n}\n"
               "service udpnowait\n{\n    type = UNLISTED\n    socket_type = dgram\n"
               "    protocol = udp\n    wait = no\n    user = root\n    port = 7999\n"
               "    server = /bin/true\n}\n");
    auto r = run_command({superd_binary(), "-t", "-f", dir.file("superd.conf")});
    EXPECT_TRUE(exited_with(r.status, 1)) << r.out;
    EXPECT_NE(r.out.find(dir.file("superd.conf") + ":10: "), std::string::npos) << r.out;
    // dgram + wait = no is refused at config time, with the reason.
    std::regex dgram_nowait(dir.file("superd.conf") + R"(:13: .*dgram.*wait)");
    EXPECT_TRUE(std::regex_search(r.out, dgram_nowait)) << r.out;
    EXPECT_EQ(r.out.find("configuration OK"), std::string::npos);
}

TEST(Check, SuperdRefusesToStartOnFatalErrorsAndSaysWhy) {
    TempDir dir;
    auto r = run_command({superd_binary(), "-dontfork", "-stderr", "-f", dir.file("missing.conf")});
    EXPECT_FALSE(exited_with(r.status, 0)) << r.out;
    EXPECT_NE(r.out.find("missing.conf"), std::string::npos) << r.out;
}

TEST(Check, DebiansXinetdFilesAreReadUnchanged) {
    const std::string dir = "/etc/xinetd.d";
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << "xinetd not installed: scripts/install-deps";
    // As shipped (every service disabled).
    TempDir tmp;
    write_file(tmp.file("xinetd.conf"), "includedir " + dir + "\n");
    auto r = run_command({superd_binary(), "-t", "-f", tmp.file("xinetd.conf")});
    EXPECT_TRUE(exited_with(r.status, 0)) << r.out;
    EXPECT_NE(r.out.find("configuration OK"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("echo: disabled"), std::string::npos) << r.out;
    // And Debian's own /etc/xinetd.conf, which includes them.
    if (std::filesystem::exists("/etc/xinetd.conf")) {
        auto d = run_command({superd_binary(), "-t", "-f", "/etc/xinetd.conf"});
        EXPECT_TRUE(exited_with(d.status, 0)) << d.out;
    }
    // With `disable = yes` taken out, every builtin Debian ships is a service superd serves.
    // (The *-udp files repeat the ids of the dgram entries in the others: one set at a time.)
    const std::vector<std::vector<std::string>> sets{
        {"chargen", "daytime", "discard", "echo", "time"},
        {"chargen-udp", "daytime-udp", "discard-udp", "echo-udp", "time-udp"}};
    for (std::size_t i = 0; i < sets.size(); ++i) {
        std::string d = tmp.file("d" + std::to_string(i));
        std::filesystem::create_directory(d);
        for (const auto& name : sets[i]) {
            std::string text = read_file(dir + "/" + name);
            text = std::regex_replace(text, std::regex(R"(disable\s*=\s*yes)"), "disable = no");
            write_file(d + "/" + name, text);
        }
        write_file(d + ".conf", "includedir " + d + "\n");
        auto e = run_command({superd_binary(), "-t", "-f", d + ".conf"});
        EXPECT_TRUE(exited_with(e.status, 0)) << e.out;
        std::vector<std::string> expected{"chargen-dgram: dgram/udp wait [::]:19 internal chargen",
                                          "time-dgram: dgram/udp wait [::]:37 internal time"};
        if (i == 0) {
            expected.push_back("chargen-stream: stream/tcp nowait [::]:19 internal chargen");
            expected.push_back("echo-stream: stream/tcp nowait [::]:7 internal echo");
        }
        for (const auto& line : expected)
            EXPECT_NE(e.out.find(line), std::string::npos) << line << "\n" << e.out;
    }
}

} // namespace
} // namespace superd::system_test
