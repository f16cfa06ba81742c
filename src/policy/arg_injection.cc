#include "policy/arg_injection.h"

#include <set>
#include <string_view>

namespace bastion::policy {
namespace {

std::string base_name(const std::string& s) {
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

bool starts(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

// Matches `--opt` and `--opt=value`.
bool long_opt(const std::string& w, std::string_view opt) {
  return w == opt || (starts(w, opt) && w.size() > opt.size() && w[opt.size()] == '=');
}

// A short-option cluster (`-ni`) containing `letter`.
bool short_cluster_has(const std::string& w, char letter) {
  return w.size() >= 2 && w[0] == '-' && w[1] != '-' && w.find(letter, 1) != std::string::npos;
}

const std::set<std::string>& read_only_commands() {
  static const std::set<std::string> k = {
      "ls", "cat", "head", "tail", "wc", "pwd", "echo", "printf", "true", "false", "test", "[",
      "which", "whoami", "id", "groups", "date", "uname", "grep", "egrep", "fgrep", "rg", "find",
      "fd", "fdfind", "file", "stat", "du", "df", "tree", "sort", "uniq", "diff", "cmp", "basename",
      "dirname", "realpath", "readlink", "cut", "tr", "nl", "od", "rev", "column", "fold", "expand",
      "unexpand", "comm", "join", "paste", "seq", "sha1sum", "sha256sum", "sha512sum", "md5sum",
      "cksum", "b2sum", "jq", "nproc", "uptime", "ps", "type", "cd", "git", "sed", "awk", "gawk",
      "mawk", "nawk", "go", "hostname"};
  return k;
}

// Commands without flags that execute or write: a glob that expands to a
// file named like a flag (`-rf`, `--pre=x`) cannot hurt them.
const std::set<std::string>& glob_tolerant() {
  static const std::set<std::string> k = {"ls", "cat", "head", "tail", "wc", "stat", "du", "grep",
                                          "egrep", "fgrep", "diff", "cmp", "nl", "od", "echo",
                                          "md5sum", "sha1sum", "sha256sum", "sha512sum", "cksum",
                                          "b2sum", "realpath", "readlink", "basename", "dirname"};
  return k;
}

const std::set<std::string>& no_file_commands() {
  static const std::set<std::string> k = {"echo", "printf", "true", "false", "pwd", "whoami", "id",
                                          "groups", "uname", "nproc", "uptime", "basename",
                                          "dirname", "seq", "hostname", "date", "type", "which", "ps"};
  return k;
}

// Git global options that point git at other config or code.
std::string git_reason(const std::vector<ShellWord>& w, size_t* sub_index) {
  size_t i = 1;
  for (; i < w.size(); ++i) {
    const std::string& v = w[i].value;
    if (v == "-c" || long_opt(v, "--config-env") || (starts(v, "-c") && v.size() > 2))
      return "`git -c`/`--config-env` can set core.pager, core.sshCommand or an alias that runs any command";
    if (v == "-C" || long_opt(v, "--git-dir") || long_opt(v, "--work-tree") || long_opt(v, "--exec-path") ||
        long_opt(v, "--namespace") || long_opt(v, "--super-prefix"))
      return "`git " + v + "` points git at another repository, whose config can run commands (core.fsmonitor, core.pager)";
    if (v == "-p" || v == "--paginate") return "`git -p` runs the configured pager";
    if (v.empty() || v[0] != '-') break;
  }
  *sub_index = i;
  if (i >= w.size()) return "";
  const std::string& sub = w[i].value;
  if (sub == "config") return "`git config` can set options that run commands (core.pager, core.hooksPath, alias.*)";
  for (size_t k = i + 1; k < w.size(); ++k) {
    const std::string& v = w[k].value;
    if (long_opt(v, "--output"))
      return "`git " + sub + " --output` writes to an arbitrary file";
    if (v == "--ext-diff") return "`--ext-diff` runs the external diff program from config";
    if (sub == "grep" && (long_opt(v, "--open-files-in-pager") || starts(v, "-O")))
      return "`git grep -O` runs a pager command";
    if (long_opt(v, "--upload-pack") || long_opt(v, "--receive-pack") || long_opt(v, "--exec") ||
        (v == "-u" && (sub == "fetch" || sub == "clone" || sub == "ls-remote" || sub == "archive")))
      return "`" + v + "` names a program for git to run";
    if (long_opt(v, "--template")) return "`--template` copies hooks into the repository";
  }
  return "";
}

}  // namespace

bool sed_script_is_safe(const std::string& s) {
  size_t i = 0;
  auto skip_ws = [&] { while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i; };
  auto read_delimited = [&](char d) -> bool {  // reads up to an unescaped d, consumes it
    while (i < s.size() && s[i] != d) {
      if (s[i] == '\\') ++i;
      if (s[i] == '\n') return false;
      ++i;
    }
    if (i >= s.size()) return false;
    ++i;
    return true;
  };
  auto read_address = [&]() -> bool {
    if (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])))) {
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '~')) ++i;
    } else if (i < s.size() && s[i] == '$') {
      ++i;
    } else if (i < s.size() && s[i] == '/') {
      ++i;
      if (!read_delimited('/')) return false;
      while (i < s.size() && (s[i] == 'I' || s[i] == 'M')) ++i;
    }
    return true;
  };
  while (true) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == ';')) ++i;
    if (i >= s.size()) return true;
    if (!read_address()) return false;
    skip_ws();
    if (i < s.size() && s[i] == ',') {
      ++i;
      skip_ws();
      if (!read_address()) return false;
      skip_ws();
    }
    if (i < s.size() && s[i] == '!') ++i, skip_ws();
    if (i >= s.size()) return false;
    char c = s[i++];
    if (std::string_view("pdqQ=nNPDgGhHxl{}").find(c) != std::string_view::npos) {
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;  // q5 / l 70
      continue;
    }
    if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == 's' || c == 'y') {
      if (i >= s.size() || s[i] == '\n' || s[i] == '\\') return false;
      char d = s[i++];
      if (!read_delimited(d) || !read_delimited(d)) return false;
      while (i < s.size() && std::string_view("gpiImM0123456789").find(s[i]) != std::string_view::npos) ++i;
      skip_ws();
      if (i < s.size() && s[i] != ';' && s[i] != '\n' && s[i] != '}') return false;  // e, w, W flags
      continue;
    }
    return false;  // e, w, W, r, R, a, i, c, b, t, :, F, z, v ... (conservative)
  }
}

