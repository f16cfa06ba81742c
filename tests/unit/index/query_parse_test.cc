#include "index/query_parse.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace bastion::index {
namespace {

double weight_of(const ParsedQuery& q, const std::string& name) {
  for (auto& id : q.identifiers)
    if (id.name == name) return id.weight;
  return -1;
}

TEST(QueryParse, PythonTracebackFramesInOrderWithLines) {
  auto q = parse_query(
      "Traceback (most recent call last):\n"
      "  File \"/home/u/app/main.py\", line 3, in <module>\n"
      "  File \"/usr/lib/site-packages/requests/sessions.py\", line 412, in request\n");
  ASSERT_GE(q.paths.size(), 2u);
  EXPECT_EQ(q.paths[0].path, "/home/u/app/main.py");
  EXPECT_EQ(q.paths[0].line, 3u);
  EXPECT_TRUE(q.paths[1].traceback);
  EXPECT_EQ(q.paths[1].line, 412u);
}

TEST(QueryParse, PathWithLineAndBareFileName) {
  auto q = parse_query("crash at src/flask/cli.py:120 and also in config.py");
  ASSERT_EQ(q.paths.size(), 2u);
  EXPECT_EQ(q.paths[0].path, "src/flask/cli.py");
  EXPECT_EQ(q.paths[0].line, 120u);
  EXPECT_EQ(q.paths[1].path, "config.py");
  EXPECT_EQ(q.paths[1].line, 0u);
}

// A permalink's `#L57` points at a line just as `:57` does; the reporter
// says where the code is, as a stack frame does.
TEST(QueryParse, PermalinkLineAnchorIsALine) {
  auto q = parse_query(
      "In pajek export it reads https://github.com/nx/nx/blob/b0ca6ce/nx/readwrite/pajek.py#L57\n"
      "and see docs/formats.py#Lfoo");
  ASSERT_EQ(q.paths.size(), 2u);
  EXPECT_EQ(q.paths[0].path, "github.com/nx/nx/blob/b0ca6ce/nx/readwrite/pajek.py");
  EXPECT_EQ(q.paths[0].line, 57u);
  EXPECT_TRUE(q.paths[0].traceback);
  EXPECT_EQ(q.paths[1].path, "docs/formats.py");
  EXPECT_EQ(q.paths[1].line, 0u);
  EXPECT_FALSE(q.paths[1].traceback);
}

TEST(QueryParse, TitleComponentLabel) {
  EXPECT_EQ(parse_query("[linkcheck] UnboundLocalError: local variable 'code'").title_component,
            "linkcheck");
  EXPECT_EQ(parse_query("LaTeX: should the Bjarne style be used").title_component, "latex");
  EXPECT_EQ(parse_query("  [auto-doc] x").title_component, "auto-doc");
  EXPECT_EQ(parse_query("Crash in [linkcheck] builder").title_component, "");
  EXPECT_EQ(parse_query("Note:x is wrong").title_component, "");
  EXPECT_EQ(parse_query("title\n[linkcheck] in the body").title_component, "");
  EXPECT_EQ(parse_query("[1.2] regression").title_component, "");
}

TEST(QueryParse, DottedPathsAndCodeLikeIdentifiers) {
  auto q = parse_query("Calling requests.sessions.Session with `timeout` breaks rebuild_auth()");
  ASSERT_FALSE(q.dotted.empty());
  EXPECT_EQ(q.dotted[0], (std::vector<std::string>{"requests", "sessions", "Session"}));
  EXPECT_EQ(weight_of(q, "timeout"), 1.0);       // backticked
  EXPECT_EQ(weight_of(q, "rebuild_auth"), 1.0);  // snake_case, called
  EXPECT_LT(weight_of(q, "breaks"), 0.5);        // prose
  EXPECT_FALSE(q.mentions_tests);
  EXPECT_FALSE(parse_query("the test_foo case fails\ndef test_foo(tmp_path): ...").mentions_tests);
  EXPECT_TRUE(parse_query("tests/test_foo.py fails on main").mentions_tests);
  auto env = parse_query("INSTALLED VERSIONS\nnetCDF4: 1.5.3\n</details>\nnumpy: 1.18\nconcat fails");
  EXPECT_LT(weight_of(env, "netCDF4"), 0);
  EXPECT_LT(weight_of(env, "numpy"), 0);
  EXPECT_GT(weight_of(env, "concat"), 0);
}

TEST(QueryParse, PiecesOfDashedNamesInBackticksAreNotIdentifiers) {
  auto q = parse_query("make `--debug` configurable via `--debug-file` or `--debug-append`\n"
                       "`used-before-assignment` on `rebuild_auth` and `Session`");
  EXPECT_LT(weight_of(q, "append"), 0.5);
  EXPECT_LT(weight_of(q, "assignment"), 0.5);
  EXPECT_EQ(weight_of(q, "rebuild_auth"), 1.0);
  EXPECT_EQ(weight_of(q, "Session"), 1.0);
  EXPECT_TRUE(q.title_identifiers.empty()) << q.title_identifiers.front();
  // The whole names are still literals to find verbatim.
  EXPECT_NE(std::find(q.literals.begin(), q.literals.end(), "--debug-append"), q.literals.end());
}

TEST(QueryParse, NamesTheReporterBindsAreNotWhatToLookFor) {
  auto q = parse_query("log(100, 10, evaluate=False).evalf() != 2\n\n```\n"
                       ">>> expr = log(100, 10, evaluate=False)\n>>> expr.evalf()\n"
                       ">>> my_result = f(a == b, flag = True)\n```\n");
  EXPECT_EQ(weight_of(q, "log"), 1.0);    // called
  EXPECT_EQ(weight_of(q, "evalf"), 1.0);  // called
  EXPECT_LT(weight_of(q, "evaluate"), 0.5);  // a keyword argument, even in a code block
  EXPECT_LT(weight_of(q, "expr"), 0.5);      // the reporter's variable
  EXPECT_LT(weight_of(q, "my_result"), 0.5);
  EXPECT_LT(weight_of(q, "flag"), 0.5);
  EXPECT_EQ(std::find(q.title_identifiers.begin(), q.title_identifiers.end(), "evaluate"),
            q.title_identifiers.end());
  // A comparison is not a binding.
  EXPECT_GT(weight_of(parse_query("```\nassert width == 3\n```"), "width"), 0.5);
}

TEST(QueryParse, RuntimeErrorMessagesAreNotLiterals) {
  auto q = parse_query("AttributeError: 'cos' object has no attribute 'shape'\n"
                       "TypeError: unsupported operand type(s) for +: 'int' and 'str'\n"
                       "UnboundLocalError: local variable 'code' Referenced before assignment in this\n"
                       "MergeError: conflicting values for variable 'y' on objects to be combined.");
  auto has = [&](const std::string& s) {
    return std::find(q.literals.begin(), q.literals.end(), s) != q.literals.end();
  };
  EXPECT_FALSE(has("object has no attribute"));
  EXPECT_FALSE(has("unsupported operand type(s) for +"));
  EXPECT_FALSE(has("Referenced before assignment in this"));
  EXPECT_TRUE(has("conflicting values for variable"));  // the project's own message
}

TEST(QueryParse, SourceLinesQuotedByATracebackAreNotLiterals) {
  auto q = parse_query(
      "Poly(domain='RR[y,z]') fails, see \"domain specification\"\n"
      "/home/u/sympy/polys/polytools.py in __new__(cls, rep, *gens, **args)\n"
      "     70         \"\"\"Create a new polynomial instance out of something. \"\"\"\n"
      "---> 71         opt = options.build_options(gens, 'strict mode here')\n"
      "Traceback (most recent call last):\n"
      "  File \"/home/u/sympy/polys/polyoptions.py\", line 153, in __init__\n"
      "    raise OptionError(\"flag is not allowed in this context\")\n");
  auto has = [&](const std::string& s) {
    return std::find(q.literals.begin(), q.literals.end(), s) != q.literals.end();
  };
  EXPECT_TRUE(has("domain specification"));  // the reporter's own words
  EXPECT_TRUE(has("RR[y,z]"));
  EXPECT_FALSE(has("strict mode here"));
  EXPECT_FALSE(has("Create a new polynomial instance out of something"));
  EXPECT_FALSE(has("flag is not allowed in this context"));
  EXPECT_GE(q.paths.size(), 2u);  // the frames themselves are still read
}

TEST(QueryParse, FromImportLines) {
  auto q = parse_query("Unit conversion is wrong\n```python\n"
                       "from sympy.physics.units import m, convert_to as conv\n"
                       ">>> from pkg.sub import (alpha, beta)\n"
                       "from . import local\nfrom sympy import *\nx = 'from a.b import fake'\n```\n");
  ASSERT_EQ(q.imports.size(), 2u);  // `import *` names nothing
  EXPECT_EQ(q.imports[0].module, (std::vector<std::string>{"sympy", "physics", "units"}));
  EXPECT_EQ(q.imports[0].names, (std::vector<std::string>{"m", "convert_to"}));
  EXPECT_EQ(q.imports[1].module, (std::vector<std::string>{"pkg", "sub"}));
  EXPECT_EQ(q.imports[1].names, (std::vector<std::string>{"alpha", "beta"}));
}

TEST(QueryParse, EnvironmentSectionsAreDropped) {
  auto q = parse_query(
      "table loses units\n### Description\nUnits are missing from rows\n"
      "### Versions\n```\nplatform.platform() = 'Linux-6.13'\nscipy_stack 1.15.2\n```\n"
      "### Expected\nunits_kept on every column\n");
  EXPECT_LT(weight_of(q, "scipy_stack"), 0);  // inside the Versions section
  EXPECT_LT(weight_of(q, "platform"), 0);
  EXPECT_GT(weight_of(q, "units_kept"), 0);  // the next heading ends it
  EXPECT_GT(weight_of(q, "Units"), 0);

  // A second issue pasted below the first one's dump is kept, after
  // </details> or after the dump's code block.
  auto pasted = parse_query(
      "**Environment**:\n<details><summary>versions</summary>\n\n```\ncommit_id: None\n```\n\n"
      "</details>\nDataset constructor triggers computation\n");
  EXPECT_LT(weight_of(pasted, "commit_id"), 0);
  EXPECT_GT(weight_of(pasted, "constructor"), 0);
  auto after_block = parse_query("**Environment**\n```\nlib_version 3\n```\nThen chunk_size breaks\n");
  EXPECT_LT(weight_of(after_block, "lib_version"), 0);
  EXPECT_GT(weight_of(after_block, "chunk_size"), 0);

  auto template_env = parse_query("man page broken\n**Environment info**\n- OS: arch\n- extra_tools: man\n");
  EXPECT_LT(weight_of(template_env, "extra_tools"), 0);  // GitHub's bug template

  // Not sections: a comment in a code block, a heading about a version.
  auto code = parse_query("```python\n# Versions\nresult_set = compute()\n```\n");
  EXPECT_GT(weight_of(code, "result_set"), 0);
  auto about = parse_query("## Version 2 breaks loading\nload_table fails\n");
  EXPECT_GT(weight_of(about, "load_table"), 0);
}

TEST(QueryParse, TheProgramAPromptRunsIsNotALiteral) {
  auto lits = query_literals("Steps:\n$ sphinx-quickstart -q --ext-autodoc\n$ make-docs man\n");
  auto has = [&](const std::string& x) { return std::find(lits.begin(), lits.end(), x) != lits.end(); };
  EXPECT_FALSE(has("sphinx-quickstart"));
  EXPECT_TRUE(has("--ext-autodoc"));  // its options still point somewhere
  auto prose = query_literals("the sphinx-quickstart wizard writes a bad conf.py");
  EXPECT_NE(std::find(prose.begin(), prose.end(), "sphinx-quickstart"), prose.end());
}

// std::regex recurses per character: these crashed the process (stack
// overflow) before queries were bounded, and long runs were quadratic.
TEST(QueryParse, HugeLinesAndRunsAreBoundedNotFatal) {
  std::string long_line = "12 " + std::string(2'000'000, 'x');
  (void)parse_query(long_line);  // 200-character runs of x are no terms; no crash is the point
  std::string error_line = "ValueError: ";
  for (int i = 0; i < 300'000; ++i) error_line += "ab ";
  EXPECT_FALSE(parse_query(error_line).terms.empty());
  std::string paths;
  for (int i = 0; i < 300; ++i) paths += std::string(600, 'a') + "/b.py ";
  (void)parse_query(paths);
  // An ordinary long issue keeps its ordinary lines whole.
  auto normal = parse_query("Title here\nFile \"pkg/mod.py\", line 3, in f\n" + std::string(500, ' ') + "end");
  ASSERT_FALSE(normal.paths.empty());
  EXPECT_EQ(normal.paths[0].path, "pkg/mod.py");
}

TEST(QueryParse, NegatedTitleWordsNameNoModule) {
  auto q = parse_query("geometry's encloses method fails for non-polygons\nbody");
  auto has = [&](const std::string& w) {
    return std::find(q.title_words.begin(), q.title_words.end(), w) != q.title_words.end();
  };
  EXPECT_FALSE(has("polygons"));
  EXPECT_TRUE(has("encloses"));
  EXPECT_TRUE(has("geometry"));
}

}  // namespace
}  // namespace bastion::index
