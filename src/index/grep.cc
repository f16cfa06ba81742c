#include "index/grep.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fcntl.h>
#include <pcre2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string_view>
#include <thread>

#include "index/glob_match.h"
#include "index/grep_literal.h"
#include "index/read_buffer.h"
#include "index/walker.h"

namespace bastion::index {
namespace {

constexpr uint32_t kMatchLimit = 5'000'000;
constexpr uint32_t kDepthLimit = 10'000;
constexpr size_t kWindow = 4096;  // see search_buffer

struct Code {
  pcre2_code* code = nullptr;
  std::string literal;  // in every match (grep_literal.h), or "" for no prefilter
  bool fold_case = false;  // `literal` is in lower case and matches either case
  ~Code() {
    if (code) pcre2_code_free(code);
  }
};

// Per-thread matching state: match data, limits and a JIT stack.
class ThreadMatcher {
 public:
  explicit ThreadMatcher(const Code& code)
      : code_(code.code), literal_(code.literal), fold_case_(code.fold_case) {
    md_ = pcre2_match_data_create_from_pattern(code_, nullptr);
    mctx_ = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(mctx_, kMatchLimit);
    pcre2_set_depth_limit(mctx_, kDepthLimit);
    stack_ = pcre2_jit_stack_create(64 * 1024, 4 * 1024 * 1024, nullptr);
    if (stack_) pcre2_jit_stack_assign(mctx_, nullptr, stack_);
  }
  ~ThreadMatcher() {
    pcre2_match_data_free(md_);
    pcre2_match_context_free(mctx_);
    if (stack_) pcre2_jit_stack_free(stack_);
  }
  std::string_view literal() const { return literal_; }
  // The next occurrence of literal() in [begin, end), or nullptr.
  const char* find(const char* begin, const char* end) const {
    return fold_case_ ? find_literal_caseless(begin, end, literal_)
                      : find_literal(begin, end, literal_);
  }
  // 1 = match (ovector in *start/*end), 0 = none, -1 = limit hit. With
  // `start_limit`, only matches starting at or before it count (the
  // pattern must have been compiled with PCRE2_USE_OFFSET_LIMIT).
  int match(const char* buf, size_t len, size_t from, size_t* start, size_t* end,
            size_t start_limit = PCRE2_UNSET) {
    if (start_limit != limit_) pcre2_set_offset_limit(mctx_, limit_ = start_limit);
    int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(buf), len, from, 0, md_, mctx_);
    if (rc == PCRE2_ERROR_NOMATCH) return 0;
    if (rc < 0) return -1;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md_);
    *start = ov[0];
    *end = ov[1];
    return 1;
  }

 private:
  const pcre2_code* code_;
  std::string_view literal_;
  bool fold_case_;
  pcre2_match_data* md_;
  pcre2_match_context* mctx_;
  pcre2_jit_stack* stack_;
  size_t limit_ = PCRE2_UNSET;
};

// Searches one buffer line by line semantics: every matching line once.
// Returns false when PCRE2's limits stopped the search.
bool search_buffer(ThreadMatcher& m, const char* data, size_t len, const GrepOptions& opt,
                   GrepFileResult* out) {
  size_t from = 0, counted_pos = 0, line_no = 1;
  while (from <= len) {
    size_t start_limit = PCRE2_UNSET;
    if (!m.literal().empty()) {
      // Every reported line holds the literal (grep_literal.h): start at
      // the next line that does, or stop. Lines skipped could only hold
      // matches that cross into a later line, and those are never reported.
      // PCRE2 then looks for matches starting up to the end of the line
      // kWindow bytes on (they may end past it), and the literal is looked
      // for again after that: a call per line would cost more than PCRE2's
      // own scan where the literal is on most lines (`^#define\s+...`).
      const char* hit = m.find(data + from, data + len);
      if (!hit) break;
      const void* nl = ::memrchr(data + from, '\n', static_cast<size_t>(hit - (data + from)));
      if (nl) from = static_cast<size_t>(static_cast<const char*>(nl) - data) + 1;
      const char* edge = hit + std::min<size_t>(kWindow, static_cast<size_t>(data + len - hit));
      const void* eol = ::memchr(edge, '\n', static_cast<size_t>(data + len - edge));
      start_limit = eol ? static_cast<size_t>(static_cast<const char*>(eol) - data) : len;
    }
    size_t ms, me;
    int rc = m.match(data, len, from, &ms, &me, start_limit);
    if (rc < 0) return false;
    if (rc == 0) {
      if (start_limit == PCRE2_UNSET || start_limit >= len) break;
      from = start_limit + 1;  // no match starts up to there: on to the next literal
      continue;
    }
    if (ms == len && len > 0 && data[len - 1] == '\n') break;  // past the last line
    const void* prev_nl = ms > 0 ? ::memrchr(data + from, '\n', ms - from) : nullptr;
    size_t line_start = prev_nl ? static_cast<const char*>(prev_nl) - data + 1 : from;
    const void* nl = ::memchr(data + ms, '\n', len - ms);
    size_t line_end = nl ? static_cast<const char*>(nl) - data : len;
    if (me > line_end) {
      // The match crossed a newline; keep the line only if it matches on its own.
      size_t s2, e2;
      int rc2 = m.match(data, line_end, line_start, &s2, &e2);
      if (rc2 < 0) return false;
      if (rc2 == 0) {
        from = line_end + 1;
        continue;
      }
    }
    if (!opt.files_only && !opt.count_only) {
      line_no += static_cast<size_t>(std::count(data + counted_pos, data + line_start, '\n'));
      counted_pos = line_start;
    }
    ++out->count;
    if (opt.files_only) break;
    if (!opt.count_only) {
      size_t e = line_end;
      if (e > line_start && data[e - 1] == '\r') --e;
      out->lines.push_back({line_no, std::string(data + line_start, e - line_start)});
      if (opt.max_lines_per_file && out->lines.size() >= opt.max_lines_per_file) break;
    }
    if (line_end >= len) break;
    from = line_end + 1;
  }
  return true;
}

