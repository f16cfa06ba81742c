#include "gateway/usage.h"

#include <gtest/gtest.h>

#include "unit/gateway/mini_upstream.h"

namespace bastion::gateway {
namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (auto& p : v) s += p;
  return s;
}

TEST(StreamMeter, PassesOpenAiBytesThroughAndReadsUsage) {
  auto frames = testing::openai_sse({"Hel", "lo"}, 11, 7, true);
  StreamMeter m(Protocol::kOpenAi, false);
  std::string out;
  std::string all = join(frames);
  // Feed in awkward 5-byte pieces: output must be byte-identical.
  for (size_t i = 0; i < all.size(); i += 5) out += m.feed(all.substr(i, 5));
  out += m.finish();
  EXPECT_EQ(out, all);
  EXPECT_TRUE(m.usage().reported);
  EXPECT_EQ(m.usage().input_tokens, 11);
  EXPECT_EQ(m.usage().output_tokens, 7);
  EXPECT_TRUE(m.saw_done());
}

TEST(StreamMeter, StripsTheUsageChunkItAskedFor) {
  auto frames = testing::openai_sse({"a", "b"}, 3, 2, true);
  StreamMeter m(Protocol::kOpenAi, true);
  std::string out;
  std::string all = join(frames);
  for (size_t i = 0; i < all.size(); i += 7) out += m.feed(all.substr(i, 7));
  out += m.finish();
  auto expected = testing::openai_sse({"a", "b"}, 3, 2, false);
  EXPECT_EQ(out, join(expected));
  EXPECT_EQ(m.usage().input_tokens, 3);
  EXPECT_EQ(m.usage().output_tokens, 2);
}

TEST(StreamMeter, HandlesCrLfEventsAndDetails) {
  std::string ev =
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":40,"
      "\"prompt_tokens_details\":{\"cached_tokens\":60},\"completion_tokens_details\":{\"reasoning_tokens\":25}}}\r\n\r\n";
  StreamMeter m(Protocol::kOpenAi, true);
  EXPECT_EQ(m.feed(ev), "");
  EXPECT_EQ(m.usage().cached_tokens, 60);
  EXPECT_EQ(m.usage().reasoning_tokens, 25);
}

TEST(StreamMeter, ReadsAnthropicStartAndDelta) {
  auto frames = testing::anthropic_sse("hi", 20, 80, 9);
  StreamMeter m(Protocol::kAnthropic, false);
  for (auto& f : frames) EXPECT_EQ(m.feed(f), f);
  EXPECT_EQ(m.usage().input_tokens, 100);  // 20 uncached + 80 cache reads
  EXPECT_EQ(m.usage().cached_tokens, 80);
  EXPECT_EQ(m.usage().output_tokens, 9);
}

TEST(UsageFromJson, OpenAiAndAnthropicAndEmbeddings) {
  auto o = usage_from_json(Json::parse(testing::openai_json("x", 12, 5, 4, 2)), Protocol::kOpenAi);
  EXPECT_EQ(o.input_tokens, 12);
  EXPECT_EQ(o.output_tokens, 5);
  EXPECT_EQ(o.cached_tokens, 4);
  EXPECT_EQ(o.reasoning_tokens, 2);
  auto a = usage_from_json(Json::parse(R"({"usage":{"input_tokens":5,"cache_creation_input_tokens":3,"output_tokens":8}})"),
                           Protocol::kAnthropic);
  EXPECT_EQ(a.input_tokens, 8);
  EXPECT_EQ(a.cache_write_tokens, 3);
  EXPECT_EQ(a.output_tokens, 8);
  auto e = usage_from_json(Json::parse(R"({"usage":{"prompt_tokens":0,"total_tokens":6}})"), Protocol::kOpenAi);
  EXPECT_EQ(e.input_tokens, 6);
  EXPECT_FALSE(usage_from_json(Json::parse("{}"), Protocol::kOpenAi).reported);
}

