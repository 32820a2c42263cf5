#include "common/config_lines.hpp"

#include "temp_dir.hpp"

#include <gtest/gtest.h>

namespace superd::common {
namespace {

using test::TempDir;
using test::write_file;

TEST(ReadConfigLines, NumbersLinesAndStripsLineEnds) {
    TempDir dir;
    std::string path = dir.file("x.conf");
    write_file(path, "first\r\nsecond\n\n  indented\t\r\nmid\rdle\nlast-without-newline");
    auto lines = read_config_lines(path);
    ASSERT_TRUE(lines) << lines.error();
    ASSERT_EQ(lines->size(), 6u);
    const std::vector<std::string> expected{"first",        "second",   "",
                                            "  indented\t", "mid\rdle", "last-without-newline"};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ((*lines)[i].text, expected[i]) << i;
        EXPECT_EQ((*lines)[i].where.file, path);
        EXPECT_EQ((*lines)[i].where.line, static_cast<int>(i + 1));
    }
}

TEST(ReadConfigLines, TrailingNewlineAddsNoLine) {
    TempDir dir;
    std::string path = dir.file("x.conf");
    write_file(path, "a\nb\n");
    auto lines = read_config_lines(path);
    ASSERT_TRUE(lines);
    ASSERT_EQ(lines->size(), 2u);
    EXPECT_EQ((*lines)[1].text, "b");
    EXPECT_EQ((*lines)[1].where.line, 2);
}

TEST(ReadConfigLines, OnlyOneCarriageReturnIsStripped) {
    TempDir dir;
    std::string path = dir.file("x.conf");
    write_file(path, "a\r\r\n\r\n");
    auto lines = read_config_lines(path);
    ASSERT_TRUE(lines);
    ASSERT_EQ(lines->size(), 2u);
    EXPECT_EQ((*lines)[0].text, "a\r");
    EXPECT_EQ((*lines)[1].text, "");
}

TEST(ReadConfigLines, KeepsBinaryBytes) {
    TempDir dir;
    std::string path = dir.file("x.conf");
    write_file(path, std::string("a\0b\n\xff\n", 6));
    auto lines = read_config_lines(path);
    ASSERT_TRUE(lines);
    ASSERT_EQ(lines->size(), 2u);
    EXPECT_EQ((*lines)[0].text, std::string("a\0b", 3));
    EXPECT_EQ((*lines)[1].text, "\xff");
}

TEST(ReadConfigLines, EmptyFileHasNoLines) {
    TempDir dir;
    std::string path = dir.file("empty.conf");
    write_file(path, "");
    auto lines = read_config_lines(path);
    ASSERT_TRUE(lines);
    EXPECT_TRUE(lines->empty());
}

TEST(ReadConfigLines, MissingFile) {
    TempDir dir;
    std::string path = dir.file("missing.conf");
    auto lines = read_config_lines(path);
    ASSERT_FALSE(lines);
    EXPECT_EQ(lines.error(), path + ": No such file or directory");
}

TEST(ReadConfigLines, Directory) {
    TempDir dir;
    auto lines = read_config_lines(dir.path());
    ASSERT_FALSE(lines);
    EXPECT_EQ(lines.error(), dir.path() + ": Is a directory");
}

TEST(SplitBlanks, SpacesAndTabs) {
    EXPECT_EQ(split_blanks("a b\tc"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(split_blanks("  \t a \t\t b  "), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(split_blanks("server_args = -l -a"),
              (std::vector<std::string>{"server_args", "=", "-l", "-a"}));
    EXPECT_EQ(split_blanks("single"), (std::vector<std::string>{"single"}));
}

TEST(SplitBlanks, EmptyAndBlank) {
    EXPECT_TRUE(split_blanks("").empty());
    EXPECT_TRUE(split_blanks("   ").empty());
    EXPECT_TRUE(split_blanks("\t\t").empty());
}

TEST(SplitBlanks, NoQuotingAndOtherWhitespaceKept) {
    EXPECT_EQ(split_blanks("\"a b\""), (std::vector<std::string>{"\"a", "b\""}));
    EXPECT_EQ(split_blanks("a\rb\nc"), (std::vector<std::string>{"a\rb\nc"}));
    EXPECT_EQ(split_blanks("a\r"), (std::vector<std::string>{"a\r"}));
}

TEST(Trim, RemovesBlanksAtBothEnds) {
    EXPECT_EQ(trim("  abc  "), "abc");
    EXPECT_EQ(trim("\t\r\n abc def \r\n"), "abc def");
    EXPECT_EQ(trim("abc"), "abc");
    EXPECT_EQ(trim(""), "");
    EXPECT_EQ(trim(" \t\r\n"), "");
    EXPECT_EQ(trim("a \t b"), "a \t b");
    EXPECT_EQ(trim("\va\f"), "\va\f"); // only space, tab, CR and LF count
}

TEST(Trim, ReturnsAViewIntoTheInput) {
    std::string_view input = "  xy  ";
    std::string_view out = trim(input);
    EXPECT_EQ(out.data(), input.data() + 2);
    EXPECT_EQ(out.size(), 2u);
}

} // namespace
} // namespace superd::common
