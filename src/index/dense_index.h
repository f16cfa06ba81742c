// DenseIndex: the optional embedding half of code search. Source files are
// cut into chunks of kChunkLines lines (headed by their path), each chunk is
// embedded through an injected Embedder (the endpoint's /v1/embeddings, see
// llm/embeddings.h) and stored in SQLite beside the code index
// (`<index db>.dense`); an hnswlib graph over the unit vectors
// (`<index db>.dense.hnsw`) answers nearest-neighbour queries without
// scanning them all. Files are re-embedded only when their content hash
// changes, and the store is tied to one model: another model or dimension
// starts it afresh.
//
// Nothing here runs unless the user configured an embeddings model: search
// works without it, and a query falls back to a scan of the stored vectors
// when the graph file is missing or stale.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "store/sqlite.h"
#include "util/result.h"

namespace bastion::index {

using Embedder =
    std::function<Result<std::vector<std::vector<float>>>(const std::vector<std::string>& texts)>;

struct DenseStats {
  size_t files = 0;     // source files considered
  size_t embedded = 0;  // files (re)embedded now
  size_t chunks = 0;    // chunks embedded now
  size_t removed = 0;   // files dropped (gone or no longer listed)
};

class DenseIndex {
 public:
  static constexpr size_t kChunkLines = 60;
  static constexpr size_t kChunkChars = 2000;
  static constexpr size_t kBatch = 32;

  // Opens (creating) the store at `path` for `model`. Vectors of another
  // model are dropped when `reset_other_model`; otherwise that is an error
  // (a search must not throw away what `bastion index --embeddings` made).
  static Result<std::unique_ptr<DenseIndex>> open(const std::string& path, const std::string& model,
                                                  bool reset_other_model = true);

  // Embeds the files of `paths` (repo-relative under `root`) whose content
  // changed since they were stored, drops stored files not in `paths`, and
  // rebuilds the graph when anything changed. Source files only (by
  // extension), 512 KB at most; others are skipped.
  Result<DenseStats> update(const std::string& root, const std::vector<std::string>& paths,
                            const Embedder& embed,
                            const std::function<void(size_t done, size_t total)>& progress = nullptr);

  // Files ranked by their best chunk's cosine similarity to `query`
  // (at most k files), best first.
  Result<std::vector<std::pair<std::string, double>>> query(const std::vector<float>& query,
                                                           size_t k) const;

  size_t chunk_count() const;

 private:
  explicit DenseIndex(store::Database db, std::string path) : db_(std::move(db)), path_(std::move(path)) {}
  Status rebuild_graph();

  mutable store::Database db_;
  std::string path_;
};

}  // namespace bastion::index
