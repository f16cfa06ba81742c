// Terminal styling for the UI: SGR colour codes that collapse to "" under
// NO_COLOR, and display-width helpers (utf8proc character widths, ANSI
// escapes count zero) used to fit lines to the terminal without wrapping.
#pragma once

#include <string>
#include <string_view>

namespace bastion::ui {

enum class Color { kNone, kBold, kDim, kItalic, kRed, kGreen, kYellow, kBlue, kMagenta, kCyan, kGray, kReverse };

// Colours are on unless NO_COLOR is set (checked once) or disabled here.
void set_color_enabled(bool enabled);
bool color_enabled();

// `text` wrapped in the colour's SGR code and a reset (plain when disabled).
std::string paint(Color color, std::string_view text);
std::string sgr(Color color);  // just the opening code ("" when disabled)
std::string sgr_reset();

// Columns `text` occupies: wide CJK = 2, combining = 0, ANSI escapes = 0.
int display_width(std::string_view text);
// The longest prefix of `text` that fits in `columns` (escapes kept whole;
// a reset is appended when any escape was kept and the text was cut).
std::string fit_width(std::string_view text, int columns);
// Removes ANSI escape sequences.
std::string strip_ansi(std::string_view text);

}  // namespace bastion::ui
