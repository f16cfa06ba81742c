// Symbol extraction speed per language, with Google Benchmark: the files of a
// tree that the index would parse, read once, then extracted over and over,
// two ways: the default (native definition rules where a grammar has them,
// index/native_defs.h) and the grammar's tags query alone. Bytes/s is the
// figure to compare; both give the same symbols (tests/unit/index).
//
//   BASTION_BENCH_TREE=DIR build/bin/symbols_bench [--benchmark_min_time=1]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "index/languages.h"
#include "index/symbols.h"
#include "index/walker.h"
#include "util/fs.h"

namespace {

using bastion::index::Lang;

struct SourceFile {
  Lang lang;
  std::string content;
};

// Files of `lang` under the tree, up to 512 KB each (larger ones are not
// parsed by the index either).
const std::vector<SourceFile>& sources(Lang lang) {
  static std::vector<SourceFile> all = [] {
    const char* tree = std::getenv("BASTION_BENCH_TREE");
    std::string root = tree && *tree ? tree : ".";
    std::vector<SourceFile> out;
    for (const std::string& rel : bastion::index::list_files(root)) {
      Lang l = bastion::index::lang_for_path(rel);
      if (l == Lang::kNone) continue;
      auto text = bastion::fs::read_file(root + "/" + rel);
      if (text.ok() && text->size() <= 512 * 1024) out.push_back({l, std::move(*text)});
    }
    return out;
  }();
  static std::vector<SourceFile> by_lang[9];
  std::vector<SourceFile>& mine = by_lang[static_cast<size_t>(lang)];
  if (mine.empty())
    for (const SourceFile& f : all)
      if (f.lang == lang) mine.push_back(f);
  return mine;
}

void extract_all(benchmark::State& state, Lang lang, bool by_query) {
  const std::vector<SourceFile>& files = sources(lang);
  if (files.empty()) {
    state.SkipWithError("no files of this language in BASTION_BENCH_TREE");
    return;
  }
  int64_t bytes = 0;
  for (const SourceFile& f : files) bytes += static_cast<int64_t>(f.content.size());
  for (auto _ : state)
    for (const SourceFile& f : files)
      benchmark::DoNotOptimize(by_query ? bastion::index::extract_symbols_by_query(f.lang, f.content)
                                        : bastion::index::extract_symbols(f.lang, f.content));
  state.SetBytesProcessed(state.iterations() * bytes);
  state.counters["files"] = static_cast<double>(files.size());
}

void BM_Python(benchmark::State& s) { extract_all(s, Lang::kPython, false); }
void BM_Python_TagsQuery(benchmark::State& s) { extract_all(s, Lang::kPython, true); }
void BM_Cpp(benchmark::State& s) { extract_all(s, Lang::kCpp, false); }
void BM_Cpp_TagsQuery(benchmark::State& s) { extract_all(s, Lang::kCpp, true); }
void BM_C(benchmark::State& s) { extract_all(s, Lang::kC, false); }
void BM_C_TagsQuery(benchmark::State& s) { extract_all(s, Lang::kC, true); }

}  // namespace

BENCHMARK(BM_Python)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Python_TagsQuery)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Cpp)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Cpp_TagsQuery)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_C)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_C_TagsQuery)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
