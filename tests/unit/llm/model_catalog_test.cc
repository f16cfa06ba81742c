#include "llm/model_catalog.h"

#include <gtest/gtest.h>

namespace bastion::llm {
namespace {

TEST(ModelCatalog, RealServedNamesResolve) {
  ModelCatalog c;
  EXPECT_EQ(c.lookup("Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8").id, "qwen3-coder-480b");
  EXPECT_EQ(c.lookup("qwen3-coder-plus").id, "qwen3-coder-480b");
  EXPECT_EQ(c.lookup("qwen3-coder:30b").id, "qwen3-coder-30b");
  EXPECT_EQ(c.lookup("Qwen/Qwen3-Coder-30B-A3B-Instruct").id, "qwen3-coder-30b");
  EXPECT_EQ(c.lookup("qwen3-max-preview").id, "qwen3-max");
  EXPECT_EQ(c.lookup("qwen-plus-latest").id, "qwen3-plus");
  EXPECT_EQ(c.lookup("deepseek-ai/DeepSeek-R1-0528").id, "deepseek-r1");
  EXPECT_EQ(c.lookup("deepseek-reasoner").id, "deepseek-r1");
  EXPECT_EQ(c.lookup("deepseek-chat").id, "deepseek-v3");
  EXPECT_EQ(c.lookup("deepseek-ai/DeepSeek-V3.2-Exp").id, "deepseek-v3.2");
  EXPECT_EQ(c.lookup("zai-org/GLM-4.6-FP8").id, "glm-4.6");
  EXPECT_EQ(c.lookup("glm-4.5-air").id, "glm-4.5-air");
  EXPECT_EQ(c.lookup("GLM-4.5").id, "glm-4.5");
  EXPECT_EQ(c.lookup("moonshotai/Kimi-K2-Instruct-0905").id, "kimi-k2");
}

TEST(ModelCatalog, UnknownNamesGetAConservativeDefault) {
  ModelInfo m = ModelCatalog().lookup("my-finetune-7b");
  EXPECT_FALSE(m.known);
  EXPECT_EQ(m.id, "default");
  EXPECT_EQ(m.context_window, 32768);
  EXPECT_GT(m.max_output_tokens, 0);
  EXPECT_EQ(m.input_usd_per_mtok, 0);
}

TEST(ModelCatalog, OverridesWinAndCanAddModels) {
  ModelCatalog c;
  ASSERT_TRUE(c.apply_overrides(Json::parse(R"({
      "qwen3-coder-plus": {"input_price": 0.5, "context_window": 1000000},
      "my-finetune-7b": {"context_window": 65536, "edit_format": "whole"}})")).ok());
  ModelInfo q = c.lookup("qwen3-coder-plus");
  EXPECT_EQ(q.context_window, 1000000);
  EXPECT_DOUBLE_EQ(q.input_usd_per_mtok, 0.5);
  EXPECT_DOUBLE_EQ(q.output_usd_per_mtok, 5.0);  // inherited from the built-in row
  ModelInfo f = c.lookup("my-finetune-7b");
  EXPECT_TRUE(f.known);
  EXPECT_EQ(f.context_window, 65536);
  EXPECT_EQ(f.edit_format, "whole");
  // The 480B served under its HF name is not affected by the plus override.
  EXPECT_EQ(c.lookup("Qwen/Qwen3-Coder-480B-A35B-Instruct").context_window, 262144);
}

TEST(ModelCatalog, BadOverridesAreConfigErrorsAndApplyNothing) {
  ModelCatalog c;
  auto st = c.apply_overrides(Json::parse(R"({"x": {"context_window": 1}, "y": {"context_window": "big"}})"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().kind, ErrorKind::kConfig);
  EXPECT_NE(st.error().message.find("models.y.context_window"), std::string::npos);
  EXPECT_FALSE(c.lookup("x").known);
  EXPECT_FALSE(c.apply_overrides(Json::parse(R"({"x": {"colour": 1}})")).ok());
  EXPECT_FALSE(c.apply_overrides(Json::parse(R"({"x": {"edit_format": "magic"}})")).ok());
}

TEST(ModelCatalog, CostSplitsCachedInput) {
  ModelInfo m;
  m.input_usd_per_mtok = 1.0;
  m.cached_input_usd_per_mtok = 0.1;
  m.output_usd_per_mtok = 5.0;
  Usage u;
  u.input_tokens = 1'000'000;
  u.cached_input_tokens = 600'000;
  u.output_tokens = 200'000;
  EXPECT_NEAR(cost_usd(m, u), 0.4 + 0.06 + 1.0, 1e-9);
}

}  // namespace
}  // namespace bastion::llm
