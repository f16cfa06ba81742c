#include "index/index_snapshot.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace bastion::index {
namespace {

constexpr char kMagic[8] = {'B', 'S', 'T', 'N', 'S', 'N', 'A', 'P'};
constexpr uint32_t kVersion = 1;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t header_size;
  uint64_t generation;
  uint64_t db_id;
  uint64_t body_hash;  // XXH3-64 of every byte after the header
  uint64_t file_size;
  uint64_t total_terms;
  uint32_t nfiles, nterms, nnames;
  uint32_t path_cap, term_cap, name_cap;
  uint64_t npostings, nname_slots, blob_size;
  uint64_t off_files, off_path_table, off_terms, off_term_table, off_postings, off_names,
      off_name_table, off_name_slots, off_blob;
};

uint64_t key_hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

uint32_t table_cap(size_t n) {
  uint32_t cap = 16;
  while (cap < n * 2) cap <<= 1;
  return cap;
}

// Open addressing with linear probing; entries hold index + 1.
template <typename KeyAt>
std::vector<uint32_t> build_table(uint32_t n, uint32_t cap, KeyAt&& key_at) {
  std::vector<uint32_t> t(cap, 0);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t h = static_cast<uint32_t>(key_hash(key_at(i))) & (cap - 1);
    while (t[h] != 0) h = (h + 1) & (cap - 1);
    t[h] = i + 1;
  }
  return t;
}

size_t align8(size_t x) { return (x + 7) & ~size_t{7}; }

Error bad(const std::string& path, const std::string& why) {
  return make_error(ErrorKind::kIo, "index snapshot " + path + ": " + why);
}

}  // namespace

std::string snapshot_path_for(const std::string& db_path) { return db_path + ".snap"; }

Snapshot::~Snapshot() {
  if (map_) munmap(map_, map_size_);
}

