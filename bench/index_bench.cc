// Context-engine query speed inside a long-lived process (an agent session),
// with Google Benchmark: a warm search (refresh + rank, the index already
// open), a search and a bare refresh right after one file was edited, and
// all again without
// the inotify watcher (every refresh walks and stats the whole tree, as a
// one-shot CLI call does). The tree must already be indexed
// (`bastion index` with the same XDG_CACHE_HOME) unless it is small.
//
//   BASTION_BENCH_TREE=DIR [BASTION_BENCH_QUERY=...] [BASTION_BENCH_EDIT=rel/path]
//     build/bin/index_bench [--benchmark_min_time=2]
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "index/index_open.h"
#include "index/search.h"
#include "util/fs.h"

namespace {

std::string env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

std::unique_ptr<bastion::index::CodeIndex> open_tree(bool watch, benchmark::State& state) {
  auto opened = bastion::index::open_repo_index(env_or("BASTION_BENCH_TREE", "."), "", watch);
  if (!opened.ok()) {
    state.SkipWithError(opened.error().message.c_str());
    return nullptr;
  }
  auto index = std::move(opened.value());
  // The first refresh walks; with a watcher the second walks once more
  // (see CodeIndex::paths_to_check); from then on the watches vouch.
  for (int i = 0; i < 2; ++i) {
    auto r = index->refresh();
    if (!r.ok()) {
      state.SkipWithError(r.error().message.c_str());
      return nullptr;
    }
  }
  return index;
}

void run_search(bastion::index::CodeIndex& index, benchmark::State& state) {
  bastion::index::SearchOptions opt;
  opt.k = 5;
  opt.lines_per_file = 0;
  auto hits = bastion::index::search(index, env_or("BASTION_BENCH_QUERY", "parse config file error"), opt);
  if (!hits.ok()) state.SkipWithError(hits.error().message.c_str());
  benchmark::DoNotOptimize(hits);
}

void warm_search(benchmark::State& state, bool watch) {
  auto index = open_tree(watch, state);
  if (!index) return;
  for (auto _ : state) run_search(*index, state);
}

// Each iteration appends a line to the edit file (outside the timing),
// then searches (or only refreshes): the refresh must notice and re-read
// that file.
void after_edit(benchmark::State& state, bool watch, bool search_too) {
  std::string root = bastion::index::repo_root_for(env_or("BASTION_BENCH_TREE", "."));
  std::string path = root + "/" + env_or("BASTION_BENCH_EDIT", "README.md");
  auto original = bastion::fs::read_file(path);
  if (!original.ok()) {
    state.SkipWithError(("BASTION_BENCH_EDIT: " + original.error().message).c_str());
    return;
  }
  auto index = open_tree(watch, state);
  if (!index) return;
  int n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::ofstream(path, std::ios::app) << "\n// edit " << ++n << "\n";
    state.ResumeTiming();
    if (search_too) {
      run_search(*index, state);
    } else {
      auto r = index->refresh();
      if (!r.ok() || r->analyzed != 1) state.SkipWithError("the refresh missed the edit");
    }
  }
  (void)bastion::fs::write_file_atomic(path, original.value());
}

void BM_WarmSearch_Watched(benchmark::State& s) { warm_search(s, true); }
void BM_WarmSearch_Walked(benchmark::State& s) { warm_search(s, false); }
void BM_SearchAfterEdit_Watched(benchmark::State& s) { after_edit(s, true, true); }
void BM_SearchAfterEdit_Walked(benchmark::State& s) { after_edit(s, false, true); }
void BM_RefreshAfterEdit_Watched(benchmark::State& s) { after_edit(s, true, false); }
void BM_RefreshAfterEdit_Walked(benchmark::State& s) { after_edit(s, false, false); }

BENCHMARK(BM_WarmSearch_Watched)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SearchAfterEdit_Watched)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RefreshAfterEdit_Watched)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_WarmSearch_Walked)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SearchAfterEdit_Walked)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RefreshAfterEdit_Walked)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
