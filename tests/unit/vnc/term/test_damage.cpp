#include "vnc/term/damage.hpp"

#include <gtest/gtest.h>

namespace superd::vnc {
namespace {

TEST(Damage, StartsAllDirtyAsOneRect) {
    Damage damage(80, 24);
    CellUpdate update = damage.take();
    EXPECT_TRUE(update.scrolls.empty());
    ASSERT_EQ(update.rects.size(), 1u);
    EXPECT_EQ(update.rects[0], (CellRect{0, 24, 0, 80}));
    EXPECT_TRUE(damage.clean());
    EXPECT_TRUE(damage.take().rects.empty());
}

TEST(Damage, OneCellIsOneCell) {
    Damage damage(80, 24);
    damage.take();
    damage.mark(CellRect{5, 6, 10, 11});
    CellUpdate update = damage.take();
    ASSERT_EQ(update.rects.size(), 1u);
    EXPECT_EQ(update.rects[0], (CellRect{5, 6, 10, 11}));
}

TEST(Damage, JoinsSpansAcrossSmallGapsAndEqualSpansAcrossRows) {
    Damage damage(80, 24);
    damage.take();
    damage.mark(CellRect{2, 3, 0, 5});
    damage.mark(CellRect{2, 3, 7, 9});   // gap of 2: joined
    damage.mark(CellRect{2, 3, 40, 41}); // far: apart
    damage.mark(CellRect{3, 4, 0, 9});   // same span as row 2's first: one rect
    CellUpdate update = damage.take();
    ASSERT_EQ(update.rects.size(), 2u);
    EXPECT_EQ(update.rects[0], (CellRect{2, 4, 0, 9}));
    EXPECT_EQ(update.rects[1], (CellRect{2, 3, 40, 41}));
}

TEST(Damage, OppositeCornersStayApart) {
    Damage damage(80, 24);
    damage.take();
    damage.mark(CellRect{0, 1, 0, 1});
    damage.mark(CellRect{23, 24, 79, 80});
    CellUpdate update = damage.take();
    ASSERT_EQ(update.rects.size(), 2u);
    EXPECT_EQ(update.rects[0], (CellRect{0, 1, 0, 1}));
    EXPECT_EQ(update.rects[1], (CellRect{23, 24, 79, 80}));
}

TEST(Damage, ScrollIsACopyAndTheVacatedRow) {
    Damage damage(80, 24);
    damage.take();
    damage.scroll(CellRect{0, 24, 0, 80}, 1);
    CellUpdate update = damage.take();
    ASSERT_EQ(update.scrolls.size(), 1u);
    EXPECT_EQ(update.scrolls[0], (CellScroll{CellRect{0, 24, 0, 80}, 1}));
    EXPECT_EQ(update.scrolls[0].destination(), (CellRect{0, 23, 0, 80}));
    EXPECT_EQ(update.scrolls[0].source_top(), 1);
    ASSERT_EQ(update.rects.size(), 1u);
    EXPECT_EQ(update.rects[0], (CellRect{23, 24, 0, 80}));
}

TEST(Damage, DirtyCellsMoveWithTheScroll) {
    Damage damage(10, 5);
    damage.take();
    damage.mark(CellRect{3, 4, 2, 3});
    damage.scroll(CellRect{0, 5, 0, 10}, 2); // row 3 is now row 1
    EXPECT_TRUE(damage.dirty(1, 2));
    EXPECT_FALSE(damage.dirty(1, 3));
    EXPECT_FALSE(damage.dirty(0, 2));
    EXPECT_FALSE(damage.dirty(2, 2));
    EXPECT_TRUE(damage.dirty(3, 0)); // vacated
    EXPECT_TRUE(damage.dirty(4, 9));
}

TEST(Damage, ConsecutiveScrollsOfOneRegionMerge) {
    Damage damage(80, 24);
    damage.take();
    for (int i = 0; i < 5; ++i)
        damage.scroll(CellRect{1, 20, 0, 80}, 1);
    damage.scroll(CellRect{1, 20, 0, 80}, -2);
    CellUpdate update = damage.take();
    ASSERT_EQ(update.scrolls.size(), 1u);
    EXPECT_EQ(update.scrolls[0], (CellScroll{CellRect{1, 20, 0, 80}, 3}));
}

TEST(Damage, ScrollingEverythingAwayIsNoCopy) {
    Damage damage(80, 24);
    damage.take();
    for (int i = 0; i < 30; ++i)
        damage.scroll(CellRect{0, 24, 0, 80}, 1);
    CellUpdate update = damage.take();
    EXPECT_TRUE(update.scrolls.empty());
    ASSERT_EQ(update.rects.size(), 1u);
    EXPECT_EQ(update.rects[0], (CellRect{0, 24, 0, 80}));
}

TEST(Damage, ScrollOfDirtyCellsIsNoCopy) {
    Damage damage(80, 24); // all dirty
    damage.scroll(CellRect{0, 24, 0, 80}, 1);
    EXPECT_TRUE(damage.take().scrolls.empty());
}

TEST(Damage, LastCopyIntoRepaintedCellsIsDropped) {
    Damage damage(80, 24);
    damage.take();
    damage.scroll(CellRect{0, 24, 0, 80}, 1);
    damage.mark(CellRect{0, 23, 0, 80}); // then everything was redrawn
    EXPECT_TRUE(damage.take().scrolls.empty());
}

TEST(Damage, ResetAndOutOfRange) {
    Damage damage(80, 24);
    damage.take();
    damage.mark(CellRect{-5, 100, 78, 200}); // clipped
    CellUpdate update = damage.take();
    ASSERT_EQ(update.rects.size(), 1u);
    EXPECT_EQ(update.rects[0], (CellRect{0, 24, 78, 80}));
    damage.scroll(CellRect{0, 30, 0, 80}, 1); // outside: everything repaints
    EXPECT_EQ(damage.take().rects[0], (CellRect{0, 24, 0, 80}));
    damage.reset(40, 10);
    EXPECT_EQ(damage.take().rects[0], (CellRect{0, 10, 0, 40}));
}

} // namespace
} // namespace superd::vnc