std::string injection_reason(const SimpleCommand& cmd) {
  const auto& w = cmd.words;
  if (w.empty()) return "";
  if (!w[0].is_literal()) return "the command name is computed at run time";
  const std::string name = base_name(w[0].value);
  if (cmd.wrapper == WrapperKind::kOpaque) {
    if (name == "xargs") return "`xargs` runs a command built from its input";
    if (name == "env") return "`env` with a command runs that command with a changed environment";
    if (name == "find") return "`find -exec/-execdir/-ok` runs a command for each file";
    if (name == "fd" || name == "fdfind") return "`fd -x/-X/--exec` runs a command for each file";
    return "`" + name + "` runs another command";
  }
  // Computed arguments of commands that have dangerous flags could become one.
  static const std::set<std::string> kFlagSensitive = {"git", "rg", "find", "fd", "fdfind", "go", "sed",
                                                       "awk", "gawk", "mawk", "nawk", "sort", "tree",
                                                       "file", "date", "uniq", "jq"};
  if (kFlagSensitive.count(name)) {
    for (size_t k = 1; k < w.size(); ++k)
      if (w[k].dynamic || (w[k].glob && w[k].literal_len == 0))
        return "argument `" + w[k].value + "` of `" + name +
               "` is computed at run time and could become an option that runs a program";
  }
  if (name == "git") {
    size_t sub = 0;
    return git_reason(w, &sub);
  }
  for (size_t k = 1; k < w.size(); ++k) {
    const std::string& v = w[k].value;
    if ((name == "rg") && (long_opt(v, "--pre") || long_opt(v, "--pre-glob")))
      return "`rg --pre` runs an arbitrary preprocessor program";
    if (name == "find" && (v == "-delete" || v == "-fprint" || v == "-fprint0" || v == "-fprintf" || v == "-fls"))
      return "`find " + v + "` deletes or writes files";
    if (name == "go" && (v == "-exec" || long_opt(v, "-exec") || v == "-toolexec" || long_opt(v, "-toolexec") ||
                         long_opt(v, "--exec") || long_opt(v, "--toolexec")))
      return "`go " + v + "` runs an arbitrary program";
    if (name == "sort" && (v == "-o" || starts(v, "-o") || long_opt(v, "--output") ||
                           long_opt(v, "--compress-program") || short_cluster_has(v, 'o')))
      return "`sort -o/--compress-program` writes a file or runs a program";
    if (name == "sed" && (short_cluster_has(v, 'i') || long_opt(v, "--in-place")))
      return "`sed -i` edits files in place";
    if (name == "tree" && (v == "-o" || short_cluster_has(v, 'o'))) return "`tree -o` writes a file";
    if (name == "file" && (v == "-C" || v == "--compile")) return "`file -C` writes a compiled magic file";
    if (name == "date" && (v == "-s" || long_opt(v, "--set") || short_cluster_has(v, 's')))
      return "`date -s` sets the clock";
  }
  if (name == "sed") {
    bool explicit_script = false;
    for (size_t k = 1; k < w.size(); ++k) {
      const std::string& v = w[k].value;
      if (v == "-f" || long_opt(v, "--file") || (starts(v, "-f") && v.size() > 2))
        return "`sed -f` runs a script from a file";
      if ((v == "-e" || v == "--expression") && k + 1 < w.size()) {
        explicit_script = true;
        if (!sed_script_is_safe(w[k + 1].value)) return "sed script `" + w[k + 1].value + "` may run a command or write a file (e/w/r)";
        ++k;
      } else if (long_opt(v, "--expression")) {
        explicit_script = true;
        if (!sed_script_is_safe(v.substr(13))) return "sed script `" + v.substr(13) + "` may run a command or write a file (e/w/r)";
      }
    }
    if (!explicit_script)
      for (size_t k = 1; k < w.size(); ++k)
        if (w[k].value.empty() || w[k].value[0] != '-') {
          if (!sed_script_is_safe(w[k].value))
            return "sed script `" + w[k].value + "` may run a command or write a file (e/w/r)";
          break;
        }
  }
  if (name == "awk" || name == "gawk" || name == "mawk" || name == "nawk") {
    for (size_t k = 1; k < w.size(); ++k) {
      const std::string& v = w[k].value;
      if (v == "-f" || long_opt(v, "--file") || v == "-i" || long_opt(v, "--include") || v == "-l" ||
          long_opt(v, "--load") || v == "-E" || long_opt(v, "--exec"))
        return "`" + name + " " + v + "` loads program code from a file";
      if (v.find("system") != std::string::npos || v.find('|') != std::string::npos ||
          v.find("getline") != std::string::npos || v.find('>') != std::string::npos ||
          v.find('@') != std::string::npos)
        return "awk program may run a command or write a file (system(), pipes, redirection)";
    }
  }
  return "";
}

