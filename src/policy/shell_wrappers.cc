// Commands that run other commands: sudo, env, xargs, timeout, nice, nohup,
// time, command, exec, stdbuf, watch, `bash -c '…'`, eval, `find -exec`,
// `fd -x`. Each wrapper stays in the list (marked) and the command it runs
// is appended after it, so deny rules see `rm` in `sudo timeout 5 rm -rf x`.
#include <set>

#include "policy/shell_parser_internal.h"

namespace bastion::policy::detail {
namespace {

std::string base_name(const std::string& s) {
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

bool is_option(const ShellWord& w) { return !w.value.empty() && w.value[0] == '-'; }

// Skips leading options of a wrapper. `with_arg` lists options that take the
// next word as their value (when not attached as `--opt=v` / `-uVALUE`).
size_t skip_options(const std::vector<ShellWord>& words, size_t i, const std::set<std::string>& with_arg) {
  while (i < words.size()) {
    const std::string& v = words[i].value;
    if (v == "--") return i + 1;
    if (!is_option(words[i]) || v == "-") break;
    if (with_arg.count(v)) ++i;
    ++i;
  }
  return i;
}

bool is_env_assignment(const std::string& v) {
  size_t eq = v.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t k = 0; k < eq; ++k)
    if (!(std::isalnum(static_cast<unsigned char>(v[k])) || v[k] == '_')) return false;
  return !std::isdigit(static_cast<unsigned char>(v[0]));
}

struct Unwrap {
  WrapperKind kind = WrapperKind::kNone;
  std::vector<ShellWord> inner;   // the wrapped argv (may be empty)
  bool has_script = false;        // inner is a shell script (bash -c, eval, watch)
  ShellWord script;
};

ShellWord join_words(const std::vector<ShellWord>& words, size_t from) {
  ShellWord out;
  bool literal = true;
  for (size_t k = from; k < words.size(); ++k) {
    if (k > from) out.value += " ";
    if (!words[k].is_literal()) literal = false;
    out.value += words[k].value;
  }
  out.dynamic = !literal;
  out.literal_len = literal ? out.value.size() : 0;
  return out;
}

Unwrap unwrap(const SimpleCommand& cmd) {
  Unwrap u;
  const auto& w = cmd.words;
  if (w.empty() || !w[0].is_literal()) return u;
  const std::string name = base_name(w[0].value);
  auto rest_from = [&](size_t i, WrapperKind kind) {
    if (i < w.size()) {
      u.kind = kind;
      u.inner.assign(w.begin() + static_cast<long>(i), w.end());
    }
  };
  if (name == "sudo" || name == "doas" || name == "run0") {
    u.kind = WrapperKind::kOpaque;
    size_t i = skip_options(w, 1, {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U", "--user",
                                   "--group", "--chdir", "--host", "--prompt", "--role", "--type"});
    while (i < w.size() && is_env_assignment(w[i].value)) ++i;
    rest_from(i, WrapperKind::kOpaque);
  } else if (name == "env") {
    size_t i = 1;
    while (i < w.size()) {
      const std::string& v = w[i].value;
      if (v == "--") { ++i; break; }
      if (v == "-S" || v == "--split-string" || v.rfind("--split-string=", 0) == 0 ||
          (v.size() > 2 && v.rfind("-S", 0) == 0)) {
        u.kind = WrapperKind::kOpaque;  // env -S 'cmd args': a string split into a command
        u.has_script = true;
        u.script = join_words(w, v.size() > 2 && v[1] == 'S' ? i : i + 1);
        if (v.size() > 2 && v[1] == 'S') u.script.value = u.script.value.substr(2);
        return u;
      }
      if (v == "-u" || v == "--unset" || v == "-C" || v == "--chdir") { i += 2; continue; }
      if (is_option(w[i]) || is_env_assignment(v)) { ++i; continue; }
      break;
    }
    rest_from(i, WrapperKind::kOpaque);
  } else if (name == "xargs") {
    size_t i = skip_options(w, 1, {"-a", "-d", "-E", "-I", "-L", "-n", "-P", "-s", "--arg-file",
                                   "--delimiter", "--eof", "--replace", "--max-lines", "--max-args",
                                   "--max-procs", "--max-chars", "--process-slot-var"});
    u.kind = WrapperKind::kOpaque;  // xargs is never auto-approved, even without a command
    if (i < w.size()) u.inner.assign(w.begin() + static_cast<long>(i), w.end());
  } else if (name == "nohup" || name == "builtin" || name == "unbuffer") {
    rest_from(1, WrapperKind::kTransparent);
  } else if (name == "setsid") {
    rest_from(skip_options(w, 1, {}), WrapperKind::kTransparent);
  } else if (name == "time") {
    rest_from(skip_options(w, 1, {"-f", "-o", "--format", "--output"}), WrapperKind::kTransparent);
  } else if (name == "command") {
    size_t i = 1;
    bool query = false;
    for (; i < w.size() && is_option(w[i]) && w[i].value != "--"; ++i)
      if (w[i].value.find_first_of("vV") != std::string::npos) query = true;
    if (i < w.size() && w[i].value == "--") ++i;
    if (!query) rest_from(i, WrapperKind::kTransparent);
  } else if (name == "exec") {
    rest_from(skip_options(w, 1, {"-a"}), WrapperKind::kTransparent);
  } else if (name == "stdbuf") {
    rest_from(skip_options(w, 1, {"-i", "-o", "-e", "--input", "--output", "--error"}),
              WrapperKind::kTransparent);
  } else if (name == "timeout") {
    size_t i = skip_options(w, 1, {"-s", "-k", "--signal", "--kill-after"});
    rest_from(i + 1, WrapperKind::kTransparent);  // skip DURATION
    if (u.kind == WrapperKind::kNone && i < w.size()) u.kind = WrapperKind::kTransparent;
  } else if (name == "nice" || name == "ionice") {
    rest_from(skip_options(w, 1, {"-n", "--adjustment", "-c", "--class", "-p", "--pid", "-t"}),
              WrapperKind::kTransparent);
  } else if (name == "taskset" || name == "chroot" || name == "flock") {
    // The first positional is a CPU mask, a new root or a lock file; the
    // command follows it (`flock FILE -c 'script'` runs a script).
    size_t i = skip_options(w, 1, {"-w", "--timeout", "-E", "--conflict-exit-code", "--userspec",
                                   "--groups"}) + 1;
    u.kind = WrapperKind::kOpaque;
    if (i + 1 < w.size() && (w[i].value == "-c" || w[i].value == "--command")) {
      u.has_script = true;
      u.script = w[i + 1];
      return u;
    }
    if (i < w.size()) u.inner.assign(w.begin() + static_cast<long>(i), w.end());
  } else if (name == "strace" || name == "ltrace" || name == "valgrind" || name == "firejail" ||
             name == "catchsegv" || name == "proot" || name == "fakeroot") {
    size_t i = skip_options(w, 1, {"-o", "-e", "-p", "-s", "-u", "-E"});
    rest_from(i, WrapperKind::kOpaque);
  } else if (name == "bash" || name == "sh" || name == "dash" || name == "zsh" || name == "ksh" ||
             name == "mksh" || name == "ash" || name == "busybox" || name == "su" || name == "runuser" ||
             name == "script") {
    u.kind = WrapperKind::kOpaque;
    for (size_t i = 1; i < w.size(); ++i) {
      const std::string& v = w[i].value;
      if (v == "--") break;
      bool dash_c = (v.size() >= 2 && v[0] == '-' && v[1] != '-' && v.find('c') != std::string::npos) ||
                    v == "--command";
      if (dash_c && i + 1 < w.size()) {
        u.has_script = true;
        u.script = w[i + 1];
        return u;
      }
      if (name == "busybox" && !is_option(w[i])) {  // busybox APPLET args
        u.inner.assign(w.begin() + static_cast<long>(i), w.end());
        return u;
      }
    }
    bool info_only = false;
    for (size_t i = 1; i < w.size(); ++i) info_only |= w[i].value == "--version" || w[i].value == "--help";
    if (!info_only && name != "busybox" && name != "su" && name != "runuser" && name != "script") {
      // No -c: the shell runs a script file or whatever arrives on stdin
      // (`echo 'rm -rf x' | bash`, `bash <<< …`, `sh evil.sh`). Its commands
      // are unknown here, so deny rules must assume the worst.
      u.has_script = true;
      u.script.value = "(commands read by " + name + " from a script file or stdin)";
      u.script.dynamic = true;
      return u;
    }
  } else if ((name == "source" || name == ".") && w.size() > 1) {
    u.kind = WrapperKind::kOpaque;
    u.has_script = true;
    u.script.value = "(commands in " + w[1].value + ", run by " + name + ")";
    u.script.dynamic = true;
  } else if (name == "eval" || name == "watch") {
    size_t i = name == "watch" ? skip_options(w, 1, {"-n", "--interval", "-d"}) : 1;
    if (i < w.size()) {
      u.kind = WrapperKind::kOpaque;
      u.has_script = true;
      u.script = join_words(w, i);
    }
  } else if (name == "find") {
    for (size_t i = 1; i < w.size(); ++i) {
      const std::string& v = w[i].value;
      if (v == "-exec" || v == "-execdir" || v == "-ok" || v == "-okdir") {
        u.kind = WrapperKind::kOpaque;
        size_t j = i + 1;
        while (j < w.size() && w[j].value != ";" && w[j].value != "+") ++j;
        u.inner.assign(w.begin() + static_cast<long>(i) + 1, w.begin() + static_cast<long>(j));
        return u;  // further -exec clauses: see the wrapped command's own scan below
      }
    }
  } else if (name == "fd" || name == "fdfind") {
    for (size_t i = 1; i < w.size(); ++i) {
      const std::string& v = w[i].value;
      if (v == "-x" || v == "-X" || v == "--exec" || v == "--exec-batch") {
        u.kind = WrapperKind::kOpaque;
        size_t j = i + 1;
        while (j < w.size() && w[j].value != ";") ++j;
        u.inner.assign(w.begin() + static_cast<long>(i) + 1, w.begin() + static_cast<long>(j));
        return u;
      }
    }
  }
  return u;
}

}  // namespace

bool expand_wrappers(ShellScript* script, int depth, std::string* err) {
  auto& cmds = script->commands;
  for (size_t k = 0; k < cmds.size(); ++k) {
    Unwrap u = unwrap(cmds[k]);
    if (u.kind == WrapperKind::kNone) continue;
    cmds[k].wrapper = u.kind;
    std::string by = base_name(cmds[k].words[0].value);
    bool in_fn = cmds[k].in_function;
    if (u.has_script) {
      if (!u.script.is_literal()) {
        // The script is computed at run time: an unknown command.
        SimpleCommand unknown;
        unknown.words.push_back(u.script);
        unknown.words.back().literal_len = 0;
        unknown.words.back().dynamic = true;
        unknown.wrapped_by = by;
        unknown.in_function = in_fn;
        cmds.push_back(std::move(unknown));
        continue;
      }
      if (depth + 1 > kMaxDepth) {
        *err = "nesting deeper than " + std::to_string(kMaxDepth);
        return false;
      }
      ShellScript inner;
      Parser p(u.script.value, depth + 1, &inner);
      if (!p.parse_program()) {
        *err = "in script run by " + by + ": " + p.error();
        return false;
      }
      if (!expand_wrappers(&inner, depth + 1, err)) return false;
      script->background = script->background || inner.background;
      for (auto& c : inner.commands) {
        if (c.wrapped_by.empty()) c.wrapped_by = by;
        c.in_function = c.in_function || in_fn;
        cmds.push_back(std::move(c));
      }
    } else if (!u.inner.empty()) {
      SimpleCommand inner;
      inner.words = std::move(u.inner);
      inner.wrapped_by = by;
      inner.in_function = in_fn;
      cmds.push_back(std::move(inner));
    }
  }
  return true;
}

}  // namespace bastion::policy::detail
