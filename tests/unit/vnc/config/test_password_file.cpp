// vncpasswd files. The vectors are tigervncpasswd 1.12.0 (Debian 12's tigervnc-tools) output:
//   printf 'password\n' | vncpasswd -f | xxd -p
//   printf 'secret\nviewonly\n' | vncpasswd -f | xxd -p     (full, then view-only)
// and likewise for the other passwords below.
#include "vnc/config/password_file.hpp"

#include "tests/unit/common/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <vector>

namespace superd::vnc {
namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(
            static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

std::string hex(std::span<const std::uint8_t> bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::uint8_t b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 15];
    }
    return out;
}

std::string hex(std::string_view bytes) {
    return hex(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

struct Vector {
    const char* password;
    const char* obfuscated;
};

// What tigervncpasswd -f wrote for each password.
constexpr Vector vncpasswd_vectors[] = {
    {"password", "dbd83cfd727a1458"}, {"secret", "2e2dbf576eb06c9e"},
    {"viewonly", "3b33820a27ba4dd0"}, {"a", "d8d1e367e1d17646"},
    {"abc", "9c0a172d3482e122"},      {"", "5ab2cdc0badcaf13"},
};

TEST(PasswordFile, ObfuscatesAsVncpasswd) {
    for (const auto& v : vncpasswd_vectors)
        EXPECT_EQ(hex(obfuscate_password(v.password)), v.obfuscated) << v.password;
}

TEST(PasswordFile, DeobfuscatesVncpasswdOutput) {
    for (const auto& v : vncpasswd_vectors) {
        auto bytes = from_hex(v.obfuscated);
        EXPECT_EQ(deobfuscate_password(std::span<const std::uint8_t, 8>(bytes.data(), 8)),
                  v.password);
    }
}

TEST(PasswordFile, OnlyTheFirstEightCharactersCount) {
    // printf 'longerthan8chars\n' | vncpasswd -f
    EXPECT_EQ(hex(obfuscate_password("longerthan8chars")), "e520dd266ad75a93");
    auto bytes = from_hex("e520dd266ad75a93");
    EXPECT_EQ(deobfuscate_password(std::span<const std::uint8_t, 8>(bytes.data(), 8)), "longerth");
}

TEST(PasswordFile, ParsesFullAndViewOnly) {
    auto full = parse_password_file(from_hex("dbd83cfd727a1458"));
    ASSERT_TRUE(full.has_value());
    EXPECT_EQ(full->full, "password");
    EXPECT_FALSE(full->viewonly.has_value());

    // printf 'secret\nviewonly\n' | vncpasswd -f
    auto both = parse_password_file(from_hex("2e2dbf576eb06c9e3b33820a27ba4dd0"));
    ASSERT_TRUE(both.has_value());
    EXPECT_EQ(both->full, "secret");
    EXPECT_EQ(both->viewonly, "viewonly");
}

TEST(PasswordFile, RefusesOtherSizes) {
    for (std::size_t size : {0, 1, 7, 9, 15, 17, 24}) {
        std::vector<std::uint8_t> bytes(size, 0x41);
        auto parsed = parse_password_file(bytes);
        ASSERT_FALSE(parsed.has_value()) << size;
        EXPECT_EQ(parsed.error(), "a vncpasswd file has 8 bytes (16 with a view-only password), "
                                  "not " +
                                      std::to_string(size));
    }
}

TEST(PasswordFile, FormatsAsVncpasswd) {
    EXPECT_EQ(hex(format_password_file("secret", std::string("viewonly"))),
              "2e2dbf576eb06c9e3b33820a27ba4dd0");
    EXPECT_EQ(hex(format_password_file("password", std::nullopt)), "dbd83cfd727a1458");
}

TEST(PasswordFile, WritesMode0600AndReadsBack) {
    common::test::TempDir dir;
    const std::string path = dir.file("passwd");
    ASSERT_TRUE(write_password_file(path, "secret", std::string("viewonly")).has_value());
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(hex(bytes), "2e2dbf576eb06c9e3b33820a27ba4dd0");

    auto back = read_password_file(path);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->full, "secret");
    EXPECT_EQ(back->viewonly, "viewonly");
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"passwd"}); // no temporary left
}

TEST(PasswordFile, ReplacesAnExistingFile) {
    common::test::TempDir dir;
    const std::string path = dir.file("passwd");
    ASSERT_TRUE(write_password_file(path, "first-one").has_value());
    ASSERT_TRUE(write_password_file(path, "second").has_value());
    auto back = read_password_file(path);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->full, "second");
    EXPECT_FALSE(back->viewonly.has_value());
}

TEST(PasswordFile, ReadErrorsNameThePath) {
    common::test::TempDir dir;
    const std::string missing = dir.file("missing");
    EXPECT_EQ(read_password_file(missing).error(), missing + ": No such file or directory");

    const std::string short_file = dir.file("short");
    std::ofstream(short_file) << "abc\n";
    EXPECT_EQ(read_password_file(short_file).error(),
              short_file + ": a vncpasswd file has 8 bytes (16 with a view-only password), not 4");

    const std::string long_file = dir.file("long");
    std::ofstream(long_file) << std::string(100, 'x');
    EXPECT_EQ(read_password_file(long_file).error(),
              long_file + ": a vncpasswd file has 8 bytes (16 with a view-only password), this "
                          "one more than 16");
    EXPECT_FALSE(read_password_file("/dev/zero").has_value()); // bounded read of a device
}

TEST(PasswordFile, WriteErrorNamesThePath) {
    auto written = write_password_file("/nonexistent-dir/passwd", "secret");
    ASSERT_FALSE(written.has_value());
    EXPECT_TRUE(written.error().starts_with("/nonexistent-dir/passwd: ")) << written.error();
}

} // namespace
} // namespace superd::vnc
