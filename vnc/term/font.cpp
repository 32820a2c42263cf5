#include "vnc/term/font.hpp"

#include "vnc/term/gunzip.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace superd::vnc {

namespace {

constexpr std::uint8_t psf1_magic[] = {0x36, 0x04};
constexpr std::uint8_t psf2_magic[] = {0x72, 0xb5, 0x4a, 0x86};
constexpr std::uint8_t psf1_mode_512 = 0x01;
constexpr std::uint8_t psf1_mode_has_table = 0x02 | 0x04; // HASTAB, HASSEQ
constexpr std::uint32_t psf2_has_table = 0x01;

bool starts_with(std::span<const std::uint8_t> bytes, std::span<const std::uint8_t> magic) {
    return bytes.size() >= magic.size() && std::equal(magic.begin(), magic.end(), bytes.begin());
}

std::uint32_t le32(std::span<const std::uint8_t> b, std::size_t at) {
    return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) |
           (static_cast<std::uint32_t>(b[at + 3]) << 24);
}

// One UTF-8 sequence at bytes[at...]: the codepoint and its length, or length 0 if invalid.
std::pair<char32_t, std::size_t> decode_utf8(std::span<const std::uint8_t> b, std::size_t at) {
    std::uint8_t lead = b[at];
    std::size_t len = lead < 0x80             ? 1
                      : (lead & 0xe0) == 0xc0 ? 2
                      : (lead & 0xf0) == 0xe0 ? 3
                      : (lead & 0xf8) == 0xf0 ? 4
                                              : 0;
    if (len == 0 || at + len > b.size()) return {0, 0};
    char32_t cp = len == 1 ? lead : lead & (0x7f >> len);
    for (std::size_t i = 1; i < len; ++i) {
        if ((b[at + i] & 0xc0) != 0x80) return {0, 0};
        cp = (cp << 6) | (b[at + i] & 0x3f);
    }
    return {cp, len};
}

std::string truncated(std::size_t need, std::size_t have) {
    return "truncated: the header declares " + std::to_string(need) +
           " bytes of glyphs, the file has " + std::to_string(have);
}

} // namespace

std::expected<Font, std::string> Font::parse(std::span<const std::uint8_t> bytes) {
    if (is_gzip(bytes)) {
        auto plain = gunzip(bytes, max_file_bytes);
        if (!plain) return std::unexpected(plain.error());
        if (is_gzip(*plain)) return std::unexpected("gzip inside gzip: not a PSF font");
        return parse(*plain);
    }
    if (bytes.size() > max_file_bytes)
        return std::unexpected("larger than " + std::to_string(max_file_bytes) + " bytes");
    bool psf1 = starts_with(bytes, psf1_magic);
    if (!psf1 && !starts_with(bytes, psf2_magic))
        return std::unexpected("not a PSF font (no PSF1 or PSF2 magic number)");
    auto font = psf1 ? parse_psf1(bytes) : parse_psf2(bytes);
    if (!font) return font;
    font->add_block_elements();
    font->choose_replacement();
    font->index_rows();
    return font;
}

std::expected<Font, std::string> Font::parse_psf1(std::span<const std::uint8_t> b) {
    if (b.size() < 4) return std::unexpected("truncated: a PSF1 header is 4 bytes");
    std::uint8_t mode = b[2], height = b[3];
    if (height == 0 || height > max_cell)
        return std::unexpected("PSF1 glyph height " + std::to_string(height) + " is not 1 to " +
                               std::to_string(max_cell));
    Font font(8, height);
    std::size_t count = (mode & psf1_mode_512) ? 512 : 256;
    std::size_t glyphs_end = 4 + count * height;
    if (b.size() < glyphs_end) return std::unexpected(truncated(count * height, b.size() - 4));
    font.bitmaps_.assign(b.begin() + 4, b.begin() + static_cast<std::ptrdiff_t>(glyphs_end));
    if (!(mode & psf1_mode_has_table)) {
        font.map_identity();
        return font;
    }
    // Per glyph: 16-bit little-endian codepoints, then 0xFFFE and sequences we skip, 0xFFFF.
    std::size_t at = glyphs_end;
    for (std::uint32_t glyph = 0; glyph < count; ++glyph) {
        bool in_sequences = false;
        for (;;) {
            if (at + 2 > b.size())
                return std::unexpected("truncated Unicode table (glyph " + std::to_string(glyph) +
                                       " of " + std::to_string(count) + ")");
            std::uint16_t unit = static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
            at += 2;
            if (unit == 0xffff) break;
            if (unit == 0xfffe)
                in_sequences = true;
            else if (!in_sequences)
                font.glyph_of_.try_emplace(unit, glyph);
        }
    }
    return font;
}