TEST(UsageFromBody, ReadsOnlyTheTopLevelUsage) {
  std::string body = testing::openai_json("x", 12, 5, 4, 2);
  auto o = usage_from_body(body, Protocol::kOpenAi);
  auto ref = usage_from_json(Json::parse(body), Protocol::kOpenAi);
  EXPECT_EQ(o.input_tokens, ref.input_tokens);
  EXPECT_EQ(o.output_tokens, 5);
  EXPECT_EQ(o.cached_tokens, 4);
  EXPECT_EQ(o.reasoning_tokens, 2);
  EXPECT_TRUE(o.reported);
  // A nested "usage" (inside a message) is not the reply's usage.
  auto nested = usage_from_body(R"({"choices":[{"usage":{"prompt_tokens":99}}],"usage":{"prompt_tokens":7,"completion_tokens":1}})",
                                Protocol::kOpenAi);
  EXPECT_EQ(nested.input_tokens, 7);
  auto a = usage_from_body(R"({"content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":5,"cache_creation_input_tokens":3,"output_tokens":8}})",
                           Protocol::kAnthropic);
  EXPECT_EQ(a.input_tokens, 8);
  EXPECT_EQ(a.output_tokens, 8);
  EXPECT_FALSE(usage_from_body("{\"usage\":", Protocol::kOpenAi).reported);  // cut short
  EXPECT_FALSE(usage_from_body("not json", Protocol::kOpenAi).reported);
}

TEST(UsageFromBody, SkipsStringsAndBracketsInsideOtherMembers) {
  // Quotes, brackets and a "usage" key inside message text are text, not structure.
  std::string body =
      R"({"id":"c1","choices":[{"message":{"content":"say \"usage\": {\"prompt_tokens\": 99} ]}[{ \\"}}],)"
      R"("n":-1.5e3,"ok":true,"none":null,"usage":{"prompt_tokens":7,"completion_tokens":2}} )";
  ASSERT_FALSE(Json::parse(body, nullptr, false).is_discarded());
  auto u = usage_from_body(body, Protocol::kOpenAi);
  EXPECT_TRUE(u.reported);
  EXPECT_EQ(u.input_tokens, 7);
  EXPECT_EQ(u.output_tokens, 2);
  // The last top-level "usage" counts, as when the body is parsed whole.
  EXPECT_EQ(usage_from_body(R"({"usage":{"prompt_tokens":1},"usage":{"prompt_tokens":3}})", Protocol::kOpenAi)
                .input_tokens,
            3);
  EXPECT_FALSE(usage_from_body(R"({"choices":[]})", Protocol::kOpenAi).reported);
  EXPECT_FALSE(usage_from_body(R"([{"usage":{"prompt_tokens":1}}])", Protocol::kOpenAi).reported);
  EXPECT_FALSE(usage_from_body(R"({"usage":{"prompt_tokens":1}} trailing)", Protocol::kOpenAi).reported);
}

