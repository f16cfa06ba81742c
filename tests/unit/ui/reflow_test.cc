// rows_above_cursor: how far up the live region starts after a resize.
#include <gtest/gtest.h>

#include "ui/reflow.h"

namespace bastion::ui {
namespace {

TEST(Reflow, SameWidthCountsOneRowPerDrawnRow) {
  EXPECT_EQ(rows_above_cursor({99, 2, 99, 40}, 2, 5, 100), 2);
  EXPECT_EQ(rows_above_cursor({99, 2, 99, 40}, 0, 5, 100), 0);
}

TEST(Reflow, NarrowerTerminalWrapsLongRowsIntoSeveral) {
  // A 99-column separator becomes 3 rows at 40 columns, an empty row stays 1.
  EXPECT_EQ(rows_above_cursor({99, 0, 12}, 2, 5, 40), 4);
  // The cursor's own row wrapped too: column 45 is on its second row.
  EXPECT_EQ(rows_above_cursor({99, 60}, 1, 45, 40), 4);
  EXPECT_EQ(rows_above_cursor({19, 19}, 1, 0, 20), 1);
}

TEST(Reflow, DegenerateInputsDoNotCrash) {
  EXPECT_EQ(rows_above_cursor({}, 3, 0, 80), 0);
  EXPECT_EQ(rows_above_cursor({50}, 1, 10, 0), 50 + 10);
}

}  // namespace
}  // namespace bastion::ui
