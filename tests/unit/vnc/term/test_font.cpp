#include "vnc/term/font.hpp"
#include "vnc/term/gunzip.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace superd::vnc {
namespace {

std::vector<std::uint8_t> read_file(const char* path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::uint8_t> builtin_psf() {
    auto plain = gunzip(read_file(SUPERD_TEST_FONT), Font::max_file_bytes);
    EXPECT_TRUE(plain.has_value());
    return plain.value_or(std::vector<std::uint8_t>{});
}

// A PSF2 font of `glyphs` 8x2 glyphs (glyph i's rows are i, ~i) with a Unicode table `table`.
std::vector<std::uint8_t> psf2(int glyphs, std::vector<std::uint8_t> table) {
    std::vector<std::uint8_t> b = {0x72, 0xb5, 0x4a, 0x86};
    auto le32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i)
            b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    };
    le32(0);                     // version
    le32(32);                    // header size
    le32(table.empty() ? 0 : 1); // flags: has a Unicode table
    le32(static_cast<std::uint32_t>(glyphs));
    le32(2); // bytes per glyph
    le32(2); // height
    le32(8); // width
    for (int i = 0; i < glyphs; ++i) {
        b.push_back(static_cast<std::uint8_t>(i));
        b.push_back(static_cast<std::uint8_t>(~i));
    }
    b.insert(b.end(), table.begin(), table.end());
    return b;
}

TEST(Font, BuiltinIsEightBySixteen) {
    const Font& font = Font::builtin();
    EXPECT_EQ(font.width(), 8);
    EXPECT_EQ(font.height(), 16);
    EXPECT_GE(font.glyph_count(), 512u);
}

TEST(Font, BuiltinCoversAsciiLatin1BoxDrawingAndBlocks) {
    const Font& font = Font::builtin();
    for (char32_t cp = 0x20; cp < 0x7f; ++cp)
        EXPECT_TRUE(font.has(cp)) << std::hex << static_cast<std::uint32_t>(cp);
    for (char32_t cp = 0xa0; cp <= 0xff; ++cp)
        EXPECT_TRUE(font.has(cp)) << std::hex << static_cast<std::uint32_t>(cp);
    for (char32_t cp = 0x2500; cp <= 0x257f; ++cp)
        EXPECT_TRUE(font.has(cp)) << std::hex << static_cast<std::uint32_t>(cp);
    for (char32_t cp = 0x2580; cp <= 0x259f; ++cp)
        EXPECT_TRUE(font.has(cp)) << std::hex << static_cast<std::uint32_t>(cp);
    EXPECT_TRUE(font.has(U'\u0141')); // Ł, Latin Extended-A
    EXPECT_TRUE(font.has(U'\uFFFD'));
}

TEST(Font, BoxDrawingGlyphsHaveTheirShape) {
    const Font& font = Font::builtin();
    // ─ (U+2500): a horizontal line through the whole cell, nothing at the top.
    std::uint32_t horizontal = font.glyph_for(U'\u2500');
    int full_rows = 0;
    for (int y = 0; y < 16; ++y) {
        int set = 0;
        for (int x = 0; x < 8; ++x)
            set += font.pixel(horizontal, x, y);
        full_rows += set == 8;
    }
    EXPECT_GE(full_rows, 1);
    for (int x = 0; x < 8; ++x)
        EXPECT_FALSE(font.pixel(horizontal, x, 0));
    // │ (U+2502): set in every row, not at the left edge.
    std::uint32_t vertical = font.glyph_for(U'\u2502');
    for (int y = 0; y < 16; ++y) {
        int set = 0;
        for (int x = 0; x < 8; ++x)
            set += font.pixel(vertical, x, y);
        EXPECT_GE(set, 1) << y;
        EXPECT_FALSE(font.pixel(vertical, 0, y));
    }
    EXPECT_NE(horizontal, vertical);
    EXPECT_NE(horizontal, font.replacement_glyph());
}

TEST(Font, DrawsMissingBlockElements) {
    const Font& font = Font::builtin();
    std::uint32_t lower_half = font.glyph_for(U'\u2584'); // ▄
    std::uint32_t right_half = font.glyph_for(U'\u2590'); // ▐
    std::uint32_t upper_left = font.glyph_for(U'\u2598'); // ▘
    for (int y = 0; y < 16; ++y) {
        for (int x = 0; x < 8; ++x) {
            EXPECT_EQ(font.pixel(lower_half, x, y), y >= 8) << x << "," << y;
            EXPECT_EQ(font.pixel(right_half, x, y), x >= 4) << x << "," << y;
            EXPECT_EQ(font.pixel(upper_left, x, y), x < 4 && y < 8) << x << "," << y;
        }
    }
}

TEST(Font, UnknownCodepointGetsTheReplacementGlyph) {
    const Font& font = Font::builtin();
    EXPECT_FALSE(font.has(U'\u4E00'));
    EXPECT_EQ(font.glyph_for(U'\u4E00'), font.glyph_for(U'\uFFFD'));
    EXPECT_EQ(font.replacement_glyph(), font.glyph_for(U'\uFFFD'));
}

TEST(Font, GlyphForAHasInk) {
    const Font& font = Font::builtin();
    std::uint32_t a = font.glyph_for(U'A');
    int set = 0;
    for (int y = 0; y < 16; ++y)
        for (int x = 0; x < 8; ++x)
            set += font.pixel(a, x, y);
    EXPECT_GT(set, 10);
    EXPECT_NE(a, font.glyph_for(U'B'));
}

