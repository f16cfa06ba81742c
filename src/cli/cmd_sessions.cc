// `bastion sessions list [--json] [-n N]`: saved sessions, newest first.
#include <cstdio>
#include <ctime>

#include "cli/subcommands.h"
#include "store/session_store.h"
#include "util/json.h"

namespace bastion::cli {

int run_sessions(const std::vector<std::string>& args) {
  bool json = false;
  int limit = 50;
  if (args.empty() || args[0] != "list") {
    std::fprintf(stderr, "usage: bastion sessions list [--json] [-n N]\n");
    return kExitUsage;
  }
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--json") json = true;
    else if (args[i] == "-n" && i + 1 < args.size()) limit = std::atoi(args[++i].c_str());
    else {
      std::fprintf(stderr, "bastion sessions list: unknown argument '%s'\n", args[i].c_str());
      return kExitUsage;
    }
  }
  auto store = store::SessionStore::open(store::SessionStore::default_path());
  if (!store.ok()) {
    std::fprintf(stderr, "bastion: %s\n", store.error().message.c_str());
    return kExitError;
  }
  auto list = store->list(limit);
  if (!list.ok()) {
    std::fprintf(stderr, "bastion: %s\n", list.error().message.c_str());
    return kExitError;
  }
  if (json) {
    Json arr = Json::array();
    for (auto& s : *list) {
      arr.push_back({{"session_id", s.id}, {"cwd", s.cwd}, {"model", s.model}, {"title", s.title},
                     {"created_ms", s.created_ms}, {"updated_ms", s.updated_ms}, {"messages", s.message_count}});
    }
    std::printf("%s\n", dump_json(arr, 2).c_str());
    return kExitOk;
  }
  if (list->empty()) {
    std::printf("no sessions yet; start one with `bastion` or `bastion -p \"...\"`\n");
    return kExitOk;
  }
  for (auto& s : *list) {
    std::time_t t = static_cast<std::time_t>(s.updated_ms / 1000);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::localtime(&t));
    std::printf("%s  %s  %4lld msgs  %-40s  %s\n", s.id.c_str(), when, static_cast<long long>(s.message_count),
                s.cwd.c_str(), s.title.c_str());
  }
  return kExitOk;
}

}  // namespace bastion::cli