std::expected<Font, std::string> Font::parse_psf2(std::span<const std::uint8_t> b) {
    if (b.size() < 32) return std::unexpected("truncated: a PSF2 header is 32 bytes");
    std::uint32_t header_size = le32(b, 8), flags = le32(b, 12), count = le32(b, 16),
                  glyph_size = le32(b, 20), height = le32(b, 24), width = le32(b, 28);
    if (width == 0 || width > max_cell || height == 0 || height > max_cell)
        return std::unexpected("PSF2 glyph size " + std::to_string(width) + "x" +
                               std::to_string(height) + " is not within 1x1 to " +
                               std::to_string(max_cell) + "x" + std::to_string(max_cell));
    Font font(static_cast<int>(width), static_cast<int>(height));
    if (glyph_size != font.glyph_bytes())
        return std::unexpected("PSF2 glyph size " + std::to_string(glyph_size) +
                               " bytes does not match " + std::to_string(width) + "x" +
                               std::to_string(height) + " pixels");
    if (header_size < 32 || header_size > b.size())
        return std::unexpected("PSF2 header size " + std::to_string(header_size) + " is wrong");
    if (count == 0) return std::unexpected("PSF2 font has no glyphs");
    std::size_t glyph_bytes =
        static_cast<std::size_t>(count) * glyph_size; // both bounded: no overflow
    if (b.size() - header_size < glyph_bytes)
        return std::unexpected(truncated(glyph_bytes, b.size() - header_size));
    std::size_t glyphs_end = header_size + glyph_bytes;
    font.bitmaps_.assign(b.begin() + header_size,
                         b.begin() + static_cast<std::ptrdiff_t>(glyphs_end));
    if (!(flags & psf2_has_table)) {
        font.map_identity();
        return font;
    }
    // Per glyph: UTF-8 codepoints, then 0xFE and sequences we skip, 0xFF.
    std::size_t at = glyphs_end;
    for (std::uint32_t glyph = 0; glyph < count; ++glyph) {
        bool in_sequences = false;
        for (;;) {
            if (at >= b.size())
                return std::unexpected("truncated Unicode table (glyph " + std::to_string(glyph) +
                                       " of " + std::to_string(count) + ")");
            if (b[at] == 0xff) {
                ++at;
                break;
            }
            if (b[at] == 0xfe) {
                in_sequences = true;
                ++at;
                continue;
            }
            auto [cp, len] = decode_utf8(b, at);
            if (len == 0)
                return std::unexpected("bad UTF-8 in the Unicode table (glyph " +
                                       std::to_string(glyph) + ")");
            if (!in_sequences) font.glyph_of_.try_emplace(cp, glyph);
            at += len;
        }
    }
    return font;
}

std::expected<Font, std::string> Font::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::unexpected(path + ": " + std::strerror(errno));
    std::vector<std::uint8_t> bytes;
    char chunk[8192];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        bytes.insert(bytes.end(), chunk, chunk + in.gcount());
        if (bytes.size() > max_file_bytes)
            return std::unexpected(path + ": larger than " + std::to_string(max_file_bytes) +
                                   " bytes");
    }
    if (in.bad()) return std::unexpected(path + ": read error");
    auto font = parse(bytes);
    if (!font) return std::unexpected(path + ": " + font.error());
    return font;
}

std::uint32_t Font::glyph_for(char32_t cp) const {
    auto it = glyph_of_.find(cp);
    return it == glyph_of_.end() ? replacement_ : it->second;
}

void Font::map_identity() {
    for (std::uint32_t glyph = 0; glyph < glyph_count() && glyph < 256; ++glyph)
        glyph_of_.try_emplace(glyph, glyph);
}

void Font::index_rows() {
    std::size_t count = glyph_count() * static_cast<std::size_t>(height_);
    rows_.assign(count, 0);
    for (std::size_t row = 0; row < count; ++row) {
        const std::uint8_t* bytes = bitmaps_.data() + row * static_cast<std::size_t>(row_bytes_);
        for (int x = 0; x < width_; ++x)
            if (bytes[x / 8] & (0x80 >> (x % 8))) rows_[row] |= std::uint64_t{1} << x;
    }
}

void Font::choose_replacement() {
    for (char32_t cp : {U'\uFFFD', U'?'}) {
        if (auto it = glyph_of_.find(cp); it != glyph_of_.end()) {
            replacement_ = it->second;
            return;
        }
    }
    replacement_ = 0;
}

} // namespace superd::vnc
