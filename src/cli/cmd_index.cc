// `bastion index [--embeddings] [DIR]`: builds or refreshes the repository's
// symbol and search index, with a progress line on stderr when it is a
// terminal (a big cold build goes in two passes: text and paths, then
// symbols); with --embeddings, also the optional dense vectors through the
// configured /v1/embeddings endpoint (cli/embeddings_setup.h). With --serve,
// keeps the index open and watched to answer `bastion search` (index_server.h),
// with --idle-exit SECONDS only until that long passes without a request.
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cli/embeddings_setup.h"
#include "cli/index_server.h"
#include "cli/subcommands.h"
#include "index/index_open.h"

namespace bastion::cli {

namespace {

void print_phases(const index::RefreshStats& s) {
  if (s.analyzed == 0) return;
  std::printf("  %zu copies of identical files not parsed again; %.2fs listing, reading and "
              "analysing, %.2fs merging, %.2fs database, %.2fs snapshot\n",
              s.reused, s.analyze_seconds, s.merge_seconds, s.store_seconds, s.snapshot_seconds);
}

}  // namespace

int run_index(const std::vector<std::string>& args) {
  std::string dir = ".";
  bool embeddings = false;
  bool serve = false;
  IndexServerOptions server;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      std::printf(
          "usage: bastion index [--embeddings] [DIR]\n"
          "       bastion index --serve [-v] [--idle-exit SECONDS] [DIR]   (answer `bastion "
          "search` until stopped, or until SECONDS pass without a request)\n");
      return kExitOk;
    }
    if (a == "--idle-exit") {
      int seconds = -1;
      try {
        if (i + 1 < args.size()) seconds = std::stoi(args[++i]);
      } catch (...) {
      }
      if (seconds < 0) {
        std::fprintf(stderr, "bastion index: --idle-exit needs a number of seconds\n");
        return kExitUsage;
      }
      server.idle_exit_seconds = seconds;
      continue;
    }
    if (a == "--serve" || a == "-v" || a == "--verbose") {
      (a == "--serve" ? serve : server.verbose) = true;
      continue;
    }
    if (a == "--embeddings") {
      embeddings = true;
      continue;
    }
    dir = a;
  }
  if (serve) {
    server.dir = dir;
    return run_index_server(server);
  }
  std::optional<llm::EmbeddingsEndpoint> endpoint;
  if (embeddings) {
    auto configured = configured_embeddings();
    if (!configured.ok()) {
      std::fprintf(stderr, "bastion index: %s\n", configured.error().message.c_str());
      return kExitError;
    }
    if (!configured.value()) {
      std::fprintf(stderr,
                   "bastion index: --embeddings needs an embeddings model: set [search] "
                   "embeddings_model in ~/.config/bastion/config.toml or BASTION_EMBEDDINGS_MODEL\n");
      return kExitUsage;
    }
    endpoint = configured.value();
  }
  auto index = index::open_repo_index(dir, "", /*watch=*/false, /*defer_symbols=*/true);
  if (!index.ok()) {
    std::fprintf(stderr, "bastion index: %s\n", index.error().message.c_str());
    return kExitError;
  }
  bool tty = isatty(STDERR_FILENO);
  index::ProgressFn progress;
  if (tty) {
    progress = [](size_t done, size_t total) {
      std::fprintf(stderr, "\rindexing %zu/%zu files", done, total);
      std::fflush(stderr);
    };
  }
  auto stats = index.value()->refresh(progress);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!stats.ok()) {
    std::fprintf(stderr, "bastion index: %s\n", stats.error().message.c_str());
    return kExitError;
  }
  const auto& s = stats.value();
  std::printf("%s: %zu files, %zu indexed, %zu unchanged content, %zu removed in %.2fs\n",
              index.value()->root().c_str(), s.files, s.analyzed, s.touched, s.removed, s.seconds);
  print_phases(s);
  // A big cold build indexed text and paths first (searchable from now
  // on, by other processes too); symbols follow in a second pass.
  if (s.symbols_pending > 0 || index.value()->symbols_pending() > 0) {
    std::printf("  searchable by text and paths; parsing symbols...\n");
    std::fflush(stdout);
    auto done = index.value()->complete_symbols(progress);
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!done.ok()) {
      std::fprintf(stderr, "bastion index: %s\n", done.error().message.c_str());
      return kExitError;
    }
    std::printf("symbols: %zu files parsed in %.2fs (%.2fs since the start)\n", done->analyzed,
                done->seconds, s.seconds + done->seconds);
    print_phases(done.value());
  }
  if (endpoint) {
    auto dense = index::DenseIndex::open(dense_store_path(index.value()->root()), endpoint->model);
    if (!dense.ok()) {
      std::fprintf(stderr, "bastion index: %s\n", dense.error().message.c_str());
      return kExitError;
    }
    std::vector<std::string> paths;
    index.value()->read([&](const index::CodeIndex::View& v) {
      v.for_each_file([&](std::string_view p, uint32_t) { paths.emplace_back(p); });
    });
    auto ds = dense.value()->update(index.value()->root(), paths, make_embedder(*endpoint),
                                    tty ? std::function<void(size_t, size_t)>(progress) : nullptr);
    if (tty) std::fprintf(stderr, "\r\033[K");
    if (!ds.ok()) {
      std::fprintf(stderr, "bastion index: embeddings: %s\n", ds.error().message.c_str());
      return kExitError;
    }
    std::printf("embeddings (%s): %zu source files, %zu embedded (%zu chunks), %zu removed\n",
                endpoint->model.c_str(), ds->files, ds->embedded, ds->chunks, ds->removed);
  }
  return kExitOk;
}

}  // namespace bastion::cli
