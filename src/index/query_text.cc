#include "index/query_text.h"

#include <regex>

#include "util/strings.h"

namespace bastion::index {
namespace {

// std::regex matches recursively, one stack frame per character a match
// spans, and backtracks: a megabyte-long line (a pasted minified file, a
// model's garbage query) overflowed the stack, and long unbroken runs made
// the path patterns quadratic. Before any pattern sees the query it is cut
// to kMaxQuery, runs of non-space characters are broken every kMaxRun, and
// lines every kMaxLine characters (at a space where there is one).
constexpr size_t kMaxQuery = 64 * 1024;
constexpr size_t kMaxLine = 1000;
constexpr size_t kMaxRun = 200;

}  // namespace

std::string bounded_query(std::string_view text) {
  text = text.substr(0, kMaxQuery);
  std::string out;
  out.reserve(text.size() + text.size() / 100);
  size_t line = 0, run = 0;  // characters since the last line break / space
  for (char c : text) {
    if (c == '\n') {
      line = run = 0;
    } else if (line >= kMaxLine || (line >= kMaxLine - 100 && c == ' ')) {
      out += '\n';
      line = run = 0;
      if (c == ' ') continue;
    } else if (run >= kMaxRun && c != ' ') {
      out += ' ';
      run = 0;
      ++line;
    }
    out += c;
    if (c == '\n') continue;
    ++line;
    run = c == ' ' || c == '\t' ? 0 : run + 1;
  }
  return out;
}

// `text` without the source lines a traceback quotes: the line after
// `File "x.py", line N` (CPython) and numbered lines such as "---> 71 opt =
// f(a)" (IPython). Their strings are the code of the frames' files, which
// the frame signal already weighs; as literals they would lift every
// shallow frame's file as if the reporter had quoted it.
std::string without_traceback_source(std::string_view text) {
  static const std::regex ipython_source(R"re(^\s*(?:-+>\s*)?\d+\s.*)re");
  std::string out;
  bool after_frame = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    std::string line(text.substr(pos, e - pos));
    bool source = after_frame || std::regex_match(line, ipython_source);
    after_frame = line.find("File \"") != std::string::npos && line.find("\", line ") != std::string::npos;
    if (!source) out += line;
    out += '\n';
    pos = e + 1;
  }
  return out;
}

// Environment dumps (`show_versions()`, `pip freeze`, "INSTALLED VERSIONS")
// describe the reporter's machine, not the code: drop them before ranking.
std::string strip_environment_dumps(std::string_view text) {
  static const std::regex version_line(
      R"re(^\s*[A-Za-z_][\w.\-]*\s*[:=]=?\s*(None|[0-9][\w.+\-]*)\s*$)re");
  static const std::regex heading(R"re(^\s*(?:#{1,6}\s+(.*\S)|\*\*([^*]+)\*\*:?)\s*$)re");
  static const std::regex environment_title(
      R"re(^(?:versions?|environment|environment info(?:rmation)?|system details|system info(?:rmation)?|installed versions|package versions|your environment)\s*(?:\(.*\))?\s*:?\s*$)re",
      std::regex::icase);
  std::string out;
  bool in_dump = false;
  bool in_section = false;
  bool in_fence = false;  // a `# comment` in a code block is no heading
  bool section_block_done = false;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t e = text.find('\n', pos);
    if (e == std::string_view::npos) e = text.size();
    std::string line(text.substr(pos, e - pos));
    // A heading opens or closes a section: "### Versions", "**Environment**"
    // and the like hold the machine's details up to the next heading.
    // The section also ends at `</details>` or at prose after its first
    // code block (a second issue pasted below the first one's dump).
    bool fence = line.find("```") != std::string::npos;
    if (fence) in_fence = !in_fence;
    std::smatch h;
    if (!in_fence && std::regex_match(line, h, heading)) {
      in_section = std::regex_search((h[1].matched ? h[1] : h[2]).str(), environment_title);
      section_block_done = false;
      if (in_section) {
        pos = e + 1;
        continue;
      }
    } else if (in_section) {
      bool blank = str::trim(line).empty();
      if (line.find("</details>") != std::string::npos) {
        in_section = false;
        pos = e + 1;
        continue;
      }
      if (section_block_done && !in_fence && !fence && !blank && line.find('<') == std::string::npos)
        in_section = false;
      if (fence && !in_fence) section_block_done = true;
    }
    if (line.find("INSTALLED VERSIONS") != std::string::npos) in_dump = true;
    if (in_dump && line.find("</details>") != std::string::npos) in_dump = false;
    else if (!in_dump && !in_section && !std::regex_match(line, version_line)) out += line + "\n";
    pos = e + 1;
  }
  return out;
}

}  // namespace bastion::index