TEST(Font, ParsesPlainAndGzippedPsf1Alike) {
    auto plain = Font::parse(builtin_psf());
    auto gz = Font::parse(read_file(SUPERD_TEST_FONT));
    ASSERT_TRUE(plain.has_value()) << plain.error();
    ASSERT_TRUE(gz.has_value()) << gz.error();
    EXPECT_EQ(plain->glyph_for(U'x'), gz->glyph_for(U'x'));
    EXPECT_EQ(plain->glyph_count(), gz->glyph_count());
}

TEST(Font, LoadsAFileAndNamesItInErrors) {
    auto font = Font::load(SUPERD_TEST_FONT);
    ASSERT_TRUE(font.has_value()) << font.error();
    EXPECT_TRUE(font->has(U'\u2554')); // ╔
    auto missing = Font::load("/nonexistent/font.psf");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error(), "/nonexistent/font.psf: No such file or directory");
}

TEST(Font, RefusesTruncatedPsf1) {
    std::vector<std::uint8_t> bytes = builtin_psf();
    std::vector<std::uint8_t> glyphs_cut(bytes.begin(), bytes.begin() + 4 + 100 * 16);
    auto font = Font::parse(glyphs_cut);
    ASSERT_FALSE(font.has_value());
    EXPECT_EQ(font.error(),
              "truncated: the header declares 8192 bytes of glyphs, the file has 1600");
    std::vector<std::uint8_t> table_cut(bytes.begin(), bytes.end() - 10);
    font = Font::parse(table_cut);
    ASSERT_FALSE(font.has_value());
    EXPECT_TRUE(font.error().starts_with("truncated Unicode table")) << font.error();
    EXPECT_FALSE(Font::parse(std::vector<std::uint8_t>{0x36, 0x04, 0x02}).has_value());
}

TEST(Font, RefusesTruncatedGzip) {
    std::vector<std::uint8_t> gz = read_file(SUPERD_TEST_FONT);
    gz.resize(gz.size() / 2);
    auto font = Font::parse(gz);
    ASSERT_FALSE(font.has_value());
    EXPECT_EQ(font.error(), "gzip: truncated or corrupt data");
}

TEST(Font, RefusesWhatIsNotPsf) {
    auto font = Font::parse(std::vector<std::uint8_t>{'h', 'e', 'l', 'l', 'o'});
    ASSERT_FALSE(font.has_value());
    EXPECT_EQ(font.error(), "not a PSF font (no PSF1 or PSF2 magic number)");
}

TEST(Font, ParsesPsf2WithItsUnicodeTable) {
    // Glyph 0: 'a' and U+00E9 (é, two UTF-8 bytes); glyph 1: U+2500 then a sequence we skip;
    // glyph 2: U+FFFD.
    auto font = Font::parse(psf2(3, {'a', 0xc3, 0xa9, 0xff, 0xe2, 0x94, 0x80, 0xfe, 'e', 0xcc, 0x81,
                                     0xff, 0xef, 0xbf, 0xbd, 0xff}));
    ASSERT_TRUE(font.has_value()) << font.error();
    EXPECT_EQ(font->width(), 8);
    EXPECT_EQ(font->height(), 2);
    EXPECT_EQ(font->glyph_for(U'a'), 0u);
    EXPECT_EQ(font->glyph_for(U'\u00e9'), 0u);
    EXPECT_EQ(font->glyph_for(U'\u2500'), 1u);
    EXPECT_FALSE(font->has(U'e'));        // only in a sequence
    EXPECT_EQ(font->glyph_for(U'z'), 2u); // the replacement glyph
    EXPECT_TRUE(font->pixel(1, 7, 0));    // row 0 of glyph 1 is 0x01
    EXPECT_FALSE(font->pixel(1, 6, 0));
}

TEST(Font, RefusesBrokenPsf2) {
    auto table_cut = Font::parse(psf2(2, {'a', 0xff}));
    ASSERT_FALSE(table_cut.has_value());
    EXPECT_EQ(table_cut.error(), "truncated Unicode table (glyph 1 of 2)");
    auto bad_utf8 = Font::parse(psf2(1, {0xc3, 0xff}));
    ASSERT_FALSE(bad_utf8.has_value());
    EXPECT_EQ(bad_utf8.error(), "bad UTF-8 in the Unicode table (glyph 0)");
    std::vector<std::uint8_t> glyphs_cut = psf2(4, {});
    glyphs_cut.resize(glyphs_cut.size() - 1);
    auto cut = Font::parse(glyphs_cut);
    ASSERT_FALSE(cut.has_value());
    EXPECT_EQ(cut.error(), "truncated: the header declares 8 bytes of glyphs, the file has 7");
    std::vector<std::uint8_t> huge = psf2(1, {});
    huge[28] = 200; // width 200 pixels
    EXPECT_FALSE(Font::parse(huge).has_value());
}

TEST(Font, FontWithoutTableMapsLatin1ByIndex) {
    auto font = Font::parse(psf2(256, {}));
    ASSERT_TRUE(font.has_value()) << font.error();
    EXPECT_EQ(font->glyph_for(U'A'), 0x41u);
    EXPECT_EQ(font->glyph_for(U'\u00ff'), 0xffu);
    EXPECT_TRUE(font->has(U'\u2588')); // drawn block elements
}

} // namespace
} // namespace superd::vnc
