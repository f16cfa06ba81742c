#include "llm/sse_parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace bastion::llm {
namespace {

std::vector<SseEvent> parse_in_pieces(const std::string& stream, std::vector<size_t> cuts,
                                      bool finish = true) {
  std::vector<SseEvent> out;
  SseParser p;
  auto cb = [&](const SseEvent& e) { out.push_back(e); };
  size_t prev = 0;
  cuts.push_back(stream.size());
  for (size_t c : cuts) {
    p.feed(std::string_view(stream).substr(prev, c - prev), cb);
    prev = c;
  }
  if (finish) p.finish(cb);
  return out;
}

struct Case {
  const char* name;
  std::string stream;
  std::vector<std::pair<std::string, std::string>> want;  // (event, data)
};

std::vector<Case> cases() {
  return {
      {"lf", "data: a\n\ndata: b\n\n", {{"", "a"}, {"", "b"}}},
      {"crlf", "data: a\r\n\r\ndata: b\r\n\r\n", {{"", "a"}, {"", "b"}}},
      {"cr", "data: a\r\rdata: b\r\r", {{"", "a"}, {"", "b"}}},
      {"comments", ": ping\n\ndata: x\n: mid\n\n", {{"", "x"}}},
      {"multiline", "data: one\ndata: two\ndata:three\n\n", {{"", "one\ntwo\nthree"}}},
      {"event names", "event: message_start\ndata: {\"a\":1}\n\nevent: ping\ndata: {}\n\n",
       {{"message_start", "{\"a\":1}"}, {"ping", "{}"}}},
      {"no final blank line", "data: a\n\ndata: [DONE]", {{"", "a"}, {"", "[DONE]"}}},
      {"no space after colon", "data:{\"x\":\"a: b\"}\n\n", {{"", "{\"x\":\"a: b\"}"}}},
      {"only one leading space stripped", "data:  two\n\n", {{"", " two"}}},
      {"empty data line", "data\n\n", {{"", ""}}},
      {"unknown fields ignored", "retry: 10\nfoo: bar\ndata: z\n\n", {{"", "z"}}},
      {"utf8", "data: 中文🚀\n\n", {{"", "中文🚀"}}},
      {"mixed endings", "data: a\r\ndata: b\n\r\ndata: c\r\r\n", {{"", "a\nb"}, {"", "c"}}},
  };
}

TEST(SseParser, TableWholeStream) {
  for (auto& c : cases()) {
    auto got = parse_in_pieces(c.stream, {});
    ASSERT_EQ(got.size(), c.want.size()) << c.name;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].event, c.want[i].first) << c.name;
      EXPECT_EQ(got[i].data, c.want[i].second) << c.name;
    }
  }
}

TEST(SseParser, TableSplitAtEveryByteOffsetAndEveryPairOfOffsets) {
  for (auto& c : cases()) {
    for (size_t i = 0; i <= c.stream.size(); ++i) {
      for (size_t j = i; j <= c.stream.size(); ++j) {
        auto got = parse_in_pieces(c.stream, {i, j});
        ASSERT_EQ(got.size(), c.want.size()) << c.name << " cut " << i << "," << j;
        for (size_t k = 0; k < got.size(); ++k) {
          EXPECT_EQ(got[k].event, c.want[k].first) << c.name;
          EXPECT_EQ(got[k].data, c.want[k].second) << c.name << " cut " << i << "," << j;
        }
      }
    }
  }
}

TEST(SseParser, ByteByByteFeeding) {
  std::string s = "event: a\r\ndata: 1\r\n\r\n: c\r\ndata: 2\r\ndata: 3\r\n\r\n";
  std::vector<size_t> cuts;
  for (size_t i = 1; i < s.size(); ++i) cuts.push_back(i);
  auto got = parse_in_pieces(s, cuts);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].event, "a");
  EXPECT_EQ(got[0].data, "1");
  EXPECT_EQ(got[1].data, "2\n3");
}

TEST(SseParser, IncompleteEventIsHeldUntilFinish) {
  SseParser p;
  int n = 0;
  auto cb = [&](const SseEvent&) { ++n; };
  p.feed("data: partial", cb);
  EXPECT_EQ(n, 0);
  p.feed("\n", cb);
  EXPECT_EQ(n, 0);
  p.finish(cb);
  EXPECT_EQ(n, 1);
  EXPECT_EQ(p.events_dispatched(), 1u);
}

TEST(SseParser, PlainJsonBodyHasNoFields) {
  SseParser p;
  p.feed("{\"choices\":[]}", nullptr);
  p.finish(nullptr);
  EXPECT_FALSE(p.saw_field());
  EXPECT_EQ(p.events_dispatched(), 0u);
}

}  // namespace
}  // namespace bastion::llm
