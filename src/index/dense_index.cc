#include "index/dense_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

#include "index/file_entry.h"
#include "index/languages.h"
#include "util/fs.h"
#include "util/strings.h"

namespace bastion::index {
namespace {

constexpr size_t kMaxFileBytes = 512 * 1024;

void normalize(std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  if (sum <= 0) return;
  float inv = static_cast<float>(1.0 / std::sqrt(sum));
  for (float& x : v) x *= inv;
}

std::string to_bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

std::vector<float> from_bytes(const std::string& b) {
  std::vector<float> v(b.size() / sizeof(float));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(float));
  return v;
}

struct Chunk {
  uint32_t start_line;  // 1-based
  std::string text;
};

// kChunkLines-line windows, each headed by the path (a file's name says
// what it is about as much as its text does), cut to kChunkChars.
std::vector<Chunk> chunk_file(const std::string& path, const std::string& content) {
  std::vector<Chunk> out;
  std::vector<std::string> lines = str::split_lines(content);
  for (size_t i = 0; i < lines.size(); i += DenseIndex::kChunkLines) {
    std::string text = path + "\n";
    for (size_t j = i; j < lines.size() && j < i + DenseIndex::kChunkLines; ++j) text += lines[j] + "\n";
    if (text.size() > DenseIndex::kChunkChars) text = str::truncate_utf8(text, DenseIndex::kChunkChars);
    if (str::trim(text).size() > path.size()) out.push_back({static_cast<uint32_t>(i + 1), std::move(text)});
  }
  return out;
}

Result<std::string> meta_get(store::Database& db, const char* key) {
  auto st = db.prepare("SELECT value FROM meta WHERE key = ?");
  if (!st.ok()) return st.error();
  st->bind(1, std::string_view(key));
  auto row = st->step();
  if (!row.ok()) return row.error();
  return row.value() ? st->column_text(0) : std::string();
}

Status meta_set(store::Database& db, const char* key, const std::string& value) {
  auto st = db.prepare("INSERT INTO meta(key, value) VALUES(?, ?) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!st.ok()) return st.error();
  st->bind(1, std::string_view(key)).bind(2, value);
  return st->run();
}

}  // namespace

Result<std::unique_ptr<DenseIndex>> DenseIndex::open(const std::string& path, const std::string& model,
                                                     bool reset_other_model) {
  auto db = store::Database::open(path);
  if (!db.ok()) return db.error();
  Status schema = db->exec(
      "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
      "CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, hash INTEGER NOT NULL);"
      "CREATE TABLE IF NOT EXISTS chunks(id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
      " start_line INTEGER NOT NULL, vec BLOB NOT NULL);"
      "CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);");
  if (!schema.ok()) return schema.error();
  std::unique_ptr<DenseIndex> index(new DenseIndex(std::move(db.value()), path));
  auto stored = meta_get(index->db_, "model");
  if (!stored.ok()) return stored.error();
  if (stored.value() != model && !stored->empty() && !reset_other_model)
    return make_error(ErrorKind::kConfig, "the stored vectors were made with '" + stored.value() +
                                              "', not '" + model + "': run `bastion index --embeddings`");
  if (stored.value() != model) {
    // Vectors of another model are not comparable with this one's.
    store::Transaction tx(index->db_);
    for (const char* sql : {"DELETE FROM chunks", "DELETE FROM files", "DELETE FROM meta"})
      if (Status s = index->db_.exec(sql); !s.ok()) return s.error();
    if (Status s = meta_set(index->db_, "model", model); !s.ok()) return s.error();
    if (Status s = tx.commit(); !s.ok()) return s.error();
  }
  return index;
}

size_t DenseIndex::chunk_count() const {
  auto st = db_.prepare("SELECT count(*) FROM chunks");
  if (!st.ok()) return 0;
  auto row = st->step();
  return row.ok() && row.value() ? static_cast<size_t>(st->column_int(0)) : 0;
}

Result<DenseStats> DenseIndex::update(const std::string& root, const std::vector<std::string>& paths,
                                      const Embedder& embed,
                                      const std::function<void(size_t, size_t)>& progress) {
  DenseStats stats;
  std::unordered_map<std::string, int64_t> stored;
  {
    auto st = db_.prepare("SELECT path, hash FROM files");
    if (!st.ok()) return st.error();
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!row.value()) break;
      stored[st->column_text(0)] = st->column_int(1);
    }
  }
  auto dims_text = meta_get(db_, "dims");
  if (!dims_text.ok()) return dims_text.error();
  size_t dims = dims_text->empty() ? 0 : static_cast<size_t>(std::stoull(dims_text.value()));

  std::unordered_set<std::string> listed;
  size_t done = 0;
  bool changed = false;
  for (const std::string& rel : paths) {
    ++done;
    if (lang_for_path(rel) == Lang::kNone) continue;
    auto content = fs::read_file(root + "/" + rel);
    if (!content.ok() || content->size() > kMaxFileBytes || str::looks_binary(content.value())) continue;
    listed.insert(rel);
    ++stats.files;
    int64_t hash = static_cast<int64_t>(content_hash(content.value()));
    auto known = stored.find(rel);
    if (known != stored.end() && known->second == hash) continue;
    std::vector<Chunk> chunks = chunk_file(rel, content.value());
    std::vector<std::vector<float>> vecs;
    for (size_t b = 0; b < chunks.size(); b += kBatch) {
      std::vector<std::string> texts;
      for (size_t i = b; i < chunks.size() && i < b + kBatch; ++i) texts.push_back(chunks[i].text);
      auto got = embed(texts);
      if (!got.ok()) return got.error();
      if (got->size() != texts.size())
        return make_error(ErrorKind::kModel, "the embeddings endpoint returned " +
                                                 std::to_string(got->size()) + " vectors for " +
                                                 std::to_string(texts.size()) + " chunks");
      for (auto& v : got.value()) {
        if (dims == 0) dims = v.size();
        if (v.size() != dims)
          return make_error(ErrorKind::kModel,
                            "the embeddings endpoint changed dimension (" + std::to_string(dims) + " -> " +
                                std::to_string(v.size()) + "); delete " + path_ + " to start afresh");
        normalize(v);
        vecs.push_back(std::move(v));
      }
    }
    store::Transaction tx(db_);
    auto del = db_.prepare("DELETE FROM chunks WHERE path = ?");
    if (!del.ok()) return del.error();
    del->bind(1, rel);
    if (Status s = del->run(); !s.ok()) return s.error();
    auto ins = db_.prepare("INSERT INTO chunks(path, start_line, vec) VALUES(?, ?, ?)");
    if (!ins.ok()) return ins.error();
    for (size_t i = 0; i < chunks.size(); ++i) {
      ins->reset();
      ins->bind(1, rel).bind(2, static_cast<int64_t>(chunks[i].start_line)).bind_blob(3, to_bytes(vecs[i]));
      if (Status s = ins->run(); !s.ok()) return s.error();
    }
    auto up = db_.prepare("INSERT INTO files(path, hash) VALUES(?, ?) "
                          "ON CONFLICT(path) DO UPDATE SET hash = excluded.hash");
    if (!up.ok()) return up.error();
    up->bind(1, rel).bind(2, hash);
    if (Status s = up->run(); !s.ok()) return s.error();
    if (Status s = meta_set(db_, "dims", std::to_string(dims)); !s.ok()) return s.error();
    if (Status s = tx.commit(); !s.ok()) return s.error();
    ++stats.embedded;
    stats.chunks += chunks.size();
    changed = true;
    if (progress) progress(done, paths.size());
  }
  for (auto& [path, hash] : stored) {
    if (listed.count(path)) continue;
    store::Transaction tx(db_);
    for (const char* sql : {"DELETE FROM chunks WHERE path = ?", "DELETE FROM files WHERE path = ?"}) {
      auto st = db_.prepare(sql);
      if (!st.ok()) return st.error();
      st->bind(1, path);
      if (Status s = st->run(); !s.ok()) return s.error();
    }
    if (Status s = tx.commit(); !s.ok()) return s.error();
    ++stats.removed;
    changed = true;
  }
  if (progress) progress(paths.size(), paths.size());
  if (changed || !fs::exists(path_ + ".hnsw")) {
    if (Status s = rebuild_graph(); !s.ok()) return s.error();
  }
  return stats;
}

