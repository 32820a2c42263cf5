// `superd-vncd --passwd FILE`, driven through string streams.
#include "vnc/config/passwd_command.hpp"
#include "vnc/config/password_file.hpp"

#include "tests/unit/common/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

namespace superd::vnc {
namespace {

struct Outcome {
    int status;
    std::string output;
};

class PasswdCommand : public ::testing::Test {
  protected:
    Outcome run(const std::string& input, bool interactive) {
        std::istringstream in(input);
        std::ostringstream out;
        int status = run_passwd_command(path_, in, out, interactive);
        return {status, out.str()};
    }
    std::optional<Passwords> written() {
        auto passwords = read_password_file(path_);
        if (!passwords) return std::nullopt;
        return *passwords;
    }

    common::test::TempDir dir_;
    std::string path_ = dir_.file("passwd");
};

TEST_F(PasswdCommand, InteractiveFullPasswordOnly) {
    Outcome r = run("secret1\nsecret1\nn\n", true);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.output, "Password: \nVerify: \n"
                        "Would you like to enter a view-only password (y/n)? \n");
    auto p = written();
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->full, "secret1");
    EXPECT_FALSE(p->viewonly.has_value());
    EXPECT_EQ(std::filesystem::status(path_).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(PasswdCommand, InteractiveWithViewOnlyAndRetries) {
    Outcome r = run("short\n"            // too short
                    "secret1\nsecret2\n" // no match
                    "secret1\nsecret1\n"
                    "y\n"
                    "watcher\nwatcher\n",
                    true);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.output, "Password: \nPassword too short (at least 6 characters); try again\n"
                        "Password: \nVerify: \nPasswords don't match; try again\n"
                        "Password: \nVerify: \n"
                        "Would you like to enter a view-only password (y/n)? \n"
                        "Password: \nVerify: \n");
    auto p = written();
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->full, "secret1");
    EXPECT_EQ(p->viewonly, "watcher");
}

TEST_F(PasswdCommand, InteractiveGivesUpAfterThreeTries) {
    Outcome r = run("aaaaaa\nbbbbbb\naaaaaa\nbbbbbb\naaaaaa\nbbbbbb\n", true);
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(r.output.ends_with("Too many tries\nPassword file " + path_ + " not written\n"))
        << r.output;
    EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(PasswdCommand, InteractiveEndOfInput) {
    Outcome r = run("secret1\n", true);
    EXPECT_EQ(r.status, 1);
    EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(PasswdCommand, InteractiveNotesTruncation) {
    Outcome r = run("muchtoolong\nmuchtoolong\nno\n", true);
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.output.find("Note: only the first 8 characters of a VNC password are used\n"),
              std::string::npos);
    EXPECT_EQ(written()->full, "muchtool");
}

TEST_F(PasswdCommand, FromStandardInputLikeVncpasswdF) {
    Outcome r = run("secret\nviewonly\n", false);
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(r.output, "");
    auto p = written();
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->full, "secret");
    EXPECT_EQ(p->viewonly, "viewonly");

    r = run("abc", false); // short is fine without a terminal, as with vncpasswd -f
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(written()->full, "abc");
    EXPECT_FALSE(written()->viewonly.has_value());
}

TEST_F(PasswdCommand, FromStandardInputEmpty) {
    for (const char* input : {"", "\n"}) {
        Outcome r = run(input, false);
        EXPECT_EQ(r.status, 1);
        EXPECT_EQ(r.output, "No password on standard input; " + path_ + " not written\n");
    }
    EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(PasswdCommand, WriteFailure) {
    path_ = dir_.file("no/such/dir/passwd");
    Outcome r = run("secret\n", false);
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(r.output.starts_with(path_ + ": ")) << r.output;
}

} // namespace
} // namespace superd::vnc
