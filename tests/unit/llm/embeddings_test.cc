// embed_texts: the OpenAI-compatible /embeddings call, including what real
// servers get wrong (out-of-order items, errors, short or ragged replies).
#include "llm/embeddings.h"

#include <gtest/gtest.h>

#include "test_http_server.h"

namespace bastion::llm {
namespace {

using bastion::testing::simple_reply;
using bastion::testing::TestHttpServer;

EmbeddingsEndpoint endpoint_for(const TestHttpServer& s) { return {s.url() + "/v1/", "sk-x", "embed-m"}; }

TEST(Embeddings, SendsModelAndInputsAndOrdersByIndex) {
  TestHttpServer server([](auto&, int) {
    return simple_reply(200, R"({"data":[{"index":1,"embedding":[0,1]},{"index":0,"embedding":[1,0]}]})");
  });
  http::HttpClient client;
  auto r = embed_texts(client, endpoint_for(server), {"first", "second"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], (std::vector<float>{1, 0}));
  EXPECT_EQ((*r)[1], (std::vector<float>{0, 1}));
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].path, "/v1/embeddings");
  EXPECT_NE(reqs[0].body.find(R"("model":"embed-m")"), std::string::npos) << reqs[0].body;
  EXPECT_NE(reqs[0].body.find(R"("input":["first","second"])"), std::string::npos) << reqs[0].body;
}

TEST(Embeddings, ServerFaultsAreErrorsNamingTheEndpoint) {
  struct Case {
    int status;
    const char* body;
    const char* expect;
  };
  for (const Case& c : std::vector<Case>{
           {404, R"({"error":{"message":"model not found"}})", "HTTP 404"},
           {200, "not json", "embeddings endpoint"},
           {200, R"({"data":[{"index":0,"embedding":[1,0]}]})", "1 embeddings for 2 inputs"},
           {200, R"({"data":[{"index":0,"embedding":[1,0]},{"index":1,"embedding":[1]}]})", "different sizes"},
           {200, R"({"data":[{"index":0,"embedding":[1,0]},{"index":0,"embedding":[0,1]}]})", "without an embedding"},
           {200, R"({"data":[{"index":0,"embedding":["a",1]},{"index":1,"embedding":[1,0]}]})", "non-numeric"},
       }) {
    TestHttpServer server([&](auto&, int) { return simple_reply(c.status, c.body); });
    http::HttpClient client;
    auto r = embed_texts(client, endpoint_for(server), {"a", "b"});
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_NE(r.error().message.find(c.expect), std::string::npos) << c.body << " -> " << r.error().message;
    EXPECT_NE(r.error().message.find("/v1/embeddings"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace bastion::llm
