#include "cli/search_command.h"

#include <cstdio>

#include "cli/embeddings_setup.h"
#include "cli/subcommands.h"
#include "index/search.h"

namespace bastion::cli {
namespace {

void append_format(std::string& out, const char* fmt, auto... args) {
  int n = std::snprintf(nullptr, 0, fmt, args...);
  if (n <= 0) return;
  size_t at = out.size();
  out.resize(at + static_cast<size_t>(n) + 1);
  std::snprintf(out.data() + at, static_cast<size_t>(n) + 1, fmt, args...);
  out.resize(at + static_cast<size_t>(n));
}

}  // namespace

std::string SearchArgs::joined_words() const {
  std::string query;
  for (auto& w : words) query += (query.empty() ? "" : " ") + w;
  return query;
}

const char* search_usage() {
  return "usage: bastion search [--files] [--explain] [-k N] [-C DIR] [--no-server] QUERY   "
         "(QUERY '-' = stdin)";
}

Result<SearchArgs> parse_search_args(const std::vector<std::string>& args) {
  SearchArgs p;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--files") {
      p.files_only = true;
    } else if (a == "--explain") {
      p.explain = true;
    } else if (a == "--no-server") {
      p.no_server = true;
    } else if ((a == "-k" || a == "-C") && i + 1 < args.size()) {
      if (a == "-C") {
        p.dir = args[++i];
        continue;
      }
      try {
        p.k = std::stoul(args[++i]);
      } catch (...) {
        return make_error(ErrorKind::kBadInput, "-k needs a number");
      }
    } else if (a == "-h" || a == "--help") {
      p.help = true;
    } else {
      p.words.push_back(a);
    }
  }
  return p;
}

bool blank_query(const std::string& query) {
  return query.find_first_not_of(" \t\r\n") == std::string::npos;
}

CommandOutput search_index(index::CodeIndex& index, const SearchArgs& args,
                           const std::string& query, bool dense) {
  CommandOutput r;
  index::SearchOptions opt;
  opt.k = args.k ? args.k : (args.files_only ? 20 : 10);
  opt.lines_per_file = args.files_only ? 0 : 3;
  opt.explain = args.explain;
  // Dense retrieval when the user configured an embeddings model and
  // `bastion index --embeddings` has stored vectors; a failing endpoint
  // leaves the lexical ranking, with a warning.
  if (dense) {
    opt.dense = dense_search_for(index.root(), opt.k, [&r](const std::string& message) {
      r.err += "bastion search: " + message + "\n";
    });
  }
  auto hits = index::search(index, query, opt);
  if (!hits.ok()) {
    r.err += "bastion search: " + hits.error().message + "\n";
    r.exit_code = kExitError;
    return r;
  }
  for (auto& h : hits.value()) {
    if (args.explain) {
      append_format(r.out, "%s\t%.3f\t%s\n", h.path.c_str(), h.score, h.why.c_str());
    } else if (args.files_only || h.lines.empty()) {
      r.out += h.path + "\n";
    } else {
      for (auto& l : h.lines)
        append_format(r.out, "%s:%u: %s\n", h.path.c_str(), l.line, l.text.c_str());
    }
  }
  r.exit_code = kExitOk;
  return r;
}

}  // namespace bastion::cli
