// Where the live region's top is after the terminal changed width. Inline
// UIs redraw by moving the cursor up to the first row they drew and erasing
// down; when the window narrows, terminals that reflow (tmux, VTE, kitty,
// iTerm2, Windows Terminal) re-wrap every drawn row wider than the new width
// into several rows, so moving up by the old row count would leave pieces of
// the old input box and status line behind in scrollback.
#pragma once

#include <vector>

namespace bastion::ui {

// Rows between the first drawn row and the cursor once rows of the given
// display widths (drawn one per line, each narrower than the old width) are
// re-wrapped to `width` columns, with the cursor at `cursor_col` of row
// `cursor_row`.
int rows_above_cursor(const std::vector<int>& row_widths, int cursor_row, int cursor_col, int width);

}  // namespace bastion::ui
