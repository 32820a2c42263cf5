// The ntp.keys(5) parser: good files as ntpsec and ntpdig read them, and every bad line with the
// exact `file:line: message` an operator sees.
#include "ntpd/keys.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace superd::ntp {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes ascii(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

std::vector<std::string> messages(const common::Diagnostics& diags) {
    std::vector<std::string> out;
    for (const auto& d : diags.all())
        out.push_back(d.str());
    return out;
}

// The messages parse_keys() gives for a file of one line.
std::vector<std::string> errors_of(std::string_view line) {
    common::Diagnostics diags;
    const KeyTable table = parse_keys(line, "ntp.keys", diags);
    EXPECT_TRUE(table.empty());
    return messages(diags);
}

using Messages = std::vector<std::string>;

TEST(NtpKeys, GoodFile) {
    const std::string text = "# ntpkeygen-style header\n"
                             "\n"
                             "  1 MD5 superd-md5-example   # an ASCII key\n"
                             "2\tsha1\t7c5f3e9a1b2d4c6e8f0a1b2c3d4e5f60718293a4\r\n"
                             "3 AES128CMAC 000102030405060708090A0B0C0D0E0F\n"
                             "65535 aes Ex4mple!AESkey16#comment right after the key\n"
                             "10 m 12345678901234567890"; // no final newline
    common::Diagnostics diags;
    const KeyTable table = parse_keys(text, "etc/ntp.keys", diags);
    EXPECT_EQ(messages(diags), Messages{});
    ASSERT_EQ(table.size(), 5u);

    const Key* k1 = table.find(1);
    ASSERT_NE(k1, nullptr);
    EXPECT_EQ(k1->type, KeyType::md5);
    EXPECT_EQ(k1->secret, ascii("superd-md5-example"));
    EXPECT_EQ(k1->where.file, "etc/ntp.keys");
    EXPECT_EQ(k1->where.line, 3);

    const Key* k2 = table.find(2);
    ASSERT_NE(k2, nullptr);
    EXPECT_EQ(k2->type, KeyType::sha1);
    EXPECT_EQ(k2->secret, (Bytes{0x7c, 0x5f, 0x3e, 0x9a, 0x1b, 0x2d, 0x4c, 0x6e, 0x8f, 0x0a,
                                 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4}));
    EXPECT_EQ(k2->where.line, 4);

    const Key* k3 = table.find(3);
    ASSERT_NE(k3, nullptr);
    EXPECT_EQ(k3->type, KeyType::aes128_cmac);
    EXPECT_EQ(k3->secret,
              (Bytes{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}));

    const Key* k4 = table.find(65535);
    ASSERT_NE(k4, nullptr);
    EXPECT_EQ(k4->type, KeyType::aes128_cmac);
    EXPECT_EQ(k4->secret, ascii("Ex4mple!AESkey16"));

    // Exactly 20 characters is still ASCII, even if they all look like hex.
    const Key* k10 = table.find(10);
    ASSERT_NE(k10, nullptr);
    EXPECT_EQ(k10->type, KeyType::md5);
    EXPECT_EQ(k10->secret, ascii("12345678901234567890"));

    EXPECT_EQ(table.find(0), nullptr);
    EXPECT_EQ(table.find(5), nullptr);
    EXPECT_EQ(table.find(65536), nullptr);
}

// The default lab profile's file: one key of each type, no diagnostics.
TEST(NtpKeys, LabProfileFileParses) {
    const std::string path = std::string(NTP_CAPTURE_DIR) + "/../../../../etc/ntp.keys";
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::stringstream text;
    text << in.rdbuf();
    common::Diagnostics diags;
    const KeyTable table = parse_keys(text.str(), "etc/ntp.keys", diags);
    EXPECT_EQ(messages(diags), Messages{});
    ASSERT_EQ(table.size(), 3u);
    EXPECT_EQ(table.find(1)->type, KeyType::md5);
    EXPECT_EQ(table.find(2)->type, KeyType::sha1);
    EXPECT_EQ(table.find(3)->type, KeyType::aes128_cmac);
}

TEST(NtpKeys, EmptyAndCommentOnlyFiles) {
    common::Diagnostics diags;
    EXPECT_TRUE(parse_keys("", "k", diags).empty());
    EXPECT_TRUE(parse_keys("# nothing\n\n   \t\n#1 MD5 commented-out\n", "k", diags).empty());
    EXPECT_FALSE(diags.has_errors());
    EXPECT_TRUE(diags.all().empty());
}

