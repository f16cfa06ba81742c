// Decodes raw terminal input bytes into key presses: printable text (UTF-8),
// control keys, arrows/Home/End/Delete (CSI and SS3 forms), Shift+Tab, Alt+Enter,
// and a lone Esc (an ESC byte that ends the read is the Esc key).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bastion::ui {

enum class KeyType {
  kText, kEnter, kNewline, kBackspace, kDelete, kLeft, kRight, kUp, kDown, kHome, kEnd, kTab,
  kShiftTab, kEsc, kCtrlC, kCtrlD, kCtrlR, kCtrlO, kCtrlA, kCtrlE, kCtrlU, kCtrlK, kCtrlW, kCtrlL, kUnknown
};

struct Key {
  KeyType type = KeyType::kUnknown;
  std::string text;  // kText only
};

// Decodes one read's worth of bytes. Incomplete trailing UTF-8 is kept in
// `carry` for the next call.
std::vector<Key> decode_keys(std::string_view bytes, std::string* carry);

}  // namespace bastion::ui
