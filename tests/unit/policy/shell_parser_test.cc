// Shell parser: every simple command is found, words are quote-removed
// exactly as bash would, and computed words are marked dynamic.
#include <gtest/gtest.h>

#include "policy/arg_injection.h"
#include "policy/shell_parser.h"

namespace bastion::policy {
namespace {

// Each command's words joined by spaces, wrappers included.
std::vector<std::string> cmds(const std::string& script) {
  auto r = parse_shell(script);
  EXPECT_TRUE(r.ok()) << script << ": " << (r.ok() ? "" : r.error().message);
  std::vector<std::string> out;
  if (!r.ok()) return out;
  for (auto& c : r->commands) out.push_back(command_text(c));
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ShellParser, ListsAndPipelines) {
  auto v = cmds("a 1 && b 2 || c 3; d | e |& f & g\nh");
  for (const char* c : {"a 1", "b 2", "c 3", "d", "e", "f", "g", "h"}) EXPECT_TRUE(has(v, c)) << c;
  EXPECT_EQ(v.size(), 8u);
}

TEST(ShellParser, QuotingAndEscapes) {
  auto r = parse_shell("g''it \"st\"at'us' \\r\\m $'\\x72\\155\\n' \"a\\\"b\" 'x\\y'");
  ASSERT_TRUE(r.ok());
  auto& w = r->commands[0].words;
  ASSERT_EQ(w.size(), 6u);
  EXPECT_EQ(w[0].value, "git");
  EXPECT_EQ(w[1].value, "status");
  EXPECT_EQ(w[2].value, "rm");
  EXPECT_EQ(w[3].value, "rm\n");
  EXPECT_EQ(w[4].value, "a\"b");
  EXPECT_EQ(w[5].value, "x\\y");
  for (auto& x : w) EXPECT_TRUE(x.is_literal());
}

TEST(ShellParser, LineContinuationAndCr) {
  auto r = parse_shell("ec\\\nho hi\r");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->commands[0].words[0].value, "echo");
  EXPECT_EQ(r->commands[0].words[1].value, "hi\r") << "bash keeps CR inside the word";
}

TEST(ShellParser, ExpansionsAreDynamicAndTheirCommandsFound) {
  auto r = parse_shell("echo $HOME ${X:-$(id)} $((1+`whoami`)) \"$(uname -a)\" <(ls) r*");
  ASSERT_TRUE(r.ok());
  std::vector<std::string> names;
  for (auto& c : r->commands) names.push_back(command_text(c));
  for (const char* c : {"id", "whoami", "uname -a", "ls"}) EXPECT_TRUE(has(names, c)) << c;
  const auto& echo = r->commands.back();
  ASSERT_EQ(echo.words.size(), 7u);
  EXPECT_TRUE(echo.words[1].dynamic);
  EXPECT_TRUE(echo.words[2].dynamic);
  EXPECT_TRUE(echo.words[3].dynamic);
  EXPECT_TRUE(echo.words[4].dynamic);
  EXPECT_TRUE(echo.words[5].dynamic);
  EXPECT_TRUE(echo.words[6].glob);
  EXPECT_EQ(echo.words[6].literal_prefix(), "r");
}

TEST(ShellParser, BraceExpansionIsNotLiteral) {
  auto r = parse_shell("{rm,-rf,x} a{b,c} {} x{1..3}");
  ASSERT_TRUE(r.ok());
  auto& w = r->commands[0].words;
  EXPECT_TRUE(w[0].glob);
  EXPECT_EQ(w[0].literal_len, 0u);
  EXPECT_EQ(w[1].literal_prefix(), "a");
  EXPECT_TRUE(w[2].is_literal()) << "{} is not a brace expansion";
  EXPECT_TRUE(w[3].glob);
}

TEST(ShellParser, CompoundCommands) {
  auto v = cmds(
      "if a; then b; elif c; then d; else e; fi\n"
      "while f; do g; done; until h; do i; done\n"
      "for x in 1 $(j); do k; done; for ((n=0;n<3;n++)); do l; done\n"
      "case $y in a|b) m;; (c) n;& *) o;;& esac\n"
      "( p ); { q; }; function fn { r; }; fn2() ( s )\n"
      "[[ -f $(t) && x =~ ^(a|b)$ ]]; (( z = $(u) ))");
  for (const char* c : {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q",
                        "r", "s", "t", "u"})
    EXPECT_TRUE(has(v, c)) << c;
}

TEST(ShellParser, HereDocs) {
  auto r = parse_shell("cat <<EOF; echo after\nline $(a)\n`b`\nEOF\ncat <<-'Q' > out\n\t$(c)\n\tQ\ncat <<< $(d)");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> names;
  for (auto& c : r->commands) names.push_back(command_text(c));
  EXPECT_TRUE(has(names, "a"));
  EXPECT_TRUE(has(names, "b"));
  EXPECT_FALSE(has(names, "c")) << "quoted delimiter: no expansion";
  EXPECT_TRUE(has(names, "d"));
  EXPECT_TRUE(has(names, "echo after"));
  bool writes = false;
  for (auto& c : r->commands)
    for (auto& rd : c.redirects) writes = writes || (rd.writes_file() && rd.target.value == "out");
  EXPECT_TRUE(writes);
}

TEST(ShellParser, Redirections) {
  auto r = parse_shell("cmd 2>&1 >/dev/null 2>err.log &>all >>app <in 3<>rw >&2 {fd}>x >| clob");
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> writes;
  for (auto& rd : r->commands[0].redirects)
    if (rd.writes_file()) writes.push_back(rd.target.value);
  EXPECT_TRUE(has(writes, "err.log"));
  EXPECT_TRUE(has(writes, "all"));
  EXPECT_TRUE(has(writes, "app"));
  EXPECT_TRUE(has(writes, "rw"));
  EXPECT_TRUE(has(writes, "clob"));
  EXPECT_FALSE(has(writes, "/dev/null"));
  EXPECT_FALSE(has(writes, "1"));
}

TEST(ShellParser, AssignmentsAndWrappers) {
  auto v = cmds("FOO=1 BAR=$(x) sudo -u root env A=b timeout -s KILL 5 nice -n 3 nohup rm -rf y");
  EXPECT_TRUE(has(v, "x"));
  EXPECT_TRUE(has(v, "rm -rf y"));
  auto w = cmds("xargs -n1 -I{} cp {} dst; find . -name x -exec chmod 777 {} +; fd -x sh");
  EXPECT_TRUE(has(w, "cp {} dst"));
  EXPECT_TRUE(has(w, "chmod 777 {}"));
  EXPECT_TRUE(has(w, "sh"));
  auto s = cmds("bash -lc 'a; b $(c)' && sh -c \"d\" && eval 'e f' && command -v g && env -S 'h i'");
  for (const char* c : {"a", "b $(c)", "c", "d", "e f", "h i"}) EXPECT_TRUE(has(s, c)) << c;
  EXPECT_FALSE(has(s, "g")) << "command -v only looks a name up";
}

TEST(ShellParser, DynamicScriptBecomesUnknownCommand) {
  auto r = parse_shell("bash -c \"$P\"");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->commands.size(), 2u);
  EXPECT_TRUE(r->commands[1].words[0].dynamic);
  EXPECT_EQ(r->commands[1].wrapped_by, "bash");
}

TEST(ShellParser, ErrorsOnWhatItCannotParse) {
  for (const char* bad : {"echo 'x", "echo \"x", "echo $(x", "echo `x", "(a", "a)", "if a; then b", "case x in",
                          "for", "a | | b", "echo ${x", "cat <", "a && && b", "@(x)"}) {
    EXPECT_FALSE(parse_shell(bad).ok()) << bad;
  }
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += "$(";
  EXPECT_FALSE(parse_shell(deep).ok());
}

TEST(ArgInjection, SedScripts) {
  EXPECT_TRUE(sed_script_is_safe("s/a/b/g"));
  EXPECT_TRUE(sed_script_is_safe("1,20p"));
  EXPECT_TRUE(sed_script_is_safe("/^#/d; s|x|y|2"));
  EXPECT_FALSE(sed_script_is_safe("s/a/b/e"));
  EXPECT_FALSE(sed_script_is_safe("s/a/b/w /tmp/x"));
  EXPECT_FALSE(sed_script_is_safe("1e id"));
  EXPECT_FALSE(sed_script_is_safe("r /etc/passwd"));
  EXPECT_FALSE(sed_script_is_safe("$ W out"));
}

}  // namespace
}  // namespace bastion::policy
