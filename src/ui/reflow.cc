#include "ui/reflow.h"

#include <algorithm>

namespace bastion::ui {

int rows_above_cursor(const std::vector<int>& row_widths, int cursor_row, int cursor_col, int width) {
  width = std::max(width, 1);
  int rows = 0;
  for (int i = 0; i < cursor_row && i < static_cast<int>(row_widths.size()); ++i)
    rows += std::max(1, (row_widths[i] + width - 1) / width);
  return rows + std::max(cursor_col, 0) / width;
}

}  // namespace bastion::ui