Status DenseIndex::rebuild_graph() {
  auto st = db_.prepare("SELECT id, vec FROM chunks");
  if (!st.ok()) return st.error();
  std::vector<std::pair<int64_t, std::vector<float>>> rows;
  for (;;) {
    auto row = st->step();
    if (!row.ok()) return row.error();
    if (!row.value()) break;
    rows.push_back({st->column_int(0), from_bytes(st->column_blob(1))});
  }
  auto gen = meta_get(db_, "generation");
  if (!gen.ok()) return gen.error();
  std::string next = std::to_string((gen->empty() ? 0 : std::stoll(gen.value())) + 1);
  std::string graph = path_ + ".hnsw";
  std::error_code ec;
  if (rows.empty()) {
    std::filesystem::remove(graph, ec);
  } else {
    try {
      hnswlib::InnerProductSpace space(rows.front().second.size());
      hnswlib::HierarchicalNSW<float> hnsw(&space, rows.size(), 16, 100);
      for (auto& [id, vec] : rows) hnsw.addPoint(vec.data(), static_cast<hnswlib::labeltype>(id));
      hnsw.saveIndex(graph + ".tmp");
    } catch (const std::exception& e) {
      return make_error(ErrorKind::kInternal, std::string("building the vector graph: ") + e.what());
    }
    std::filesystem::rename(graph + ".tmp", graph, ec);
    if (ec) return make_error(ErrorKind::kInternal, "writing " + graph + ": " + ec.message());
  }
  if (Status s = fs::write_file_atomic(graph + ".gen", next); !s.ok()) return s;
  return meta_set(db_, "generation", next);
}

