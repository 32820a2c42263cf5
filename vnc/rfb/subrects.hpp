#pragma once
// Shared by RRE and Hextile: a block of pixel values as a background plus solid rectangles.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace superd::vnc {

struct Subrect {
    std::uint32_t value = 0;
    int x = 0, y = 0, w = 0, h = 0; // relative to the block
};

// The most frequent value of a block (the cheapest background).
std::uint32_t most_frequent(std::span<const std::uint32_t> values);

// Rectangles covering every pixel of a w x h block that is not `background`: each grows right
// as far as its colour goes, then down while the whole row matches. Stops (returns false) once
// more than `limit` would be needed, because the caller then prefers another form.
bool find_subrects(std::span<const std::uint32_t> values, int w, int h, std::uint32_t background,
                   std::size_t limit, std::vector<Subrect>& out);

} // namespace superd::vnc
