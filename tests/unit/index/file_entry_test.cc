// Encoded symbols: decode_refs() reads exactly the references that
// decode_symbols() would, as views, and rejects every truncation and
// corruption that decode_symbols() rejects (then returning no refs).
#include "index/file_entry.h"

#include <gtest/gtest.h>

namespace bastion::index {
namespace {

FileSymbols sample() {
  FileSymbols s;
  s.parsed = true;
  s.defs.push_back({"Session", SymbolKind::kClass, 3, 40, "class Session(Base):"});
  s.defs.push_back({"rebuild_auth", SymbolKind::kFunction, 12, 20, "def rebuild_auth(self, r):"});
  s.refs = {{"Base", 1}, {"headers", 4}, {"prepared_request", 2}, {std::string(300, 'x'), 7}};
  return s;
}

TEST(EncodedSymbols, DecodeRefsMatchesDecodeSymbols) {
  std::string data;
  encode_symbols(sample(), data);
  std::vector<std::pair<std::string_view, uint32_t>> refs;
  ASSERT_TRUE(decode_refs(data, refs));
  FileSymbols full;
  ASSERT_TRUE(decode_symbols(data, full));
  ASSERT_EQ(refs.size(), full.refs.size());
  for (size_t i = 0; i < refs.size(); ++i) {
    EXPECT_EQ(refs[i].first, full.refs[i].first);
    EXPECT_EQ(refs[i].second, full.refs[i].second);
  }
  FileSymbols none;
  std::string empty_data;
  encode_symbols(none, empty_data);
  EXPECT_TRUE(decode_refs(empty_data, refs));
  EXPECT_TRUE(refs.empty());
}

TEST(EncodedSymbols, TruncatedOrCorruptDataYieldsNoRefs) {
  std::string data;
  encode_symbols(sample(), data);
  std::vector<std::pair<std::string_view, uint32_t>> refs;
  for (size_t n = 0; n < data.size(); ++n) {
    std::string_view cut(data.data(), n);
    FileSymbols full;
    EXPECT_FALSE(decode_symbols(cut, full)) << n;
    EXPECT_FALSE(decode_refs(cut, refs)) << n;
    EXPECT_TRUE(refs.empty()) << n;
  }
  for (std::string bad : {data + "x", std::string("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11),
                          std::string("\x01\x01\x80", 3)}) {
    FileSymbols full;
    EXPECT_EQ(decode_refs(bad, refs), decode_symbols(bad, full));
    EXPECT_TRUE(refs.empty());
  }
}

}  // namespace
}  // namespace bastion::index