TEST(NtpKeys, TypeNames) {
    for (const char* name : {"MD5", "md5", "M", "m"})
        EXPECT_EQ(key_type_from(name), KeyType::md5) << name;
    for (const char* name : {"SHA1", "sha1", "SHA-1", "Sha-1"})
        EXPECT_EQ(key_type_from(name), KeyType::sha1) << name;
    for (const char* name : {"AES128CMAC", "aes128cmac", "AES", "aes", "AES-128", "aes-128"})
        EXPECT_EQ(key_type_from(name), KeyType::aes128_cmac) << name;
    // Not names ntpsec knows, or not types we support.
    for (const char* name : {"", "SHA", "SHA256", "AES-128-CMAC", "AES-256", "MD4", "MD5X"})
        EXPECT_EQ(key_type_from(name), std::nullopt) << name;

    EXPECT_EQ(to_string(KeyType::md5), "MD5");
    EXPECT_EQ(to_string(KeyType::sha1), "SHA1");
    EXPECT_EQ(to_string(KeyType::aes128_cmac), "AES128CMAC");
    EXPECT_EQ(digest_size(KeyType::md5), 16u);
    EXPECT_EQ(digest_size(KeyType::sha1), 20u);
    EXPECT_EQ(digest_size(KeyType::aes128_cmac), 16u);
}

TEST(NtpKeys, BadIds) {
    EXPECT_EQ(errors_of("abc MD5 key"), Messages{"ntp.keys:1: key id 'abc' is not a number"});
    // ntpsec's atoi() reads this as key 12; we do not guess.
    EXPECT_EQ(errors_of("12abc MD5 key"), Messages{"ntp.keys:1: key id '12abc' is not a number"});
    EXPECT_EQ(errors_of("-1 MD5 key"), Messages{"ntp.keys:1: key id '-1' is not a number"});
    EXPECT_EQ(errors_of("0 MD5 key"), Messages{"ntp.keys:1: key id 0 is out of range 1..65535"});
    EXPECT_EQ(errors_of("65536 MD5 key"),
              Messages{"ntp.keys:1: key id 65536 is out of range 1..65535"});
    EXPECT_EQ(errors_of("99999999999999999999999 MD5 key"),
              Messages{"ntp.keys:1: key id 99999999999999999999999 is out of range 1..65535"});
}

TEST(NtpKeys, BadTypes) {
    EXPECT_EQ(errors_of("7"), Messages{"ntp.keys:1: key 7: missing key type and key"});
    EXPECT_EQ(errors_of("7 # MD5 key"), Messages{"ntp.keys:1: key 7: missing key type and key"});
    EXPECT_EQ(errors_of("7 SHA256 key"),
              Messages{"ntp.keys:1: key 7: unsupported key type 'SHA256' (MD5, SHA1 or "
                       "AES128CMAC)"});
    EXPECT_EQ(errors_of("7 AES-128-CMAC 000102030405060708090a0b0c0d0e0f"),
              Messages{"ntp.keys:1: key 7: unsupported key type 'AES-128-CMAC' (MD5, SHA1 or "
                       "AES128CMAC)"});
}

TEST(NtpKeys, BadKeys) {
    EXPECT_EQ(errors_of("7 MD5"), Messages{"ntp.keys:1: key 7: missing key"});
    EXPECT_EQ(errors_of("7 MD5 secret 10.0.0.1,10.0.0.2"),
              Messages{"ntp.keys:1: key 7: more than one word after the key type (a key has no "
                       "blanks; a per-key address list is not supported)"});
    EXPECT_EQ(errors_of("7 MD5 my pass phrase"),
              Messages{"ntp.keys:1: key 7: more than one word after the key type (a key has no "
                       "blanks; a per-key address list is not supported)"});
    EXPECT_EQ(errors_of("7 MD5 caf\xc3\xa9"),
              Messages{"ntp.keys:1: key 7: non-printable character in the key (an ASCII key is "
                       "printable characters, a key longer than 20 is hex)"});
    EXPECT_EQ(errors_of("7 MD5 bell\a"),
              Messages{"ntp.keys:1: key 7: non-printable character in the key (an ASCII key is "
                       "printable characters, a key longer than 20 is hex)"});
    // 21 characters: hex, and this is not.
    EXPECT_EQ(errors_of("7 MD5 this-is-21-chars-long"),
              Messages{"ntp.keys:1: key 7: character 1 of the key is not a hex digit (a key "
                       "longer than 20 characters is hex)"});
    EXPECT_EQ(errors_of("7 SHA1 0123456789abcdef0123456789abcdef012345\x01"),
              Messages{"ntp.keys:1: key 7: character 39 of the key is not a hex digit (a "
                       "key longer than 20 characters is hex)"});
    EXPECT_EQ(errors_of("7 SHA1 0123456789abcdef0123456789abcdef0123456"),
              Messages{"ntp.keys:1: key 7: hex key has an odd number of digits (39)"});
}