Result<std::vector<std::pair<std::string, double>>> DenseIndex::query(const std::vector<float>& query,
                                                                     size_t k) const {
  std::vector<std::pair<std::string, double>> out;
  auto dims_text = meta_get(db_, "dims");
  if (!dims_text.ok()) return dims_text.error();
  if (dims_text->empty() || k == 0) return out;
  size_t dims = static_cast<size_t>(std::stoull(dims_text.value()));
  if (query.size() != dims)
    return make_error(ErrorKind::kModel, "the query's embedding has " + std::to_string(query.size()) +
                                             " dimensions, the stored ones " + std::to_string(dims));
  std::vector<float> q = query;
  normalize(q);
  std::unordered_map<int64_t, double> sims;  // chunk id -> cosine
  auto gen = meta_get(db_, "generation");
  auto on_disk = fs::read_file(path_ + ".hnsw.gen");
  bool graph_fresh = gen.ok() && on_disk.ok() && str::trim(on_disk.value()) == gen.value();
  if (graph_fresh) {
    try {
      hnswlib::InnerProductSpace space(dims);
      hnswlib::HierarchicalNSW<float> hnsw(&space, path_ + ".hnsw");
      size_t want = std::min<size_t>(hnsw.cur_element_count, k * 8);
      hnsw.setEf(std::max<size_t>(want, 100));
      auto found = hnsw.searchKnn(q.data(), want);
      while (!found.empty()) {
        sims[static_cast<int64_t>(found.top().second)] = 1.0 - found.top().first;
        found.pop();
      }
    } catch (const std::exception&) {
      graph_fresh = false;  // unreadable graph: scan instead
      sims.clear();
    }
  }
  auto st = db_.prepare(graph_fresh ? "SELECT id, path, vec FROM chunks WHERE id = ?"
                                    : "SELECT id, path, vec FROM chunks");
  if (!st.ok()) return st.error();
  std::unordered_map<std::string, double> best;
  auto take = [&](int64_t id, const std::string& path, double sim) {
    (void)id;
    auto it = best.find(path);
    if (it == best.end() || sim > it->second) best[path] = sim;
  };
  if (graph_fresh) {
    for (auto& [id, sim] : sims) {
      st->reset();
      st->bind(1, id);
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (row.value()) take(id, st->column_text(1), sim);
    }
  } else {
    for (;;) {
      auto row = st->step();
      if (!row.ok()) return row.error();
      if (!row.value()) break;
      std::vector<float> v = from_bytes(st->column_blob(2));
      if (v.size() != q.size()) continue;
      double dot = 0;
      for (size_t i = 0; i < v.size(); ++i) dot += static_cast<double>(v[i]) * q[i];
      take(st->column_int(0), st->column_text(1), dot);
    }
  }
  out.assign(best.begin(), best.end());
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  if (out.size() > k) out.resize(k);
  return out;
}

}  // namespace bastion::index
