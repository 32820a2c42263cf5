// RRE (2) and the subrectangle search RRE and Hextile share.
#include "vnc/rfb/encodings.hpp"
#include "vnc/rfb/rect_encoders.hpp"
#include "vnc/rfb/server_messages.hpp"
#include "vnc/rfb/subrects.hpp"

#include <algorithm>
#include <unordered_map>

namespace superd::vnc {

std::uint32_t most_frequent(std::span<const std::uint32_t> values) {
    if (values.empty()) return 0;
    // Consoles have few colours: a short list beats a hash map until it grows.
    std::vector<std::pair<std::uint32_t, std::size_t>> counts;
    std::unordered_map<std::uint32_t, std::size_t> many;
    for (std::uint32_t v : values) {
        if (!many.empty()) {
            ++many[v];
            continue;
        }
        auto it = std::find_if(counts.begin(), counts.end(), [&](auto& c) { return c.first == v; });
        if (it != counts.end()) {
            ++it->second;
        } else if (counts.size() < 16) {
            counts.emplace_back(v, 1);
        } else {
            for (auto& [value, n] : counts)
                many[value] = n;
            ++many[v];
        }
    }
    std::pair<std::uint32_t, std::size_t> best{values[0], 0};
    auto consider = [&](std::uint32_t v, std::size_t n) {
        if (n > best.second) best = {v, n};
    };
    if (many.empty())
        for (auto& [v, n] : counts)
            consider(v, n);
    else
        for (auto& [v, n] : many)
            consider(v, n);
    return best.first;
}

bool find_subrects(std::span<const std::uint32_t> values, int w, int h, std::uint32_t background,
                   std::size_t limit, std::vector<Subrect>& out) {
    out.clear();
    std::vector<bool> done(values.size(), false);
    auto at = [&](int x, int y) { return std::size_t(y) * std::size_t(w) + std::size_t(x); };
    for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
            std::size_t i = at(x, y);
            if (done[i] || values[i] == background) continue;
            std::uint32_t v = values[i];
            int x_end = x + 1;
            while (x_end < w && values[at(x_end, y)] == v && !done[at(x_end, y)])
                ++x_end;
            int y_end = y + 1;
            while (y_end < h) {
                bool row_matches = true;
                for (int xx = x; xx < x_end && row_matches; ++xx)
                    row_matches = values[at(xx, y_end)] == v && !done[at(xx, y_end)];
                if (!row_matches) break;
                ++y_end;
            }
            if (out.size() == limit) return false;
            out.push_back(Subrect{v, x, y, x_end - x, y_end - y});
            for (int yy = y; yy < y_end; ++yy)
                for (int xx = x; xx < x_end; ++xx)
                    done[at(xx, yy)] = true;
        }
    }
    return true;
}

int encode_rre(const Framebuffer& fb, const Rect& r, const PixelConverter& converter, Bytes& out) {
    auto values = client_values(fb, r, converter);
    std::uint32_t background = most_frequent(values);
    std::vector<Subrect> subrects;
    // Past this many subrects RRE is larger than Raw, which every viewer takes (TigerVNC's
    // RRE encoder falls back the same way).
    std::size_t bpp = std::size_t(converter.format().bytes_per_pixel());
    std::size_t limit = (values.size() * bpp) / (bpp + 8);
    if (!find_subrects(values, r.w, r.h, background, limit, subrects))
        return encode_raw(fb, r, converter, out);
    put_rect_header(out, r, encoding::rre);
    put_u32(out, static_cast<std::uint32_t>(subrects.size()));
    converter.put_value(out, background);
    for (const Subrect& s : subrects) {
        converter.put_value(out, s.value);
        put_u16(out, static_cast<std::uint32_t>(s.x));
        put_u16(out, static_cast<std::uint32_t>(s.y));
        put_u16(out, static_cast<std::uint32_t>(s.w));
        put_u16(out, static_cast<std::uint32_t>(s.h));
    }
    return 1;
}

} // namespace superd::vnc
