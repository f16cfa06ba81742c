#include "ui/style.h"

#include <utf8proc.h>

#include <cstdlib>

namespace bastion::ui {
namespace {

int g_color = -1;  // -1 = not decided yet

// Length of the escape sequence starting at text[i] (text[i] == '\x1b').
size_t escape_length(std::string_view text, size_t i) {
  size_t j = i + 1;
  if (j >= text.size()) return 1;
  if (text[j] == '[') {
    ++j;
    while (j < text.size() && !(text[j] >= 0x40 && text[j] <= 0x7e)) ++j;
    return (j < text.size() ? j + 1 : j) - i;
  }
  if (text[j] == ']') {  // OSC, ends with BEL or ST
    while (j < text.size() && text[j] != '\a' && !(text[j] == '\x1b' && j + 1 < text.size() && text[j + 1] == '\\')) ++j;
    return (j < text.size() ? j + (text[j] == '\a' ? 1 : 2) : j) - i;
  }
  return 2;
}

const char* code(Color c) {
  switch (c) {
    case Color::kNone: return "";
    case Color::kBold: return "\x1b[1m";
    case Color::kDim: return "\x1b[2m";
    case Color::kItalic: return "\x1b[3m";
    case Color::kRed: return "\x1b[31m";
    case Color::kGreen: return "\x1b[32m";
    case Color::kYellow: return "\x1b[33m";
    case Color::kBlue: return "\x1b[34m";
    case Color::kMagenta: return "\x1b[35m";
    case Color::kCyan: return "\x1b[36m";
    case Color::kGray: return "\x1b[90m";
    case Color::kReverse: return "\x1b[7m";
  }
  return "";
}

}  // namespace

void set_color_enabled(bool enabled) { g_color = enabled ? 1 : 0; }

bool color_enabled() {
  if (g_color < 0) {
    const char* nc = std::getenv("NO_COLOR");
    g_color = (nc && *nc) ? 0 : 1;
  }
  return g_color == 1;
}

std::string sgr(Color color) { return color_enabled() ? code(color) : ""; }
std::string sgr_reset() { return color_enabled() ? "\x1b[0m" : ""; }

std::string paint(Color color, std::string_view text) {
  if (!color_enabled() || color == Color::kNone) return std::string(text);
  return std::string(code(color)) + std::string(text) + "\x1b[0m";
}

int display_width(std::string_view text) {
  int width = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\x1b') {
      i += escape_length(text, i);
      continue;
    }
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                              static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    if (n <= 0) {
      ++width;
      ++i;
      continue;
    }
    if (cp == '\t') width += 4;
    else if (cp >= 0x20) width += utf8proc_charwidth(cp);
    i += static_cast<size_t>(n);
  }
  return width;
}

std::string fit_width(std::string_view text, int columns) {
  std::string out;
  int width = 0;
  bool had_escape = false;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\x1b') {
      size_t n = escape_length(text, i);
      out.append(text.substr(i, n));
      had_escape = true;
      i += n;
      continue;
    }
    utf8proc_int32_t cp = 0;
    auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + i),
                              static_cast<utf8proc_ssize_t>(text.size() - i), &cp);
    size_t len = n <= 0 ? 1 : static_cast<size_t>(n);
    int w = n <= 0 ? 1 : (cp == '\t' ? 4 : (cp >= 0x20 ? utf8proc_charwidth(cp) : 0));
    if (width + w > columns) {
      if (had_escape) out += "\x1b[0m";
      return out;
    }
    if (cp == '\t') out += "    ";
    else out.append(text.substr(i, len));
    width += w;
    i += len;
  }
  return out;
}

std::string strip_ansi(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '\x1b') {
      i += escape_length(text, i);
    } else {
      out += text[i++];
    }
  }
  return out;
}

}  // namespace bastion::ui