bool glob_ok(const std::string& glob, const std::string& path) {
  if (glob.empty()) return true;
  if (glob.find('/') == std::string::npos) {
    size_t slash = path.rfind('/');
    return glob_match(glob, slash == std::string::npos ? path : std::string_view(path).substr(slash + 1));
  }
  return glob_match(glob, path);
}

// Compiles the pattern (JIT when available); a bad pattern is a kBadInput
// error carrying PCRE2's message and offset.
Result<std::unique_ptr<Code>> compile(const GrepOptions& opt) {
  uint32_t flags = PCRE2_MULTILINE | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (opt.ignore_case) flags |= PCRE2_CASELESS;
  // A pattern that is all literal is left to PCRE2: the JIT scans for it as
  // fast. So is a caseless literal with a 'k' or an 's' (with UTF, PCRE2
  // also matches U+212A KELVIN SIGN and U+017F LONG S for them).
  std::string literal;
  if (opt.literal_prefilter) literal = required_literal(opt.pattern, 3, opt.ignore_case);
  if (literal == opt.pattern || (opt.ignore_case && !ascii_caseless_ok(literal))) literal.clear();
  if (opt.ignore_case)
    for (char& c : literal) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  if (!literal.empty()) flags |= PCRE2_USE_OFFSET_LIMIT;
  int errcode = 0;
  PCRE2_SIZE erroff = 0;
  auto code = std::make_unique<Code>();
  code->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(opt.pattern.data()), opt.pattern.size(),
                             flags, &errcode, &erroff, nullptr);
  if (!code->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(errcode, msg, sizeof msg);
    return make_error(ErrorKind::kBadInput, "invalid regex at offset " + std::to_string(erroff) +
                                                ": " + reinterpret_cast<char*>(msg));
  }
  pcre2_jit_compile(code->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter on failure
  code->literal = std::move(literal);
  code->fold_case = opt.ignore_case;
  return code;
}

struct FileOutcome {
  bool searched = false;  // read and searched (not unreadable, too big or binary-checked out)
  bool limited = false;   // PCRE2's match limit stopped the search
};

// Reads `name` (relative to `dir_fd`) into `buf` and searches it; a match
// lands in *r (r->count > 0).
FileOutcome search_file(int dir_fd, const char* name, ThreadMatcher& matcher, ReadBuffer& buf,
                        const GrepOptions& opt, GrepFileResult* r) {
  FileOutcome outcome;
  // No symlinks, and never block on a FIFO swapped in since the walk.
  int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return outcome;
  bool ok = buf.fill(fd, opt.max_file_bytes);
  ::close(fd);
  if (!ok) return outcome;
  outcome.searched = true;
  if (std::memchr(buf.data(), 0, std::min<size_t>(buf.size(), 8192))) return outcome;  // binary
  outcome.limited = !search_buffer(matcher, buf.data(), buf.size(), opt, r);
  return outcome;
}

GrepSummary summarize(std::vector<std::pair<std::string, GrepFileResult>> hits, size_t searched,
                      size_t limited);

}  // namespace

