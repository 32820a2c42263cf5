// The `command` key's word splitting: shell-like quoting, no shell.
#include "vnc/config/command_line.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

using Words = std::vector<std::string>;

Words split(std::string_view text) {
    auto words = split_command(text);
    EXPECT_TRUE(words.has_value()) << text << ": " << words.error();
    return words.value_or(Words{});
}

std::string failure(std::string_view text) {
    auto words = split_command(text);
    EXPECT_FALSE(words.has_value()) << text;
    return words.has_value() ? "" : words.error();
}

TEST(CommandLine, SplitsOnBlanks) {
    EXPECT_EQ(split("virsh console guest1"), (Words{"virsh", "console", "guest1"}));
    EXPECT_EQ(split("socat - UNIX-CONNECT:/run/vm/serial.sock"),
              (Words{"socat", "-", "UNIX-CONNECT:/run/vm/serial.sock"}));
    EXPECT_EQ(split("/bin/login"), (Words{"/bin/login"}));
    EXPECT_EQ(split("  a \t b  "), (Words{"a", "b"}));
}

TEST(CommandLine, DoubleQuotes) {
    EXPECT_EQ(split(R"(sh -c "echo hello world")"), (Words{"sh", "-c", "echo hello world"}));
    EXPECT_EQ(split(R"(--name="a b")"), (Words{"--name=a b"}));
    EXPECT_EQ(split(R"("say \"hi\"" "back\\slash" "keep \n")"),
              (Words{R"(say "hi")", R"(back\slash)", R"(keep \n)"}));
    EXPECT_EQ(split(R"(a "" b)"), (Words{"a", "", "b"}));
}

TEST(CommandLine, SingleQuotesAreLiteral) {
    EXPECT_EQ(split(R"(sh -c 'echo "$HOME" \n')"), (Words{"sh", "-c", R"(echo "$HOME" \n)"}));
    EXPECT_EQ(split(R"('a'"b"c)"), (Words{"abc"}));
    EXPECT_EQ(split("''"), (Words{""}));
}

TEST(CommandLine, BackslashOutsideQuotes) {
    EXPECT_EQ(split(R"(a\ b c\"d \\)"), (Words{"a b", "c\"d", "\\"}));
}

TEST(CommandLine, NoShell) {
    EXPECT_EQ(split("echo $HOME *.txt | cat > out"),
              (Words{"echo", "$HOME", "*.txt", "|", "cat", ">", "out"}));
}

TEST(CommandLine, Errors) {
    EXPECT_EQ(failure(R"(sh -c "echo)"), "unclosed \" in the command");
    EXPECT_EQ(failure("sh -c 'echo"), "unclosed ' in the command");
    EXPECT_EQ(failure(R"(echo \)"), "a backslash ends the command");
    EXPECT_EQ(failure(""), "the command is empty");
    EXPECT_EQ(failure(" \t "), "the command is empty");
}

} // namespace
} // namespace superd::vnc