Result<std::unique_ptr<Snapshot>> Snapshot::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorKind::kNotFound, "no index snapshot at " + path);
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(sizeof(Header))) {
    ::close(fd);
    return bad(path, "truncated");
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return bad(path, "cannot map");
  std::unique_ptr<Snapshot> s(new Snapshot());
  s->map_ = map;
  s->map_size_ = size;
  const char* base = static_cast<const char*>(map);
  Header h;
  std::memcpy(&h, base, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) return bad(path, "not a snapshot");
  if (h.version != kVersion || h.header_size != sizeof(Header))
    return bad(path, "written by another version");
  if (h.file_size != size) return bad(path, "truncated");
  if (XXH3_64bits(base + sizeof h, size - sizeof h) != h.body_hash) return bad(path, "corrupt");
  // The hash proves the bytes are what a writer produced; bounds are still
  // checked so a writer bug can never become an out-of-bounds read.
  auto section = [&](uint64_t off, uint64_t count, size_t elem) {
    return off % 4 == 0 && off >= sizeof h && off <= size && count <= (size - off) / elem;
  };
  auto pow2 = [](uint32_t c) { return c >= 16 && (c & (c - 1)) == 0; };
  if (!section(h.off_files, h.nfiles, sizeof(SnapshotFile)) ||
      !section(h.off_path_table, h.path_cap, 4) || !section(h.off_terms, h.nterms, sizeof(KeyRec)) ||
      !section(h.off_term_table, h.term_cap, 4) ||
      !section(h.off_postings, h.npostings, sizeof(Posting)) ||
      !section(h.off_names, h.nnames, sizeof(KeyRec)) ||
      !section(h.off_name_table, h.name_cap, 4) ||
      !section(h.off_name_slots, h.nname_slots, 4) || !section(h.off_blob, h.blob_size, 1) ||
      !pow2(h.path_cap) || !pow2(h.term_cap) || !pow2(h.name_cap) || h.path_cap < h.nfiles ||
      h.term_cap < h.nterms || h.name_cap < h.nnames)
    return bad(path, "bad layout");
  s->generation_ = h.generation;
  s->db_id_ = h.db_id;
  s->total_terms_ = h.total_terms;
  s->nfiles_ = h.nfiles;
  s->nterms_ = h.nterms;
  s->nnames_ = h.nnames;
  s->path_cap_ = h.path_cap;
  s->term_cap_ = h.term_cap;
  s->name_cap_ = h.name_cap;
  s->files_ = reinterpret_cast<const SnapshotFile*>(base + h.off_files);
  s->path_table_ = reinterpret_cast<const uint32_t*>(base + h.off_path_table);
  s->terms_ = reinterpret_cast<const KeyRec*>(base + h.off_terms);
  s->term_table_ = reinterpret_cast<const uint32_t*>(base + h.off_term_table);
  s->postings_ = reinterpret_cast<const Posting*>(base + h.off_postings);
  s->names_ = reinterpret_cast<const KeyRec*>(base + h.off_names);
  s->name_table_ = reinterpret_cast<const uint32_t*>(base + h.off_name_table);
  s->name_slots_ = reinterpret_cast<const uint32_t*>(base + h.off_name_slots);
  s->blob_ = base + h.off_blob;
  s->blob_size_ = h.blob_size;
  auto in_blob = [&](uint64_t off, uint64_t len) { return off <= h.blob_size && len <= h.blob_size - off; };
  for (uint32_t i = 0; i < h.nfiles; ++i) {
    const SnapshotFile& f = s->files_[i];
    if (!in_blob(f.path_off, f.path_len) || !in_blob(f.sym_off, f.sym_len))
      return bad(path, "bad file record");
  }
  for (uint32_t i = 0; i < h.nterms; ++i) {
    const KeyRec& k = s->terms_[i];
    if (!in_blob(k.str_off, k.str_len) || k.off > h.npostings || k.count > h.npostings - k.off)
      return bad(path, "bad term record");
  }
  for (uint32_t i = 0; i < h.nnames; ++i) {
    const KeyRec& k = s->names_[i];
    if (!in_blob(k.str_off, k.str_len) || k.off > h.nname_slots || k.count > h.nname_slots - k.off)
      return bad(path, "bad name record");
  }
  uint32_t max_slot = 0;
  for (uint64_t i = 0; i < h.npostings; ++i) max_slot = std::max(max_slot, s->postings_[i].slot);
  for (uint64_t i = 0; i < h.nname_slots; ++i) max_slot = std::max(max_slot, s->name_slots_[i]);
  uint32_t max_entry = 0;
  for (uint32_t i = 0; i < h.path_cap; ++i) max_entry = std::max(max_entry, s->path_table_[i]);
  if ((h.npostings + h.nname_slots > 0 && max_slot >= h.nfiles) || max_entry > h.nfiles)
    return bad(path, "bad slot");
  max_entry = 0;
  for (uint32_t i = 0; i < h.term_cap; ++i) max_entry = std::max(max_entry, s->term_table_[i]);
  if (max_entry > h.nterms) return bad(path, "bad term table");
  max_entry = 0;
  for (uint32_t i = 0; i < h.name_cap; ++i) max_entry = std::max(max_entry, s->name_table_[i]);
  if (max_entry > h.nnames) return bad(path, "bad name table");
  return s;
}

std::string_view Snapshot::path(uint32_t slot) const {
  return str(files_[slot].path_off, files_[slot].path_len);
}

std::string_view Snapshot::symbols_data(uint32_t slot) const {
  return str(files_[slot].sym_off, files_[slot].sym_len);
}

template <typename Eq>
uint32_t Snapshot::probe(const uint32_t* table, uint32_t cap, std::string_view key,
                         Eq&& eq) const {
  uint32_t h = static_cast<uint32_t>(key_hash(key)) & (cap - 1);
  // A full table cannot be written (cap >= 2n), but never loop forever.
  for (uint32_t n = 0; n < cap; ++n, h = (h + 1) & (cap - 1)) {
    uint32_t e = table[h];
    if (e == 0) return 0;
    if (eq(e - 1)) return e;
  }
  return 0;
}

std::optional<uint32_t> Snapshot::find_path(std::string_view p) const {
  uint32_t e = probe(path_table_, path_cap_, p, [&](uint32_t i) { return path(i) == p; });
  if (e == 0) return std::nullopt;
  return e - 1;
}

