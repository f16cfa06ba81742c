// Optional dense retrieval end to end: `bastion index --embeddings` sends
// the repository's chunks to the configured /v1/embeddings endpoint (the
// fake server: equal text -> equal vector), and `bastion search` adds the
// nearest files as a `dense` signal; without configuration nothing is sent.
#include <gtest/gtest.h>

#include "harness.h"

namespace bastion::e2e {
namespace {

class DenseSearchE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(srv_.ok()) << srv_.error();
    ws_.write("pkg/alpha.py", "def alpha():\n    return 1\n");
    ws_.write("pkg/beta.py", "def beta():\n    return 2\n");
    ws_.write("notes.md", "not source\n");
    ws_.write("pkg/settings.py", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
  }
  std::vector<Json> embedding_requests() const {
    std::vector<Json> out;
    for (const Json& r : srv_.requests())
      if (r.value("path", "") == "/v1/embeddings") out.push_back(r);
    return out;
  }
  FakeServer srv_{Json::parse(R"({"turns": []})")};
  TempWorkspace ws_{true};
};

TEST_F(DenseSearchE2E, IndexEmbedsChunksAndSearchUsesTheNearest) {
  Env env = ws_.env({{"BASTION_EMBEDDINGS_MODEL", "fake-embed"},
                     {"BASTION_EMBEDDINGS_URL", srv_.base_url()},
                     {"BASTION_API_KEY", "sk-test"}});
  RunResult idx = run_bastion({"index", "--embeddings"}, env, ws_.dir());
  ASSERT_EQ(idx.exit_code, 0) << idx.describe();
  EXPECT_NE(idx.out.find("embeddings (fake-embed): 3 source files, 3 embedded"), std::string::npos)
      << idx.out;
  auto sent = embedding_requests();
  ASSERT_FALSE(sent.empty());
  EXPECT_EQ(sent.front()["body"].value("model", ""), "fake-embed");
  std::string all_inputs;
  for (const Json& r : sent) all_inputs += r["body"]["input"].dump();
  EXPECT_NE(all_inputs.find("pkg/beta.py\\ndef beta():"), std::string::npos) << all_inputs;
  EXPECT_EQ(all_inputs.find("not source"), std::string::npos) << "only source files are sent";
  EXPECT_EQ(all_inputs.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos) << "secrets are redacted";
  EXPECT_NE(all_inputs.find("[REDACTED:aws_access_key"), std::string::npos) << all_inputs;

  // A second run sends nothing: contents are unchanged.
  size_t before = embedding_requests().size();
  ASSERT_EQ(run_bastion({"index", "--embeddings"}, env, ws_.dir()).exit_code, 0);
  EXPECT_EQ(embedding_requests().size(), before);

  // The query equals beta.py's chunk, so its vector is beta's.
  RunResult s = run_bastion({"search", "--explain", "-k", "2", "-"}, env, ws_.dir(),
                            "pkg/beta.py\ndef beta():\n    return 2\n");
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_EQ(s.out.rfind("pkg/beta.py\t", 0), 0u) << s.out;
  EXPECT_NE(s.out.find("dense "), std::string::npos) << s.out;
}

TEST_F(DenseSearchE2E, UnconfiguredSendsNothingAndADeadEndpointOnlyWarns) {
  RunResult plain = run_bastion({"search", "--files", "beta"}, ws_.env(), ws_.dir());
  ASSERT_EQ(plain.exit_code, 0) << plain.describe();
  EXPECT_TRUE(embedding_requests().empty());
  RunResult need = run_bastion({"index", "--embeddings"}, ws_.env(), ws_.dir());
  EXPECT_EQ(need.exit_code, 2) << need.describe();
  EXPECT_NE(need.err.find("embeddings_model"), std::string::npos) << need.err;

  Env env = ws_.env({{"BASTION_EMBEDDINGS_MODEL", "fake-embed"},
                     {"BASTION_EMBEDDINGS_URL", srv_.base_url()}});
  ASSERT_EQ(run_bastion({"index", "--embeddings"}, env, ws_.dir()).exit_code, 0);
  Env dead = ws_.env({{"BASTION_EMBEDDINGS_MODEL", "fake-embed"},
                      {"BASTION_EMBEDDINGS_URL", "http://127.0.0.1:9/v1"}});
  RunResult s = run_bastion({"search", "--files", "beta"}, dead, ws_.dir());
  ASSERT_EQ(s.exit_code, 0) << s.describe();
  EXPECT_NE(s.out.find("pkg/beta.py"), std::string::npos) << s.out;
  EXPECT_NE(s.err.find("embeddings skipped"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace bastion::e2e
