#pragma once
// Which cells of a text screen changed since the viewer last saw it, and which scrolls moved
// whole blocks of cells, in cell units. Pure bookkeeping: the console feeds it libvterm's
// damage and moverect events and turns what it takes into pixels.
#include <cstdint>
#include <vector>

namespace superd::vnc {

// Cells [left, right) x [top, bottom).
struct CellRect {
    int top = 0, bottom = 0, left = 0, right = 0;

    bool operator==(const CellRect&) const = default;
};

// The region's rows moved by `down`: afterwards row r shows what row r + down showed (down > 0:
// the content went up, as when a terminal scrolls). Only rows whose source is inside the region
// are copied.
struct CellScroll {
    CellRect region;
    int down = 0;

    bool operator==(const CellScroll&) const = default;
    // The rows that receive a copy, and the first row they come from.
    CellRect destination() const;
    int source_top() const { return destination().top + down; }
};

struct CellUpdate {
    std::vector<CellScroll> scrolls; // apply first, in order
    std::vector<CellRect> rects;     // then repaint these from the current screen
};

class Damage {
  public:
    Damage(int cols, int rows) { reset(cols, rows); }

    // A new size: everything is dirty, nothing to copy.
    void reset(int cols, int rows);
    // Marks cells dirty; parts outside the screen are ignored.
    void mark(CellRect rect);
    void mark_all() { mark(CellRect{0, rows_, 0, cols_}); }
    // The screen's rows in `region` moved by `down` (see CellScroll). Consecutive scrolls of one
    // region merge into one; a scroll whose source is all dirty anyway is no copy, only damage.
    void scroll(CellRect region, int down);

    bool dirty(int row, int col) const { return dirty_[index(row, col)] != 0; }
    bool clean() const { return scrolls_.empty() && dirty_count() == 0; }
    // What changed since the last take(), then nothing is. Rects cover every dirty cell: dirty
    // spans of a row joined across gaps of up to `gap` clean cells, then equal spans of
    // consecutive rows joined into one rect.
    CellUpdate take(int gap = 3);

  private:
    std::size_t index(int row, int col) const {
        return static_cast<std::size_t>(row) * static_cast<std::size_t>(cols_) +
               static_cast<std::size_t>(col);
    }
    std::size_t dirty_count() const;
    bool all_dirty(CellRect rect) const;

    int cols_ = 0, rows_ = 0;
    std::vector<std::uint8_t> dirty_; // one per cell, row-major
    std::vector<CellScroll> scrolls_;
};

} // namespace superd::vnc
