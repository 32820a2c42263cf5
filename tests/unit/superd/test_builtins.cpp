// The INTERNAL services' bytes, compared with what xinetd's builtins.c produces.
#include "superd/builtins.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>

using namespace superd::daemon;

TEST(Builtins, Table) {
    EXPECT_EQ(find_builtin("echo", SocketType::stream), Builtin::echo);
    EXPECT_EQ(find_builtin("chargen", SocketType::dgram), Builtin::chargen);
    EXPECT_EQ(find_builtin("tcpmux", SocketType::stream), Builtin::tcpmux);
    EXPECT_EQ(find_builtin("tcpmux", SocketType::dgram), Builtin::none);
    EXPECT_EQ(find_builtin("servers", SocketType::stream), Builtin::none);
}

TEST(Builtins, DaytimeFormat) {
    setenv("TZ", "UTC", 1);
    tzset();
    // 2026-11-23 01:21:59 UTC
    EXPECT_EQ(daytime_text(1795396919), "23 NOV 2026 01:21:59 UTC\r\n");
    EXPECT_EQ(daytime_text(0), "01 JAN 1970 00:00:00 UTC\r\n");
}

TEST(Builtins, TimeIsSecondsSince1900BigEndian) {
    auto b = time_bytes(0);
    EXPECT_EQ(b, (std::array<std::uint8_t, 4>{0x83, 0xaa, 0x7e, 0x80})); // 2208988800
    b = time_bytes(1795396919);
    std::uint32_t v = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    EXPECT_EQ(v, static_cast<std::uint32_t>(1795396919ULL + 2208988800ULL));
}

TEST(Builtins, ChargenLinesRotateThroughTheRing) {
    Chargen c;
    std::string first, second;
    c.next_line(first);
    c.next_line(second);
    ASSERT_EQ(first.size(), 74u);
    EXPECT_EQ(first.substr(0, 72),
              "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefgh");
    EXPECT_EQ(first.substr(72), "\r\n");
    EXPECT_EQ(second[0], '"');
    // The ring wraps after '}' ('~' is never sent) and restarts after 95 lines.
    Chargen d;
    std::string all;
    for (int i = 0; i < 96; ++i)
        d.next_line(all);
    EXPECT_EQ(all.find('~'), std::string::npos);
    EXPECT_EQ(all.substr(95 * 74, 74), first);
    EXPECT_EQ(all.substr(94 * 74, 1), std::string(1, static_cast<char>('!' + 94 % 93)));
}

TEST(Builtins, ChargenDatagramIs1024Bytes) {
    Chargen c;
    std::string d = c.datagram();
    ASSERT_EQ(d.size(), 1024u);
    // 13 full lines, then one of 60 characters: xinetd fills the whole buffer.
    EXPECT_EQ(d.substr(13 * 74 + 60, 2), "\r\n");
    EXPECT_EQ(d.substr(72, 2), "\r\n");
}

TEST(Builtins, TcpmuxRepliesHaveNoTrailingNul) {
    EXPECT_EQ(std::string(tcpmux_ack), "+Go\r\n");
    EXPECT_EQ(std::string(tcpmux_not_found), "-Service name not found\r\n");
}