bool is_read_only_command(const SimpleCommand& cmd, std::string* why_not) {
  auto no = [&](std::string why) {
    if (why_not) *why_not = std::move(why);
    return false;
  };
  for (auto& r : cmd.redirects)
    if (r.writes_file()) return no("it redirects output to `" + r.target.value + "`");
  if (!cmd.assignments.empty()) return no("it sets variables (`" + cmd.assignments[0] + "`)");
  if (cmd.words.empty()) return true;  // a bare redirection that reads
  if (cmd.wrapper == WrapperKind::kTransparent) return true;  // judged by the wrapped command
  std::string inj = injection_reason(cmd);
  if (!inj.empty()) return no(inj);
  const std::string name = base_name(cmd.words[0].value);
  if (name != cmd.words[0].value) return no("it runs a program by path (`" + cmd.words[0].value + "`)");
  if (!read_only_commands().count(name)) return no("`" + name + "` is not a known read-only command");
  for (size_t k = 1; k < cmd.words.size(); ++k) {
    const auto& wd = cmd.words[k];
    if (wd.dynamic) return no("argument `" + wd.value + "` is computed at run time");
    if (wd.glob && wd.literal_len == 0 && !glob_tolerant().count(name))
      return no("glob `" + wd.value + "` could expand to a file named like an option");
  }
  const auto& w = cmd.words;
  if (name == "git") {
    size_t sub = 0;
    git_reason(w, &sub);
    if (sub >= w.size()) return no("`git` without a subcommand");
    static const std::set<std::string> kGitRead = {"status", "diff", "log", "show", "ls-files", "rev-parse",
                                                   "blame", "grep", "describe", "ls-tree", "cat-file",
                                                   "shortlog", "branch", "tag", "remote", "merge-base",
                                                   "rev-list", "show-ref", "whatchanged", "reflog"};
    const std::string& s = w[sub].value;
    if (!kGitRead.count(s)) return no("`git " + s + "` is not a read-only git command");
    if (s == "branch" || s == "tag" || s == "remote" || s == "reflog") {  // listing forms only
      for (size_t k = sub + 1; k < w.size(); ++k) {
        const std::string& v = w[k].value;
        bool listing = v == "-a" || v == "-r" || v == "-l" || v == "--list" || v == "-v" || v == "-vv" ||
                       v == "--show-current" || v == "--all" || v == "--remotes" || v == "show" ||
                       long_opt(v, "--contains") || long_opt(v, "--merged") || long_opt(v, "--sort") ||
                       long_opt(v, "--format") || v == "--no-color";
        if (!listing) return no("`git " + s + " " + v + "` may change the repository");
      }
    }
    return true;
  }
  if (name == "go") {
    if (w.size() < 2 || (w[1].value != "version" && w[1].value != "env" && w[1].value != "list" &&
                         w[1].value != "doc" && w[1].value != "vet"))
      return no("`go " + (w.size() > 1 ? w[1].value : std::string()) + "` builds or runs code");
    if (w[1].value == "env" && w.size() > 2) {
      for (size_t k = 2; k < w.size(); ++k)
        if (w[k].value == "-w" || w[k].value == "-u") return no("`go env -w` changes settings");
    }
    return true;
  }
  if (name == "uniq") {
    int positional = 0;
    for (size_t k = 1; k < w.size(); ++k)
      if (w[k].value.empty() || w[k].value[0] != '-') ++positional;
    if (positional > 1) return no("`uniq IN OUT` writes OUT");
  }
  if (name == "hostname" && w.size() > 1) return no("`hostname` with arguments can change the host name");
  return true;
}

