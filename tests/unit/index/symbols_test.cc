#include "index/symbols.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace bastion::index {
namespace {

bool has_def(const FileSymbols& s, const std::string& name, SymbolKind kind) {
  return std::any_of(s.defs.begin(), s.defs.end(),
                     [&](const Symbol& d) { return d.name == name && d.kind == kind; });
}

uint32_t ref_count(const FileSymbols& s, const std::string& name) {
  for (auto& [n, c] : s.refs)
    if (n == name) return c;
  return 0;
}

TEST(Symbols, PythonDefinitionsSignaturesAndReferences) {
  auto s = extract_symbols(Lang::kPython,
                           "class Session(Base):\n"
                           "    def request(self, method,\n"
                           "                url):\n"
                           "        return helper(url)\n"
                           "\n"
                           "def helper(x):\n"
                           "    return x\n");
  ASSERT_TRUE(s.parsed);
  EXPECT_TRUE(has_def(s, "Session", SymbolKind::kClass));
  EXPECT_TRUE(has_def(s, "request", SymbolKind::kFunction));
  EXPECT_TRUE(has_def(s, "helper", SymbolKind::kFunction));
  auto it = std::find_if(s.defs.begin(), s.defs.end(),
                         [](const Symbol& d) { return d.name == "request"; });
  EXPECT_EQ(it->line, 2u);
  EXPECT_EQ(it->signature, "    def request(self, method, url):");
  EXPECT_EQ(ref_count(s, "helper"), 1u);  // the call, not the definition
  EXPECT_EQ(ref_count(s, "Base"), 1u);
}

TEST(Symbols, EveryLanguageYieldsDefinitions) {
  struct Case {
    Lang lang;
    const char* src;
    const char* name;
  };
  const Case cases[] = {
      {Lang::kC, "int add_one(int x) { return x + 1; }\n", "add_one"},
      {Lang::kCpp, "class Widget { public: void draw(); };\n", "Widget"},
      {Lang::kJavaScript, "function renderPage(a) { return a; }\n", "renderPage"},
      {Lang::kTypeScript, "interface Shape { area(): number }\nclass Sq {}\n", "Shape"},
      {Lang::kTsx, "function App() { return <div/>; }\n", "App"},
      {Lang::kGo, "package m\nfunc ServeHTTP() {}\n", "ServeHTTP"},
      {Lang::kRust, "struct Parser {}\nfn parse_all() {}\n", "parse_all"},
      {Lang::kJava, "class Main { void run() {} }\n", "Main"},
  };
  for (const Case& c : cases) {
    auto s = extract_symbols(c.lang, c.src);
    EXPECT_TRUE(s.parsed) << lang_name(c.lang);
    EXPECT_TRUE(std::any_of(s.defs.begin(), s.defs.end(),
                            [&](const Symbol& d) { return d.name == c.name; }))
        << lang_name(c.lang) << " missing " << c.name;
  }
}

TEST(Symbols, UnknownLanguageAndGarbageDoNotCrash) {
  EXPECT_FALSE(extract_symbols(Lang::kNone, "whatever").parsed);
  auto s = extract_symbols(Lang::kPython, std::string("def (((\x01\xff", 9));
  EXPECT_TRUE(s.parsed);
}

TEST(Symbols, LanguageByExtension) {
  EXPECT_EQ(lang_for_path("a/b.py"), Lang::kPython);
  EXPECT_EQ(lang_for_path("x.tsx"), Lang::kTsx);
  EXPECT_EQ(lang_for_path("inc/x.h"), Lang::kCpp);
  EXPECT_EQ(lang_for_path("README"), Lang::kNone);
  EXPECT_EQ(lang_for_path(".bashrc"), Lang::kNone);
}

}  // namespace
}  // namespace bastion::index
