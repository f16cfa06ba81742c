#include "tools/unified_diff.h"

#include <algorithm>
#include <vector>

namespace bastion::tools {
namespace {

constexpr size_t kContext = 3;
constexpr size_t kMaxLcsCells = 4'000'000;

std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t nl = s.find('\n', pos);
    if (nl == std::string_view::npos) {
      out.push_back(s.substr(pos));
      break;
    }
    out.push_back(s.substr(pos, nl - pos + 1));  // keeps the '\n'
    pos = nl + 1;
  }
  return out;
}

enum class Op { kKeep, kDel, kAdd };
struct Edit {
  Op op;
  size_t a, b;  // line index in before / after
};

// LCS on the middle part (after trimming common head and tail).
std::vector<Edit> diff_lines(const std::vector<std::string_view>& A,
                             const std::vector<std::string_view>& B) {
  size_t head = 0;
  while (head < A.size() && head < B.size() && A[head] == B[head]) ++head;
  size_t tail = 0;
  while (tail < A.size() - head && tail < B.size() - head &&
         A[A.size() - 1 - tail] == B[B.size() - 1 - tail])
    ++tail;
  size_t n = A.size() - head - tail, m = B.size() - head - tail;
  std::vector<Edit> edits;
  for (size_t i = 0; i < head; ++i) edits.push_back({Op::kKeep, i, i});
  if ((n + 1) * (m + 1) > kMaxLcsCells) {
    for (size_t i = 0; i < n; ++i) edits.push_back({Op::kDel, head + i, head});
    for (size_t j = 0; j < m; ++j) edits.push_back({Op::kAdd, head + n, head + j});
  } else {
    // dp[i][j] = LCS length of A[head+i..] and B[head+j..].
    std::vector<uint32_t> dp((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return dp[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = A[head + i] == B[head + j] ? at(i + 1, j + 1) + 1
                                              : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && A[head + i] == B[head + j]) {
        edits.push_back({Op::kKeep, head + i, head + j});
        ++i, ++j;
      } else if (j < m && (i == n || at(i, j + 1) > at(i + 1, j))) {
        edits.push_back({Op::kAdd, head + i, head + j});
        ++j;
      } else {
        edits.push_back({Op::kDel, head + i, head + j});
        ++i;
      }
    }
  }
  for (size_t k = 0; k < tail; ++k)
    edits.push_back({Op::kKeep, A.size() - tail + k, B.size() - tail + k});
  return edits;
}

void emit_line(std::string* out, char prefix, std::string_view line) {
  *out += prefix;
  *out += line;
  if (line.empty() || line.back() != '\n') *out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, std::string_view path,
                         DiffStats* stats) {
  if (stats) *stats = {};
  if (before == after) return "";
  auto A = lines_of(before), B = lines_of(after);
  auto edits = diff_lines(A, B);
  std::string out = "--- a/" + std::string(path) + "\n+++ b/" + std::string(path) + "\n";
  size_t k = 0;
  while (k < edits.size()) {
    // Find the next change, then extend the hunk while changes are close.
    while (k < edits.size() && edits[k].op == Op::kKeep) ++k;
    if (k == edits.size()) break;
    size_t start = k >= kContext ? k - kContext : 0;
    size_t end = k;
    for (;;) {
      while (end < edits.size() && edits[end].op != Op::kKeep) ++end;
      size_t next = end;
      while (next < edits.size() && edits[next].op == Op::kKeep) ++next;
      if (next < edits.size() && next - end <= 2 * kContext) {
        end = next;
        continue;
      }
      end = std::min(edits.size(), end + kContext);
      break;
    }
    size_t a_start = edits[start].a, b_start = edits[start].b, a_len = 0, b_len = 0;
    std::string body;
    for (size_t i = start; i < end; ++i) {
      const Edit& e = edits[i];
      if (e.op == Op::kKeep) {
        emit_line(&body, ' ', A[e.a]);
        ++a_len, ++b_len;
      } else if (e.op == Op::kDel) {
        emit_line(&body, '-', A[e.a]);
        ++a_len;
        if (stats) ++stats->removed;
      } else {
        emit_line(&body, '+', B[e.b]);
        ++b_len;
        if (stats) ++stats->added;
      }
    }
    auto range = [](size_t s, size_t len) {
      // diff -u: an empty range names the line before it.
      return std::to_string(len == 0 ? s : s + 1) + (len == 1 ? "" : "," + std::to_string(len));
    };
    out += "@@ -" + range(a_start, a_len) + " +" + range(b_start, b_len) + " @@\n" + body;
    k = end;
  }
  return out;
}

}  // namespace bastion::tools
