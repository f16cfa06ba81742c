// The table of `bastion SUBCOMMAND` entries. Each subcommand lives in its own
// cmd_<name>.cc and receives the arguments after its name. To add one,
// declare its function here and add a row in subcommands.cc.
#pragma once

#include <string>
#include <vector>

namespace bastion::cli {

struct Subcommand {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>& args);
};

const std::vector<Subcommand>& subcommands();

// Exit codes shared by all commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitBudget = 3;

int run_doctor(const std::vector<std::string>& args);
int run_models(const std::vector<std::string>& args);
int run_sessions(const std::vector<std::string>& args);
int run_files(const std::vector<std::string>& args);
int run_tool(const std::vector<std::string>& args);
int run_usage(const std::vector<std::string>& args);
int run_index(const std::vector<std::string>& args);
int run_map(const std::vector<std::string>& args);
int run_search(const std::vector<std::string>& args);
int run_gateway(const std::vector<std::string>& args);
int run_sandbox(const std::vector<std::string>& args);
int run_audit(const std::vector<std::string>& args);
int run_trust(const std::vector<std::string>& args);

}  // namespace bastion::cli