Result<GrepSummary> grep_files(const std::string& root, const std::vector<std::string>& files,
                               const GrepOptions& opt) {
  auto compiled = compile(opt);
  if (!compiled.ok()) return compiled.error();
  const Code& code = *compiled.value();

  std::vector<const std::string*> todo;
  todo.reserve(files.size());
  for (const auto& f : files)
    if (!f.empty() && f.back() != '/' && glob_ok(opt.glob, f)) todo.push_back(&f);

  int n = opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency());
  n = std::clamp(n, 1, 16);
  // Work is handed out by directory, so each thread opens a directory once
  // and its files relative to it (short path lookups).
  std::vector<std::pair<size_t, size_t>> groups;  // [begin, end) in todo
  auto dir_of = [](const std::string& p) {
    size_t s = p.rfind('/');
    return std::string_view(p).substr(0, s == std::string::npos ? 0 : s);
  };
  for (size_t i = 0; i < todo.size();) {
    size_t j = i + 1;
    while (j < todo.size() && j - i < 64 && dir_of(*todo[j]) == dir_of(*todo[i])) ++j;
    groups.push_back({i, j});
    i = j;
  }
  if (static_cast<size_t>(n) > groups.size()) n = std::max<int>(1, static_cast<int>(groups.size()));
  std::atomic<size_t> next{0}, limited{0}, searched{0};
  std::vector<std::vector<std::pair<std::string, GrepFileResult>>> per_thread(n);
  std::string base = root.empty() ? "." : root;

  auto work = [&](int t) {
    ThreadMatcher matcher(code);
    ReadBuffer buf;
    for (;;) {
      size_t g = next.fetch_add(1);
      if (g >= groups.size()) break;
      auto [begin, end] = groups[g];
      std::string_view dir = dir_of(*todo[begin]);
      std::string dir_path = dir.empty() ? base : base + "/" + std::string(dir);
      int dfd = ::open(dir_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
      if (dfd < 0) continue;
      for (size_t i = begin; i < end; ++i) {
        const char* name = todo[i]->c_str() + (dir.empty() ? 0 : dir.size() + 1);
        GrepFileResult r;
        FileOutcome o = search_file(dfd, name, matcher, buf, opt, &r);
        if (o.searched) searched.fetch_add(1, std::memory_order_relaxed);
        if (o.limited) limited.fetch_add(1, std::memory_order_relaxed);
        if (r.count > 0) per_thread[t].emplace_back(*todo[i], std::move(r));
      }
      ::close(dfd);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < n; ++t) threads.emplace_back(work, t);
  work(0);
  for (auto& th : threads) th.join();

  std::vector<std::pair<std::string, GrepFileResult>> all;
  for (auto& v : per_thread)
    for (auto& p : v) all.push_back(std::move(p));
  return summarize(std::move(all), searched.load(), limited.load());
}

namespace {

// Results in path order (the walk's order), each carrying its path.
GrepSummary summarize(std::vector<std::pair<std::string, GrepFileResult>> hits, size_t searched,
                      size_t limited) {
  std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  GrepSummary summary;
  summary.files.reserve(hits.size());
  for (auto& [path, r] : hits) {
    r.path = std::move(path);
    summary.files.push_back(std::move(r));
  }
  summary.files_searched = searched;
  summary.files_hit_limit = limited;
  return summary;
}

// Matching state for one thread of the walk, lent per directory.
struct Worker {
  explicit Worker(const Code& code) : matcher(code) {}
  ThreadMatcher matcher;
  ReadBuffer buf;
};

}  // namespace

Result<GrepSummary> grep_tree(const std::string& root, const GrepOptions& opt) {
  auto compiled = compile(opt);
  if (!compiled.ok()) return compiled.error();
  const Code& code = *compiled.value();
  std::mutex mu;
  std::vector<std::unique_ptr<Worker>> idle;
  std::vector<std::pair<std::string, GrepFileResult>> hits;
  size_t searched = 0, limited = 0;
  int root_fd = ::open(root.empty() ? "." : root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_PATH);
  if (root_fd < 0) return make_error(ErrorKind::kNotFound, "cannot open directory " + root);

  WalkOptions walk;
  walk.threads = opt.threads;
  walk.keep_listing = false;
  walk.on_files = [&](const FileBatch& batch) {
    std::unique_ptr<Worker> w;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!idle.empty()) {
        w = std::move(idle.back());
        idle.pop_back();
      }
    }
    if (!w) w = std::make_unique<Worker>(code);
    std::vector<std::pair<std::string, GrepFileResult>> found;
    size_t n_searched = 0, n_limited = 0;
    int dir_fd = batch.dir_fd >= 0 ? batch.dir_fd : root_fd;
    for (const std::string& path : *batch.paths) {
      if (path.empty() || path.back() == '/' || !glob_ok(opt.glob, path)) continue;
      GrepFileResult r;
      FileOutcome o = search_file(dir_fd, path.c_str() + batch.name_offset, w->matcher, w->buf, opt, &r);
      n_searched += o.searched;
      n_limited += o.limited;
      if (r.count > 0) found.emplace_back(path, std::move(r));
    }
    std::lock_guard<std::mutex> lock(mu);
    idle.push_back(std::move(w));
    searched += n_searched;
    limited += n_limited;
    for (auto& f : found) hits.push_back(std::move(f));
  };
  list_files(root, walk);
  ::close(root_fd);
  return summarize(std::move(hits), searched, limited);
}

}  // namespace bastion::index