std::vector<std::string> file_operands(const SimpleCommand& cmd) {
  std::vector<std::string> out;
  const auto& w = cmd.words;
  if (w.empty() || !w[0].is_literal()) return out;
  const std::string name = base_name(w[0].value);
  if (no_file_commands().count(name)) return out;
  bool pattern_first = name == "grep" || name == "egrep" || name == "fgrep" || name == "rg" ||
                       name == "sed" || name == "awk" || name == "gawk" || name == "mawk" ||
                       name == "jq";
  bool after_dashdash = false;
  size_t start = 1;
  if (name == "git") {
    size_t sub = 1;
    git_reason(w, &sub);
    start = sub + 1;
  }
  for (size_t k = start; k < w.size(); ++k) {
    const auto& wd = w[k];
    const std::string& v = wd.value;
    if (!after_dashdash && v == "--") {
      after_dashdash = true;
      continue;
    }
    if (!after_dashdash && !v.empty() && v[0] == '-') {
      if (v == "-e" || v == "-f" || v == "--regexp") pattern_first = false;
      size_t eq = v.find('=');
      if (eq != std::string::npos && eq + 1 < v.size() && (v[eq + 1] == '/' || v[eq + 1] == '~'))
        out.push_back(v.substr(eq + 1));
      continue;
    }
    if (pattern_first) {
      pattern_first = false;
      continue;
    }
    if (v.empty() || v == "-" || !wd.is_literal()) {
      if (!wd.is_literal() && wd.literal_len > 0) out.push_back(std::string(wd.literal_prefix()));
      continue;
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace bastion::policy
