#include "ui/keys.h"

namespace bastion::ui {
namespace {

size_t utf8_len(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c >> 5) == 6) return 2;
  if ((c >> 4) == 14) return 3;
  if ((c >> 3) == 30) return 4;
  return 1;
}

void push_text(std::vector<Key>& keys, std::string_view s) {
  if (!keys.empty() && keys.back().type == KeyType::kText) keys.back().text.append(s);
  else keys.push_back({KeyType::kText, std::string(s)});
}

}  // namespace

std::vector<Key> decode_keys(std::string_view input, std::string* carry) {
  std::string buf = carry ? *carry + std::string(input) : std::string(input);
  if (carry) carry->clear();
  std::vector<Key> keys;
  size_t i = 0;
  while (i < buf.size()) {
    unsigned char c = static_cast<unsigned char>(buf[i]);
    if (c == 0x1b) {
      if (i + 1 >= buf.size()) {
        keys.push_back({KeyType::kEsc, ""});
        ++i;
        continue;
      }
      char n = buf[i + 1];
      if (n == '\r' || n == '\n') {
        keys.push_back({KeyType::kNewline, ""});
        i += 2;
        continue;
      }
      if (n == '[' || n == 'O') {
        size_t j = i + 2;
        while (j < buf.size() && !(buf[j] >= 0x40 && buf[j] <= 0x7e)) ++j;
        if (j >= buf.size()) {
          i = buf.size();
          break;
        }
        std::string params = buf.substr(i + 2, j - i - 2);
        char fin = buf[j];
        KeyType t = KeyType::kUnknown;
        switch (fin) {
          case 'A': t = KeyType::kUp; break;
          case 'B': t = KeyType::kDown; break;
          case 'C': t = KeyType::kRight; break;
          case 'D': t = KeyType::kLeft; break;
          case 'H': t = KeyType::kHome; break;
          case 'F': t = KeyType::kEnd; break;
          case 'Z': t = KeyType::kShiftTab; break;
          case '~':
            if (params == "3") t = KeyType::kDelete;
            else if (params == "1" || params == "7") t = KeyType::kHome;
            else if (params == "4" || params == "8") t = KeyType::kEnd;
            break;
          default: break;
        }
        keys.push_back({t, ""});
        i = j + 1;
        continue;
      }
      keys.push_back({KeyType::kEsc, ""});  // Esc followed by other input
      ++i;
      continue;
    }
    if (c == '\r') { keys.push_back({KeyType::kEnter, ""}); ++i; continue; }
    if (c == '\n') { keys.push_back({KeyType::kNewline, ""}); ++i; continue; }
    if (c == 0x7f || c == 0x08) { keys.push_back({KeyType::kBackspace, ""}); ++i; continue; }
    if (c == '\t') { keys.push_back({KeyType::kTab, ""}); ++i; continue; }
    if (c < 0x20) {
      KeyType t = KeyType::kUnknown;
      switch (c) {
        case 0x01: t = KeyType::kCtrlA; break;
        case 0x03: t = KeyType::kCtrlC; break;
        case 0x04: t = KeyType::kCtrlD; break;
        case 0x05: t = KeyType::kCtrlE; break;
        case 0x0b: t = KeyType::kCtrlK; break;
        case 0x0c: t = KeyType::kCtrlL; break;
        case 0x0f: t = KeyType::kCtrlO; break;
        case 0x12: t = KeyType::kCtrlR; break;
        case 0x15: t = KeyType::kCtrlU; break;
        case 0x17: t = KeyType::kCtrlW; break;
        default: break;
      }
      keys.push_back({t, ""});
      ++i;
      continue;
    }
    size_t len = utf8_len(c);
    if (i + len > buf.size()) {
      if (carry) *carry = buf.substr(i);
      break;
    }
    push_text(keys, std::string_view(buf).substr(i, len));
    i += len;
  }
  return keys;
}

}  // namespace bastion::ui
