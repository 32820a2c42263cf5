#include "vnc/term/damage.hpp"

#include <algorithm>
#include <cstdlib>

namespace superd::vnc {

CellRect CellScroll::destination() const {
    CellRect dst = region;
    if (down > 0)
        dst.bottom -= down;
    else
        dst.top -= down;
    return dst;
}

void Damage::reset(int cols, int rows) {
    cols_ = std::max(cols, 0);
    rows_ = std::max(rows, 0);
    dirty_.assign(static_cast<std::size_t>(cols_) * static_cast<std::size_t>(rows_), 1);
    scrolls_.clear();
}

void Damage::mark(CellRect r) {
    r.top = std::max(r.top, 0);
    r.left = std::max(r.left, 0);
    r.bottom = std::min(r.bottom, rows_);
    r.right = std::min(r.right, cols_);
    for (int row = r.top; row < r.bottom; ++row)
        for (int col = r.left; col < r.right; ++col)
            dirty_[index(row, col)] = 1;
}

std::size_t Damage::dirty_count() const {
    return static_cast<std::size_t>(std::count(dirty_.begin(), dirty_.end(), 1));
}

bool Damage::all_dirty(CellRect r) const {
    for (int row = r.top; row < r.bottom; ++row)
        for (int col = r.left; col < r.right; ++col)
            if (!dirty_[index(row, col)]) return false;
    return true;
}

void Damage::scroll(CellRect region, int down) {
    int height = region.bottom - region.top;
    if (region.top < 0 || region.left < 0 || region.bottom > rows_ || region.right > cols_ ||
        height <= 0 || region.right <= region.left) {
        mark_all(); // not a scroll we understand: repaint rather than guess
        return;
    }
    if (down == 0) return;
    if (std::abs(down) >= height) {
        mark(region);
        return;
    }
    CellScroll op{region, down};
    CellRect dst = op.destination();
    CellRect src{dst.top + down, dst.bottom + down, region.left, region.right};
    bool worth_copying = !all_dirty(src); // else the copy's result is repainted anyway

    // A copied cell is stale exactly when its source was; the rows the copy leaves behind
    // still show what scrolled away.
    // (In place, in the order that reads each source row before it is overwritten.)
    for (int i = 0; i < dst.bottom - dst.top; ++i) {
        int row = down > 0 ? dst.top + i : dst.bottom - 1 - i;
        for (int col = region.left; col < region.right; ++col)
            dirty_[index(row, col)] = dirty_[index(row + down, col)];
    }
    mark(down > 0 ? CellRect{dst.bottom, region.bottom, region.left, region.right}
                  : CellRect{region.top, dst.top, region.left, region.right});

    // Two scrolls of one region in a row are one scroll by their sum; the rows neither of them
    // could fill are dirty already.
    if (!scrolls_.empty() && scrolls_.back().region == region) {
        int sum = scrolls_.back().down + down;
        if (sum == 0 || std::abs(sum) >= height)
            scrolls_.pop_back();
        else
            scrolls_.back().down = sum;
        return;
    }
    if (worth_copying) scrolls_.push_back(op);
}

CellUpdate Damage::take(int gap) {
    // A last copy whose every destination cell is repainted anyway is no use (and no later
    // copy reads what it wrote).
    while (!scrolls_.empty() && all_dirty(scrolls_.back().destination()))
        scrolls_.pop_back();
    CellUpdate update;
    update.scrolls = std::move(scrolls_);
    scrolls_.clear();

    // Rects still growing downwards: those that reached the previous row.
    std::vector<CellRect> open, spans;
    for (int row = 0; row < rows_; ++row) {
        spans.clear();
        for (int col = 0; col < cols_;) {
            if (!dirty_[index(row, col)]) {
                ++col;
                continue;
            }
            int end = col + 1;
            while (end < cols_ && dirty_[index(row, end)])
                ++end;
            if (!spans.empty() && col - spans.back().right <= gap)
                spans.back().right = end;
            else
                spans.push_back(CellRect{row, row + 1, col, end});
            col = end;
        }
        std::vector<CellRect> still_open;
        for (CellRect& span : spans) {
            auto same = std::find_if(open.begin(), open.end(), [&](const CellRect& r) {
                return r.left == span.left && r.right == span.right;
            });
            if (same != open.end()) {
                span.top = same->top;
                open.erase(same);
            }
            still_open.push_back(span);
        }
        // What did not continue into this row is finished.
        update.rects.insert(update.rects.end(), open.begin(), open.end());
        open = std::move(still_open);
    }
    update.rects.insert(update.rects.end(), open.begin(), open.end());
    std::sort(update.rects.begin(), update.rects.end(), [](const CellRect& a, const CellRect& b) {
        return a.top != b.top ? a.top < b.top : a.left < b.left;
    });
    std::fill(dirty_.begin(), dirty_.end(), 0);
    return update;
}

} // namespace superd::vnc
