#pragma once
// A fixed-cell bitmap console font (PSF1 or PSF2, as the Linux console and Debian's
// console-setup ship them) and which glyph draws each codepoint.
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace superd::vnc {

class Font {
  public:
    // Limits on what a font file may declare, so a bad file cannot make us allocate much.
    static constexpr int max_cell = 64;                            // pixels, each direction
    static constexpr std::size_t max_file_bytes = 4 * 1024 * 1024; // after gunzip too

    // A PSF1 or PSF2 font, gzip-compressed or not (told apart by their magic numbers).
    // Error: one sentence saying what is wrong ("truncated: ...", "not a PSF font ...").
    static std::expected<Font, std::string> parse(std::span<const std::uint8_t> bytes);
    // The font file a config names (`font = /usr/share/consolefonts/X.psf.gz`).
    // Error: "PATH: message".
    static std::expected<Font, std::string> load(const std::string& path);
    // The built-in 8x16 font (Debian's Uni2-Fixed16, embedded at build time).
    static const Font& builtin();

    int width() const { return width_; }
    int height() const { return height_; }
    std::size_t glyph_count() const { return bitmaps_.size() / glyph_bytes(); }

    // Whether the font has a glyph of its own for `cp`.
    bool has(char32_t cp) const { return glyph_of_.contains(cp); }
    // The glyph that draws `cp`: its own, else the replacement glyph (U+FFFD, else '?').
    std::uint32_t glyph_for(char32_t cp) const;
    std::uint32_t replacement_glyph() const { return replacement_; }
    // Whether pixel (x, y) of `glyph` is set (drawn in the foreground colour).
    bool pixel(std::uint32_t glyph, int x, int y) const { return (row_bits(glyph, y) >> x) & 1; }
    // Row y of `glyph` as bits: bit x (from the least significant) is pixel (x, y).
    std::uint64_t row_bits(std::uint32_t glyph, int y) const {
        return rows_[static_cast<std::size_t>(glyph) * static_cast<std::size_t>(height_) +
                     static_cast<std::size_t>(y)];
    }
    std::uint64_t width_mask() const {
        return width_ >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << width_) - 1;
    }

  private:
    Font(int width, int height)
        : width_(width)
        , height_(height)
        , row_bytes_((width + 7) / 8) {}
    std::size_t glyph_bytes() const { return static_cast<std::size_t>(row_bytes_) * height_; }
    static std::expected<Font, std::string> parse_psf1(std::span<const std::uint8_t> bytes);
    static std::expected<Font, std::string> parse_psf2(std::span<const std::uint8_t> bytes);
    // Adds the codepoint -> glyph map a font without a Unicode table implies (glyph i draws
    // U+00i for i < 256, as the Linux console assumes for Latin-1 fonts).
    void map_identity();
    // Draws the block elements U+2580-259F the font lacks: they are geometry, not letters.
    void add_block_elements();
    void choose_replacement();
    // Fills rows_ from bitmaps_, once all glyphs are in.
    void index_rows();

    int width_, height_, row_bytes_;
    std::vector<std::uint8_t> bitmaps_; // row_bytes_ * height_ per glyph, MSB = leftmost pixel
    std::vector<std::uint64_t> rows_;   // the same, one word per glyph row, for drawing
    std::unordered_map<char32_t, std::uint32_t> glyph_of_;
    std::uint32_t replacement_ = 0;
};

} // namespace superd::vnc