std::span<const Posting> Snapshot::postings(std::string_view term) const {
  uint32_t e = probe(term_table_, term_cap_, term, [&](uint32_t i) {
    return str(terms_[i].str_off, terms_[i].str_len) == term;
  });
  if (e == 0) return {};
  const KeyRec& k = terms_[e - 1];
  return {postings_ + k.off, k.count};
}

std::span<const uint32_t> Snapshot::definers(std::string_view name) const {
  uint32_t e = probe(name_table_, name_cap_, name, [&](uint32_t i) {
    return str(names_[i].str_off, names_[i].str_len) == name;
  });
  if (e == 0) return {};
  const KeyRec& k = names_[e - 1];
  return {name_slots_ + k.off, k.count};
}

uint32_t SnapshotWriter::intern(std::string_view s) {
  uint32_t off = static_cast<uint32_t>(blob_.size());
  blob_.append(s);
  return off;
}

uint32_t SnapshotWriter::add_file(const FileInfo& info) {
  SnapshotFile f{};
  f.path_off = intern(info.path);
  f.path_len = static_cast<uint32_t>(info.path.size());
  f.mtime_ns = info.mtime_ns;
  f.size = info.size;
  f.hash = info.hash;
  f.sym_off = intern(info.symbols_data);
  f.sym_len = static_cast<uint32_t>(info.symbols_data.size());
  f.lines = info.lines;
  f.term_count = info.term_count;
  f.lang = static_cast<uint32_t>(info.lang);
  total_terms_ += info.term_count;
  files_.push_back(f);
  return static_cast<uint32_t>(files_.size() - 1);
}

void SnapshotWriter::add_posting(std::string_view term, uint32_t slot, uint32_t tf) {
  uint32_t id = terms_.intern(term);
  if (id == postings_.size()) postings_.emplace_back();
  postings_[id].push_back({slot, tf});
}

void SnapshotWriter::add_definer(std::string_view name, uint32_t slot) {
  uint32_t id = names_.intern(name);
  if (id == definers_.size()) definers_.emplace_back();
  auto& v = definers_[id];
  if (v.empty() || v.back() != slot) v.push_back(slot);
}

namespace {

// Ids in a deterministic order that does not depend on insertion: by hash,
// then by bytes (cheaper than sorting millions of strings by bytes alone).
std::vector<uint32_t> stable_order(const KeyIds& keys) {
  std::vector<uint32_t> order(keys.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    uint64_t ha = keys.hash(a), hb = keys.hash(b);
    return ha != hb ? ha < hb : keys.key(a) < keys.key(b);
  });
  return order;
}

}  // namespace

