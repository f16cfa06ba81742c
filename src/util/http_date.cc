#include "util/http_date.h"

#include <string>
#include <vector>

namespace bastion::http {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr const char* kLongDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                     "Friday", "Saturday", "Sunday"};

int month_index(std::string_view m) {
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i + 1;
  }
  return 0;
}

bool is_day(std::string_view d, bool long_form) {
  for (int i = 0; i < 7; ++i) {
    if (d == (long_form ? kLongDays[i] : kDays[i])) return true;
  }
  return false;
}

// All-digit field of 1..`max_len` characters; -1 otherwise.
int number(std::string_view s, size_t min_len, size_t max_len) {
  if (s.size() < min_len || s.size() > max_len) return -1;
  int n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::vector<std::string_view> split_on(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (civil-from-days
// arithmetic: shift the year to start in March so leap days come last).
long long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long long era = (y >= 0 ? y : y - 399) / 400;
  long long yoe = y - era * 400;
  long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::optional<long long> assemble(int year, int month, int day, std::string_view clock) {
  auto hms = split_on(clock, ':');
  if (hms.size() != 3 || month == 0 || year < 1900 || day < 1) return std::nullopt;
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max_day = kMonthDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  int h = number(hms[0], 2, 2), mi = number(hms[1], 2, 2), s = number(hms[2], 2, 2);
  if (day > max_day || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace

std::optional<long long> parse_http_date(std::string_view text) {
  // Tokens separated by single spaces, except asctime's space-padded day.
  std::vector<std::string_view> t;
  for (auto part : split_on(text, ' ')) {
    if (!part.empty()) t.push_back(part);
  }
  if (t.empty()) return std::nullopt;
  std::string_view first = t[0];
  if (!first.empty() && first.back() == ',') {
    first.remove_suffix(1);
    if (t.size() == 6 && is_day(first, false) && t[5] == "GMT") {  // IMF-fixdate
      return assemble(number(t[3], 4, 4), month_index(t[2]), number(t[1], 2, 2), t[4]);
    }
    if (t.size() == 4 && is_day(first, true) && t[3] == "GMT") {  // RFC 850
      auto dmy = split_on(t[1], '-');
      if (dmy.size() != 3) return std::nullopt;
      int yy = number(dmy[2], 2, 2);
      if (yy < 0) return std::nullopt;
      return assemble(yy < 70 ? 2000 + yy : 1900 + yy, month_index(dmy[1]), number(dmy[0], 2, 2),
                      t[2]);
    }
    return std::nullopt;
  }
  if (t.size() == 5 && is_day(first, false)) {  // asctime
    return assemble(number(t[4], 4, 4), month_index(t[1]), number(t[2], 1, 2), t[3]);
  }
  return std::nullopt;
}

}  // namespace bastion::http
