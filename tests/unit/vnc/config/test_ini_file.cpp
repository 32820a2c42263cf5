// The INI syntax through inih: sections and keys with their lines, comments, and every
// malformed line reported with its line number.
#include "vnc/config/ini_file.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

using Messages = std::vector<std::string>;

struct Read {
    std::vector<IniSection> sections;
    Messages messages;
};

Read read(std::string_view text) {
    common::Diagnostics diags;
    Read out{read_ini(text, "vnc.ini", diags), {}};
    for (const auto& d : diags.all())
        out.messages.push_back(d.str());
    return out;
}

TEST(IniFile, SectionsAndKeysWithTheirLines) {
    auto r = read("; a comment\n"
                  "# another\n"
                  "\n"
                  "[console a]\n"
                  "command = virsh console a\n"
                  "geometry=80x25\n"
                  "[defaults]\n"
                  "  restart : never\n");
    EXPECT_EQ(r.messages, Messages{});
    ASSERT_EQ(r.sections.size(), 2u);
    EXPECT_EQ(r.sections[0].header, "console a");
    EXPECT_EQ(r.sections[0].where.line, 4);
    EXPECT_EQ(r.sections[0].where.file, "vnc.ini");
    ASSERT_EQ(r.sections[0].entries.size(), 2u);
    EXPECT_EQ(r.sections[0].entries[0].key, "command");
    EXPECT_EQ(r.sections[0].entries[0].value, "virsh console a");
    EXPECT_EQ(r.sections[0].entries[0].where.line, 5);
    EXPECT_EQ(r.sections[0].entries[1].value, "80x25");
    EXPECT_EQ(r.sections[0].entries[1].where.line, 6);
    EXPECT_EQ(r.sections[1].header, "defaults");
    ASSERT_EQ(r.sections[1].entries.size(), 1u);
    EXPECT_EQ(r.sections[1].entries[0].key, "restart"); // indented, ':' as in configparser
    EXPECT_EQ(r.sections[1].entries[0].value, "never");
    EXPECT_EQ(r.sections[1].entries[0].where.line, 8);
}

TEST(IniFile, InlineCommentsNeedABlankBeforeTheSemicolon) {
    auto r = read("[ console  a ] ; the first\n"
                  "title = a;b ; the title\n");
    EXPECT_EQ(r.messages, Messages{});
    ASSERT_EQ(r.sections.size(), 1u);
    EXPECT_EQ(r.sections[0].header, "console  a");
    ASSERT_EQ(r.sections[0].entries.size(), 1u);
    EXPECT_EQ(r.sections[0].entries[0].value, "a;b");
}

TEST(IniFile, IndentedLinesAreNotContinuations) {
    // inih would append an indented line to the previous value; here it is a line of its own.
    auto r = read("[console a]\n"
                  "command = a\n"
                  "    more words\n");
    EXPECT_EQ(r.messages, Messages{"vnc.ini:3: expected 'key = value' or '[section]'"});
    ASSERT_EQ(r.sections[0].entries.size(), 1u);
}

TEST(IniFile, CrLfAndByteOrderMark) {
    auto r = read("\xEF\xBB\xBF[console a]\r\ncommand = x\r\n");
    EXPECT_EQ(r.messages, Messages{});
    ASSERT_EQ(r.sections.size(), 1u);
    EXPECT_EQ(r.sections[0].header, "console a");
    EXPECT_EQ(r.sections[0].entries[0].value, "x");
}

TEST(IniFile, EveryMalformedLineIsReported) {
    auto r = read("orphan = 1\n"
                  "[console a\n"
                  "inside = the broken section\n"
                  "[console b] junk\n"
                  "no equals sign\n"
                  "= value\n"
                  "good = yes\n"
                  "also bad\n"
                  "last = 1"); // no newline at the end
    EXPECT_EQ(r.messages, (Messages{
                              "vnc.ini:1: key 'orphan' before any [section]",
                              "vnc.ini:2: missing ']' in section header",
                              "vnc.ini:4: unexpected text after ']' in section header",
                              "vnc.ini:5: expected 'key = value' or '[section]'",
                              "vnc.ini:6: missing key name before '='",
                              "vnc.ini:8: expected 'key = value' or '[section]'",
                          }));
    ASSERT_EQ(r.sections.size(), 1u);
    EXPECT_EQ(r.sections[0].header, "console b");
    ASSERT_EQ(r.sections[0].entries.size(), 2u);
    EXPECT_EQ(r.sections[0].entries[0].key, "good");
    EXPECT_EQ(r.sections[0].entries[1].key, "last");
    EXPECT_EQ(r.sections[0].entries[1].where.line, 9);
}

TEST(IniFile, LongLinesAndNulAreRefusedNotSplit) {
    std::string text = "[console a]\n"
                       "title = " +
                       std::string(300, 'x') +
                       "\n"
                       "command = a\n"
                       "bad = a";
    text += '\0';
    text += "b\nfine = 1\n";
    auto r = read(text);
    EXPECT_EQ(r.messages, (Messages{"vnc.ini:2: line longer than 198 characters",
                                    "vnc.ini:4: NUL character in the line"}));
    ASSERT_EQ(r.sections[0].entries.size(), 2u);
    EXPECT_EQ(r.sections[0].entries[0].key, "command");
    EXPECT_EQ(r.sections[0].entries[0].where.line, 3);
    EXPECT_EQ(r.sections[0].entries[1].where.line, 5);
}

TEST(IniFile, LongSectionNamesAreKeptWhole) {
    std::string name(120, 'n');
    auto r = read("[console " + name + "]\nk = v\n");
    EXPECT_EQ(r.messages, Messages{});
    ASSERT_EQ(r.sections.size(), 1u);
    EXPECT_EQ(r.sections[0].header, "console " + name);
}

TEST(IniFile, EmptyInput) {
    EXPECT_TRUE(read("").sections.empty());
    EXPECT_TRUE(read("\n\n").messages.empty());
}

} // namespace
} // namespace superd::vnc