Status SnapshotWriter::write(const std::string& path, uint64_t db_id, uint64_t generation) {
  // Deterministic output: keys in stable_order(), lists sorted by slot.
  std::vector<std::pair<std::string_view, std::vector<Posting>*>> terms;
  terms.reserve(postings_.size());
  uint64_t npostings = 0;
  for (uint32_t id : stable_order(terms_)) {
    auto& v = postings_[id];
    std::sort(v.begin(), v.end(), [](const Posting& a, const Posting& b) { return a.slot < b.slot; });
    terms.push_back({terms_.key(id), &v});
    npostings += v.size();
  }
  std::vector<std::pair<std::string_view, std::vector<uint32_t>*>> names;
  names.reserve(definers_.size());
  uint64_t nname_slots = 0;
  for (uint32_t id : stable_order(names_)) {
    auto& v = definers_[id];
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    names.push_back({names_.key(id), &v});
    nname_slots += v.size();
  }
  std::vector<Snapshot::KeyRec> term_recs, name_recs;
  term_recs.reserve(terms.size());
  uint64_t off = 0;
  for (auto& [t, v] : terms) {
    term_recs.push_back({intern(t), static_cast<uint32_t>(t.size()), static_cast<uint32_t>(off),
                         static_cast<uint32_t>(v->size())});
    off += v->size();
  }
  off = 0;
  for (auto& [n, v] : names) {
    name_recs.push_back({intern(n), static_cast<uint32_t>(n.size()), static_cast<uint32_t>(off),
                         static_cast<uint32_t>(v->size())});
    off += v->size();
  }
  if (blob_.size() > UINT32_MAX || npostings > UINT32_MAX || nname_slots > UINT32_MAX)
    return make_error(ErrorKind::kIo, "index snapshot: repository too large for one snapshot");
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.header_size = sizeof h;
  h.generation = generation;
  h.db_id = db_id;
  h.total_terms = total_terms_;
  h.nfiles = static_cast<uint32_t>(files_.size());
  h.nterms = static_cast<uint32_t>(terms.size());
  h.nnames = static_cast<uint32_t>(names.size());
  h.path_cap = table_cap(files_.size());
  h.term_cap = table_cap(terms.size());
  h.name_cap = table_cap(names.size());
  h.npostings = npostings;
  h.nname_slots = nname_slots;
  h.blob_size = blob_.size();
  size_t at = align8(sizeof h);
  auto place = [&](uint64_t& field, size_t bytes) {
    field = at;
    at = align8(at + bytes);
  };
  place(h.off_files, files_.size() * sizeof(SnapshotFile));
  place(h.off_path_table, h.path_cap * 4ull);
  place(h.off_terms, term_recs.size() * sizeof(Snapshot::KeyRec));
  place(h.off_term_table, h.term_cap * 4ull);
  place(h.off_postings, npostings * sizeof(Posting));
  place(h.off_names, name_recs.size() * sizeof(Snapshot::KeyRec));
  place(h.off_name_table, h.name_cap * 4ull);
  place(h.off_name_slots, nname_slots * 4);
  place(h.off_blob, blob_.size());
  h.file_size = at;

  std::string out(at, '\0');
  auto put = [&](uint64_t o, const void* p, size_t n) {
    if (n) std::memcpy(out.data() + o, p, n);
  };
  put(h.off_files, files_.data(), files_.size() * sizeof(SnapshotFile));
  auto blob_str = [&](uint32_t o, uint32_t n) { return std::string_view(blob_.data() + o, n); };
  auto ptab = build_table(h.nfiles, h.path_cap,
                          [&](uint32_t i) { return blob_str(files_[i].path_off, files_[i].path_len); });
  put(h.off_path_table, ptab.data(), ptab.size() * 4);
  put(h.off_terms, term_recs.data(), term_recs.size() * sizeof(Snapshot::KeyRec));
  auto ttab = build_table(h.nterms, h.term_cap, [&](uint32_t i) {
    return blob_str(term_recs[i].str_off, term_recs[i].str_len);
  });
  put(h.off_term_table, ttab.data(), ttab.size() * 4);
  uint64_t p = h.off_postings;
  for (auto& [t, v] : terms) {
    put(p, v->data(), v->size() * sizeof(Posting));
    p += v->size() * sizeof(Posting);
  }
  put(h.off_names, name_recs.data(), name_recs.size() * sizeof(Snapshot::KeyRec));
  auto ntab = build_table(h.nnames, h.name_cap, [&](uint32_t i) {
    return blob_str(name_recs[i].str_off, name_recs[i].str_len);
  });
  put(h.off_name_table, ntab.data(), ntab.size() * 4);
  p = h.off_name_slots;
  for (auto& [n, v] : names) {
    put(p, v->data(), v->size() * 4);
    p += v->size() * 4;
  }
  put(h.off_blob, blob_.data(), blob_.size());
  h.body_hash = XXH3_64bits(out.data() + sizeof h, out.size() - sizeof h);
  put(0, &h, sizeof h);

  // Temp file + rename: readers see the old snapshot or the new one. No
  // fsync: a snapshot torn by a power cut fails its hash and is rebuilt.
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(ErrorKind::kIo, "index snapshot: cannot create " + tmp);
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::write(fd, out.data() + done, out.size() - done);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(ErrorKind::kIo, "index snapshot: write failed for " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return make_error(ErrorKind::kIo, "index snapshot: cannot rename " + tmp);
  }
  return ok_status();
}

}  // namespace bastion::index