TEST(NtpKeys, AesKeysAreSixteenBytes) {
    const std::string rule = "an AES128CMAC key is 16 bytes (16 characters or 32 hex digits), not ";
    EXPECT_EQ(errors_of("3 AES short"), Messages{"ntp.keys:1: key 3: " + rule + "5"});
    EXPECT_EQ(errors_of("3 AES seventeen-chars!!"), Messages{"ntp.keys:1: key 3: " + rule + "17"});
    EXPECT_EQ(errors_of("3 AES128CMAC 000102030405060708090a0b0c0d0e0f1011"),
              Messages{"ntp.keys:1: key 3: " + rule + "18"});
    EXPECT_EQ(errors_of("3 AES128CMAC " + std::string(66, 'a')),
              Messages{"ntp.keys:1: key 3: " + rule + "33"});
}

TEST(NtpKeys, LongHexKeysAreCutAsNtpsecDoes) {
    const std::string hex = std::string(64, 'a') + "bbbb";
    common::Diagnostics diags;
    const KeyTable table = parse_keys("9 SHA1 " + hex + "\n", "ntp.keys", diags);
    EXPECT_EQ(messages(diags),
              Messages{"ntp.keys:1: warning: key 9: hex key of 68 digits is cut to its first 64 "
                       "(32 bytes), as ntpsec does"});
    EXPECT_FALSE(diags.has_errors());
    ASSERT_NE(table.find(9), nullptr);
    EXPECT_EQ(table.find(9)->secret, Bytes(32, 0xaa));
}

TEST(NtpKeys, DuplicateIds) {
    common::Diagnostics diags;
    const KeyTable table = parse_keys("5 MD5 first\n"
                                      "6 MD5 other\n"
                                      "5 SHA1 second\n"
                                      "6 NOPE x\n"
                                      "6 MD5 third\n",
                                      "ntp.keys", diags);
    EXPECT_EQ(messages(diags),
              (Messages{"ntp.keys:3: key 5: duplicate key id (first defined at line 1)",
                        "ntp.keys:4: key 6: duplicate key id (first defined at line 2)",
                        "ntp.keys:5: key 6: duplicate key id (first defined at line 2)"}));
    ASSERT_EQ(table.size(), 2u);
    EXPECT_EQ(table.find(5)->secret, ascii("first"));
}

TEST(NtpKeys, EveryBadLineIsReportedAndGoodOnesKept) {
    common::Diagnostics diags;
    const KeyTable table = parse_keys("1 MD5 good\n"
                                      "x MD5 bad\n"
                                      "\n"
                                      "2 SHA384 bad\n"
                                      "3 SHA1 good-too\n"
                                      "4 AES bad\n",
                                      "/etc/superd/ntp.keys", diags);
    EXPECT_EQ(messages(diags),
              (Messages{"/etc/superd/ntp.keys:2: key id 'x' is not a number",
                        "/etc/superd/ntp.keys:4: key 2: unsupported key type 'SHA384' (MD5, SHA1 "
                        "or AES128CMAC)",
                        "/etc/superd/ntp.keys:6: key 4: an AES128CMAC key is 16 bytes (16 "
                        "characters or 32 hex digits), not 3"}));
    EXPECT_EQ(diags.error_count(), 3u);
    EXPECT_EQ(table.size(), 2u);
    EXPECT_NE(table.find(1), nullptr);
    EXPECT_NE(table.find(3), nullptr);
}

TEST(NtpKeys, OversizedFileIsRefused) {
    common::Diagnostics diags;
    const std::string text(max_keys_file_bytes + 1, '#');
    EXPECT_TRUE(parse_keys(text, "big.keys", diags).empty());
    EXPECT_EQ(messages(diags), Messages{"big.keys: larger than 1048576 bytes: not a key file"});
}

TEST(NtpKeys, TableInsertRefusesDuplicates) {
    KeyTable table;
    EXPECT_TRUE(table.insert(Key{1, KeyType::md5, ascii("a"), {}}));
    EXPECT_FALSE(table.insert(Key{1, KeyType::sha1, ascii("b"), {}}));
    EXPECT_EQ(table.find(1)->type, KeyType::md5);
}

TEST(NtpKeys, ArbitraryBytesNeverThrow) {
    // Every byte value in every field position; the parser must report, not crash.
    std::string text;
    for (int b = 0; b < 256; ++b) {
        const char c = static_cast<char>(b);
        text += std::string("1") + c + " MD5 k\n";
        text += std::string("2 MD") + c + " k\n";
        text += std::string("3 MD5 k") + c + "\n";
        text += std::string("4 AES 000102030405060708090a0b0c0d0e") + c + "f\n";
    }
    common::Diagnostics diags;
    EXPECT_NO_THROW(parse_keys(text, "fuzz", diags));
    EXPECT_TRUE(diags.has_errors());
}

} // namespace
} // namespace superd::ntp
