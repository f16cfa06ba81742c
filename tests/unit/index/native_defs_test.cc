// Native definition rules (index/native_defs.h) must find exactly what the
// grammar's tags query finds: both run over the same nasty sources here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "index/symbols.h"

namespace bastion::index {
namespace {

std::string describe(const FileSymbols& s) {
  std::string out = s.parsed ? "parsed\n" : "not parsed\n";
  for (const Symbol& d : s.defs)
    out += std::string(symbol_kind_name(d.kind)) + " " + d.name + " " + std::to_string(d.line) +
           "-" + std::to_string(d.end_line) + " [" + d.signature + "]\n";
  for (const auto& [name, count] : s.refs) out += "ref " + name + " " + std::to_string(count) + "\n";
  return out;
}

void expect_same_as_query(Lang lang, const std::string& src) {
  FileSymbols native = extract_symbols(lang, src);
  FileSymbols query = extract_symbols_by_query(lang, src);
  EXPECT_EQ(describe(native), describe(query)) << "source:\n" << src;
}

TEST(NativeDefinitions, PythonMatchesTheTagsQuery) {
  const std::vector<std::string> sources = {
      "",
      "x = 1\n",
      "x: int = 1\ny: str\n",
      "a = b = c = 3\n",
      "a, b = 1, 2\n[c, d] = e\nf.g = 1\nh[0] = 2\n",
      "x += 1\nx //= 2\n",
      "print = 3\nexec = 4\nmatch = 5\ntype = 6\n",
      "def f(): pass\nasync def g(): pass\n",
      "@decorator\n@other(1)\ndef decorated(a,\n              b):\n    return a\n",
      "class A(B, metaclass=M):\n    x = 1\n    def m(self):\n        y = 2\n"
      "        def inner(): return y\n        class Local: pass\n",
      "if True:\n    CONST = 1\n    def in_if(): pass\nelse:\n    CONST = 2\n",
      "try:\n    import json\nexcept ImportError:\n    json = None\n",
      "x = 1; y = 2; def_ = 3\n",
      "f = lambda a: a\nclass C: pass\n",
      "def broken(:\n    pass\nclass Ok:\n    pass\nz = \n",
      "def (((\x01\xff",
      "class\n",
      "    indented = 1\n",
      "x = 1  # comment\n'''doc''' \nY = '''multi\nline'''\n",
      "with open(p) as fh:\n    data = fh.read()\nfor i in range(3):\n    last = i\n",
      "def outer():\n    global G\n    G = 1\n    nonlocal_ = 2\n",
      "T = TypeVar('T')\ntype Alias = list[int]\n",
      "if x:\n  pass\nelif y:\n  z = [w for w in v if (k := w)]\n",
  };
  for (const std::string& src : sources) expect_same_as_query(Lang::kPython, src);
}

TEST(NativeDefinitions, CAndCppMatchTheTagsQuery) {
  const std::vector<std::string> sources = {
      "",
      "int add(int a, int b) { return a + b; }\nint decl_only(void);\n",
      "static int (*pick(int x))(int) { return 0; }\nint *ptr_ret(void) { return 0; }\n",
      "struct with_body { int a; };\nstruct no_body;\nstruct no_body *p;\n",
      "typedef struct S { int x; } T, *PT;\ntypedef int A, B, C;\ntypedef void (*cb)(int);\n",
      "typedef struct { int anon; } Anon;\nunion U { int i; float f; } u;\nunion U2 *p2;\n",
      "enum Color { RED, GREEN };\nenum { ANON_E };\ntypedef enum E2 { X } E2_t;\n",
      "#define MAX(a, b) ((a) > (b) ? (a) : (b))\n#ifdef X\nint in_ifdef(void) { return 1; }\n#endif\n",
      "int broken( { ;\nstruct half { int a\n",
      "int a(void){return 1;} int b(void){return 2;} struct c {int d;};\n",
      "extern \"C\" { int c_linkage(int); }\n",
      "\x01\xff(((",
  };
  for (const std::string& src : sources) {
    expect_same_as_query(Lang::kC, src);
    expect_same_as_query(Lang::kCpp, src);
  }
  const std::vector<std::string> cpp_sources = {
      "class Widget { public: void draw(); int size() const { return 0; } };\n",
      "void Widget::draw() {}\nint ns::free_fn(int) { return 0; }\n",
      "namespace outer { namespace inner { struct Deep { void m(); }; } }\n",
      "void outer::inner::Deep::m() {}\n",
      "template <typename T> class Box { T value; public: T get() const; };\n"
      "template <typename T> T Box<T>::get() const { return value; }\n",
      "struct Op { bool operator==(const Op&) const; ~Op(); Op(); };\nOp::Op() {}\nOp::~Op() {}\n",
      "auto lambda = [](int x) { return x; };\nusing Alias = int;\n",
      "class Fwd;\nenum class Scoped : int { A, B };\nunion CppUnion { int a; };\n",
      "int main() { struct Local { void f() {} }; return 0; }\n",
  };
  for (const std::string& src : cpp_sources) expect_same_as_query(Lang::kCpp, src);
}

TEST(NativeDefinitions, CFindsEveryTypedefName) {
  FileSymbols s = extract_symbols(Lang::kC, "typedef struct S { int x; } T, *PT;\ntypedef int A, B;\n");
  std::vector<std::string> names;
  for (const Symbol& d : s.defs) names.push_back(d.name);
  // `*PT` is a pointer_declarator, not a type_identifier, so the query skips it too.
  EXPECT_EQ(names, (std::vector<std::string>{"S", "T", "A", "B"}));
}

TEST(NativeDefinitions, PythonFindsModuleConstantsClassesAndFunctions) {
  FileSymbols s = extract_symbols(Lang::kPython,
                                  "LIMIT = 10\nclass Box:\n    size = 1\n    def grow(self): pass\n");
  ASSERT_EQ(s.defs.size(), 3u);
  EXPECT_EQ(s.defs[0].name, "LIMIT");
  EXPECT_EQ(s.defs[0].kind, SymbolKind::kConstant);
  EXPECT_EQ(s.defs[1].name, "Box");
  EXPECT_EQ(s.defs[2].name, "grow");  // `size` is a class attribute, not a module constant
}

}  // namespace
}  // namespace bastion::index