// The usage object is read without the JSON parser when it is simple, and
// by the parser otherwise: either way exactly what parsing the whole body
// gives (and no usage when the body is not valid JSON).
TEST(UsageFromBody, TheUsageObjectReadsAsTheJsonParserReadsIt) {
  const char* usages[] = {
      R"({"prompt_tokens":21,"completion_tokens":3,"total_tokens":24})",
      R"({ "prompt_tokens" : 0 , "completion_tokens":0,"total_tokens":9 })",
      R"({"prompt_tokens":100,"completion_tokens":40,"prompt_tokens_details":{"cached_tokens":60,"audio_tokens":0},)"
      R"("completion_tokens_details":{"reasoning_tokens":25,"accepted_prediction_tokens":0}})",
      R"({"prompt_tokens":5,"prompt_tokens_details":null,"completion_tokens_details":{}})",
      R"({"prompt_tokens_details":{"cached_tokens":7},"prompt_tokens":9,"prompt_tokens_details":{"x":1}})",
      R"({"prompt_tokens":1,"prompt_tokens":2,"service_tier":"default","flag":true,"none":null})",
      R"({"input_tokens":5,"cache_creation_input_tokens":3,"cache_read_input_tokens":2,"output_tokens":8})",
      R"({"input_tokens":5})",
      R"({"output_tokens":4,"server_tool_use":{"web_search_requests":0}})",
      R"({"prompt_tokens":1.0,"completion_tokens":2})",    // the parser's cases from here on
      R"({"prompt_tokens":-1,"completion_tokens":2e1})",
      R"({"prompt_tokens":12345678901234567890})",
      R"({"prompt_tokens":"7","completion_tokens":null})",
      R"({"pr\u006fmpt_tokens":7})",
      R"({"note":"caf\u00e9 \"q\"","prompt_tokens":3})",
      R"({"prompt_tokens_details":{"cached_tokens":{"a":1}},"prompt_tokens":3})",
      R"({"a":{"b":{"c":1}},"prompt_tokens":3})",
      R"({"a":[1,2],"prompt_tokens":3})",
      "{\"note\":\"caf\xc3\xa9\",\"prompt_tokens\":3}",
      R"({"prompt_tokens":012})",  // invalid JSON from here on
      R"({"prompt_tokens":3,})",
      R"({"prompt_tokens":tru})",
      "{\"note\":\"bad \xff\",\"prompt_tokens\":3}",
      "{\"note\":\"tab\there\",\"prompt_tokens\":3}",
      R"({"prompt_tokens" 3})",
      R"(null)",
  };
  for (const char* usage : usages)
    for (Protocol p : {Protocol::kOpenAi, Protocol::kAnthropic}) {
      std::string body = std::string(R"({"id":"x","usage":)") + usage + "}";
      Json whole = Json::parse(body, nullptr, false);
      Usage want = whole.is_discarded() ? Usage{} : usage_from_json(whole, p);
      Usage got = usage_from_body(body, p);
      EXPECT_EQ(got.reported, want.reported) << usage;
      EXPECT_EQ(got.input_tokens, want.input_tokens) << usage;
      EXPECT_EQ(got.cached_tokens, want.cached_tokens) << usage;
      EXPECT_EQ(got.cache_write_tokens, want.cache_write_tokens) << usage;
      EXPECT_EQ(got.output_tokens, want.output_tokens) << usage;
      EXPECT_EQ(got.reasoning_tokens, want.reasoning_tokens) << usage;
    }
}

TEST(UsageFromBody, ABodyCutAnywhereGivesNoUsage) {
  // Usage first: a reply cut after it must still not count as complete.
  std::string body = R"({"usage":{"prompt_tokens":4,"completion_tokens":6},"choices":[{"message":)"
                     R"({"content":"a \"b\" [c]"}}],"x":12})";
  ASSERT_TRUE(usage_from_body(body, Protocol::kOpenAi).reported);
  for (size_t n = 0; n < body.size(); ++n)
    EXPECT_FALSE(usage_from_body(std::string_view(body).substr(0, n), Protocol::kOpenAi).reported) << n;
}

TEST(UsageCost, UsesCachedPrice) {
  Usage u;
  u.input_tokens = 1000000;
  u.cached_tokens = 500000;
  u.output_tokens = 1000000;
  Price p{2.0, 0.5, 10.0};
  EXPECT_DOUBLE_EQ(usage_cost(u, p), 1.0 + 0.25 + 10.0);
}

TEST(StreamMeter, CountsGeneratedTextForCutStreams) {
  StreamMeter m(Protocol::kOpenAi, false);
  (void)m.feed(join(testing::openai_sse({"Hello", " world"}, 1, 1, false)));
  EXPECT_EQ(m.text_bytes(), 11);  // usage chunk and [DONE] carry no text
  // Escapes count once; reasoning and tool arguments count; spaces after ':' are fine.
  (void)m.feed("data: {\"choices\":[{\"delta\":{\"reasoning_content\": \"a\\\"b\"}}]}\n\n"
               "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{}\"}}]}}]}\n\n");
  EXPECT_EQ(m.text_bytes(), 11 + 3 + 2);
  StreamMeter a(Protocol::kAnthropic, false);
  (void)a.feed(join(testing::anthropic_sse("sixteen bytes!!!", 5, 0, 9)));
  EXPECT_EQ(a.text_bytes(), 16);
}

}  // namespace
}  // namespace bastion::gateway
