#include "cli/cli_main.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/subcommands.h"

namespace bastion::cli {

int run_agent_command(int argc, char** argv);  // agent_command.cc

static void print_help() {
  std::printf(
      "bastion %s: a self-hosted agentic coding assistant\n\n"
      "usage: bastion [flags]                 interactive session\n"
      "       bastion -p PROMPT [flags]       headless run until a final answer\n"
      "       bastion SUBCOMMAND [args]\n\nsubcommands:\n",
      BASTION_VERSION);
  for (auto& sc : subcommands()) std::printf("  %-10s %s\n", sc.name, sc.summary);
  std::printf("\nrun `bastion --help-flags` for agent flags.\n");
}

int cli_main(int argc, char** argv) {
  if (argc >= 2) {
    std::string first = argv[1];
    if (first == "--version" || first == "-v" || first == "version") {
      std::printf("bastion %s\n", BASTION_VERSION);
      return kExitOk;
    }
    if (first == "--help" || first == "-h" || first == "help") {
      print_help();
      return kExitOk;
    }
    for (auto& sc : subcommands()) {
      if (first == sc.name) {
        std::vector<std::string> args(argv + 2, argv + argc);
        return sc.run(args);
      }
    }
  }
  return run_agent_command(argc, argv);
}

}  // namespace bastion::cli
