#include "index/walker_git.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "util/fs.h"
#include "util/strings.h"

namespace bastion::index {
namespace {

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
uint16_t be16(const unsigned char* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }

std::string trim_nl(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Parses a git config file for [core] excludesFile; updates `value` when set.
void scan_config(const std::string& path, std::string* value) {
  auto text = fs::read_file(path);
  if (!text.ok()) return;
  bool in_core = false;
  for (const std::string& raw : str::split_lines(*text)) {
    std::string_view line = str::trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      size_t close = line.find(']');
      std::string section = str::to_lower(str::trim(line.substr(1, close == std::string_view::npos ? line.size() - 1 : close - 1)));
      in_core = section == "core";
      if (close == std::string_view::npos) continue;
      line = str::trim(line.substr(close + 1));
      if (line.empty()) continue;
    }
    if (!in_core) continue;
    size_t eq = line.find('=');
    std::string key = str::to_lower(str::trim(line.substr(0, eq)));
    if (key != "excludesfile" || eq == std::string_view::npos) continue;
    std::string_view rest = str::trim(line.substr(eq + 1));
    std::string out;
    bool quoted = false;
    for (size_t i = 0; i < rest.size(); ++i) {
      char c = rest[i];
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '#' || c == ';')) {
        break;
      } else if (c == '\\' && i + 1 < rest.size()) {
        char n = rest[++i];
        out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
      } else {
        out += c;
      }
    }
    *value = std::string(str::trim(out));
  }
}

std::string xdg_config_home() {
  const char* x = std::getenv("XDG_CONFIG_HOME");
  if (x && *x) return x;
  return fs::home_dir() + "/.config";
}

}  // namespace

namespace {

// What git checks before treating a directory as a repository: HEAD plus
// the objects and refs directories.
bool is_git_dir(const std::string& dir) {
  struct stat st;
  return ::stat((dir + "/HEAD").c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         ::stat((dir + "/objects").c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
         ::stat((dir + "/refs").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

bool is_nested_repo(const std::string& dir) {
  std::string dotgit = dir + "/.git";
  struct stat st;
  if (::stat(dotgit.c_str(), &st) != 0) return false;
  if (S_ISDIR(st.st_mode)) return is_git_dir(dotgit);
  auto text = fs::read_file(dotgit);
  if (!text.ok() || !str::starts_with(*text, "gitdir:")) return false;
  return is_git_dir(fs::absolute(trim_nl(std::string(str::trim(text->substr(7)))), dir));
}

GitRepo find_repo(const std::string& dir) {
  GitRepo repo;
  std::string root = fs::find_git_root(dir);
  if (root.empty()) return repo;
  repo.root = root;
  std::string dotgit = root + "/.git";
  if (fs::is_directory(dotgit)) {
    repo.git_dir = dotgit;
  } else {
    auto text = fs::read_file(dotgit);
    if (text.ok() && str::starts_with(*text, "gitdir:")) {
      std::string target = std::string(str::trim(text->substr(7)));
      repo.git_dir = fs::absolute(trim_nl(target), root);
    }
  }
  repo.common_dir = repo.git_dir;
  if (!repo.git_dir.empty()) {
    auto common = fs::read_file(repo.git_dir + "/commondir");
    if (common.ok()) repo.common_dir = fs::absolute(trim_nl(*common), repo.git_dir);
  }
  return repo;
}

std::vector<TrackedEntry> read_index(const std::string& git_dir) {
  std::vector<TrackedEntry> out;
  auto data = fs::read_file(git_dir + "/index");
  if (!data.ok() || data->size() < 12) return out;
  const auto* p = reinterpret_cast<const unsigned char*>(data->data());
  size_t size = data->size();
  if (std::string_view(data->data(), 4) != "DIRC") return out;
  uint32_t version = be32(p + 4);
  uint32_t count = be32(p + 8);
  if (version < 2 || version > 4) return out;
  // SHA-256 repositories use 32-byte object ids.
  size_t hash_len = 20;
  auto config = fs::read_file(git_dir + "/config");
  if (config.ok() && str::to_lower(*config).find("objectformat = sha256") != std::string::npos)
    hash_len = 32;
  size_t off = 12;
  std::string prev;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    size_t start = off;
    size_t fixed = 40 + hash_len + 2;
    if (off + fixed > size) return {};
    uint32_t mode = be32(p + off + 24);
    uint16_t flags = be16(p + off + 40 + hash_len);
    off += fixed;
    if (version >= 3 && (flags & 0x4000)) off += 2;
    if (off > size) return {};
    std::string path;
    if (version == 4) {
      // Varint: how many bytes to drop from the previous path.
      size_t strip = 0;
      unsigned char c;
      do {
        if (off >= size) return {};
        c = p[off++];
        strip = (strip << 7) | (c & 0x7f);
        if (c & 0x80) ++strip;
      } while (c & 0x80);
      if (strip > prev.size()) return {};
      const void* nul = std::memchr(p + off, 0, size - off);
      if (!nul) return {};
      size_t len = static_cast<const unsigned char*>(nul) - (p + off);
      path = prev.substr(0, prev.size() - strip) + std::string(data->data() + off, len);
      off += len + 1;
    } else {
      const void* nul = std::memchr(p + off, 0, size - off);
      if (!nul) return {};
      size_t len = static_cast<const unsigned char*>(nul) - (p + off);
      path.assign(data->data() + off, len);
      off = start + ((off - start + len + 8) & ~size_t{7});
    }
    prev = path;
    if (path.empty() || path.back() == '/') continue;  // sparse-index directory entries
    bool gitlink = (mode & 0170000) == 0160000;
    if (out.empty() || out.back().path != path) out.push_back({path, gitlink});
  }
  std::sort(out.begin(), out.end(),
            [](const TrackedEntry& a, const TrackedEntry& b) { return a.path < b.path; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const TrackedEntry& a, const TrackedEntry& b) { return a.path == b.path; }),
            out.end());
  return out;
}

std::string global_excludes_path(const GitRepo& repo) {
  std::string value;
  scan_config("/etc/gitconfig", &value);
  scan_config(xdg_config_home() + "/git/config", &value);
  scan_config(fs::home_dir() + "/.gitconfig", &value);
  if (!repo.common_dir.empty()) scan_config(repo.common_dir + "/config", &value);
  if (value.empty()) return xdg_config_home() + "/git/ignore";
  if (str::starts_with(value, "~/")) return fs::home_dir() + value.substr(1);
  return fs::absolute(value, repo.root.empty() ? "/" : repo.root);
}

}  // namespace bastion::index
