// DenseIndex: chunks embedded once per content, nearest files through the
// hnswlib graph or, when the graph is missing, a scan; a new model starts
// afresh; endpoint faults are errors, never stale data.
#include "index/dense_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "index/tokenize.h"
#include "util/fs.h"

namespace bastion::index {
namespace {

// Bag of words hashed into 64 dimensions: texts sharing words are close.
std::vector<float> bag_of_words(const std::string& text) {
  std::vector<float> v(64, 0.0f);
  std::vector<std::string> terms;
  append_terms(text, terms);
  for (const std::string& t : terms) v[std::hash<std::string>()(t) % 64] += 1.0f;
  v[63] += 0.01f;  // never all zero
  return v;
}

class DenseIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bastion_dense_test_XXXXXX";
    root_ = fs::resolve_real(mkdtemp(tmpl), "/");
    write("net/retry.py", "def backoff_delay(attempt):\n    return min(60, 2 ** attempt)  # retry backoff\n");
    write("ui/colors.py", "PALETTE = {'red': 31, 'green': 32}\ndef colorize(text, color):\n    return text\n");
    write("README.md", "retry backoff docs are not code\n");
    embed_ = [this](const std::vector<std::string>& texts) -> Result<std::vector<std::vector<float>>> {
      calls_ += 1;
      embedded_ += texts.size();
      if (fail_) return make_error(ErrorKind::kNetwork, "embeddings endpoint http://127.0.0.1:1/v1 refused");
      std::vector<std::vector<float>> out;
      for (auto& t : texts) out.push_back(bag_of_words(t));
      return out;
    };
  }
  void TearDown() override {
    std::filesystem::remove_all(root_);
    for (const char* ext : {".dense", ".dense-wal", ".dense-shm", ".dense.hnsw", ".dense.hnsw.gen"})
      std::filesystem::remove(root_ + ext);
  }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(root_ + "/" + rel).parent_path());
    std::ofstream(root_ + "/" + rel, std::ios::trunc) << text;
  }
  std::unique_ptr<DenseIndex> open(const std::string& model = "fake-embed") {
    auto r = DenseIndex::open(root_ + ".dense", model);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? std::move(r.value()) : nullptr;
  }
  std::vector<std::string> files_ = {"net/retry.py", "ui/colors.py", "README.md"};
  std::string root_;
  Embedder embed_;
  int calls_ = 0;
  size_t embedded_ = 0;
  bool fail_ = false;
};

TEST_F(DenseIndexTest, NearestFileAndEmbeddingOncePerContent) {
  auto idx = open();
  ASSERT_TRUE(idx);
  auto stats = idx->update(root_, files_, embed_);
  ASSERT_TRUE(stats.ok()) << stats.error().message;
  EXPECT_EQ(stats->files, 2u) << "README.md is not source";
  EXPECT_EQ(stats->embedded, 2u);
  EXPECT_TRUE(std::filesystem::exists(root_ + ".dense.hnsw"));
  auto hits = idx->query(bag_of_words("retry backoff delay for an attempt"), 2);
  ASSERT_TRUE(hits.ok()) << hits.error().message;
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ(hits->front().first, "net/retry.py");

  size_t before = embedded_;
  auto again = idx->update(root_, files_, embed_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->embedded, 0u);
  EXPECT_EQ(embedded_, before) << "unchanged files are not sent again";

  write("ui/colors.py", "def retry_backoff_delay_colors(attempt):\n    return attempt\n");
  auto edited = idx->update(root_, files_, embed_);
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->embedded, 1u);

  auto dropped = idx->update(root_, {"net/retry.py"}, embed_);
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->removed, 1u);
  hits = idx->query(bag_of_words("colorize palette"), 5);
  ASSERT_TRUE(hits.ok());
  for (auto& h : hits.value()) EXPECT_NE(h.first, "ui/colors.py");
}

TEST_F(DenseIndexTest, ScanWhenTheGraphIsMissingAndSurvivesReopen) {
  {
    auto idx = open();
    ASSERT_TRUE(idx->update(root_, files_, embed_).ok());
  }
  std::filesystem::remove(root_ + ".dense.hnsw");
  auto idx = open();
  auto hits = idx->query(bag_of_words("colorize text color palette"), 1);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().first, "ui/colors.py");
  EXPECT_GT(idx->chunk_count(), 0u);
}

TEST_F(DenseIndexTest, AnotherModelStartsAfreshAndFaultsAreErrors) {
  {
    auto idx = open("model-a");
    ASSERT_TRUE(idx->update(root_, files_, embed_).ok());
    EXPECT_GT(idx->chunk_count(), 0u);
  }
  auto kept = DenseIndex::open(root_ + ".dense", "model-b", /*reset_other_model=*/false);
  ASSERT_FALSE(kept.ok()) << "a search must not drop what indexing made";
  EXPECT_NE(kept.error().message.find("model-a"), std::string::npos) << kept.error().message;
  auto idx = open("model-b");
  EXPECT_EQ(idx->chunk_count(), 0u) << "vectors of another model are not comparable";
  fail_ = true;
  auto r = idx->update(root_, files_, embed_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("refused"), std::string::npos);
  auto wrong = idx->query(std::vector<float>(3, 1.0f), 2);
  EXPECT_TRUE(wrong.ok()) << "nothing stored: no dimension to disagree with";
}

}  // namespace
}  // namespace bastion::index
