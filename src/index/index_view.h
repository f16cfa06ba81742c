// IndexView: read access to a CodeIndex for search and the repo map, valid
// only inside CodeIndex::read(). Files are numbered by slot; a slot is either
// a record in the mmap-ed snapshot or a file (re)indexed since, held in
// memory. Everything is fetched on demand: a query reads only its terms'
// postings and the symbols of the files it looks at, so its cost does not
// grow with the repository.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "index/derived_cache.h"
#include "index/file_entry.h"
#include "index/index_snapshot.h"

namespace bastion::index {

class CodeIndex;

class IndexView {
 public:
  explicit IndexView(const CodeIndex& index) : ix_(index) {}
  IndexView(const IndexView&) = delete;
  IndexView& operator=(const IndexView&) = delete;

  // Slots run from 0 to slot_count() - 1; only live() ones hold a file.
  uint32_t slot_count() const;
  bool live(uint32_t slot) const;
  size_t live_count() const;
  double avg_len() const;  // mean BM25 document length

  std::string_view path(uint32_t slot) const;
  Lang lang(uint32_t slot) const;
  uint32_t lines(uint32_t slot) const;
  uint32_t term_count(uint32_t slot) const;  // BM25 document length
  // Decoded on first use, then kept.
  const FileSymbols& symbols(uint32_t slot) const;
  // symbols(slot).refs without decoding the rest: views valid while the
  // index is unchanged (DerivedCache's lifetime).
  void references(uint32_t slot, std::vector<std::pair<std::string_view, uint32_t>>& out) const;

  // The live slot of a repo-relative path.
  std::optional<uint32_t> find(std::string_view path) const;
  void for_each_file(const std::function<void(std::string_view path, uint32_t slot)>& fn) const;

  // Live files holding `term` ("P:"/"F:" prefixed for path words), by slot;
  // empty when none. Valid as long as the view.
  std::span<const Posting> postings(std::string_view term) const;
  // Live files defining `name`.
  std::span<const uint32_t> definers(std::string_view name) const;
  // definers(name), unless the snapshot's list alone proves that more than
  // `n` live files define it (listed minus dead slots): then `more` is set
  // and the span empty, without merging the list with the edits since.
  std::span<const uint32_t> definers_up_to(std::string_view name, size_t n, bool& more) const;

  // Query-independent results kept across queries while the index is
  // unchanged (derived_cache.h).
  DerivedCache& derived() const;

 private:
  // The live definers: `base` (the snapshot's list) merged with the edits.
  std::span<const uint32_t> merged_definers(std::string_view name,
                                            std::span<const uint32_t> base) const;
  const CodeIndex& ix_;
  mutable std::map<std::string, std::vector<Posting>, std::less<>> merged_postings_;
  mutable std::map<std::string, std::vector<uint32_t>, std::less<>> merged_definers_;
};

}  // namespace bastion::index
