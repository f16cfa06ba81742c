// `bastion gateway ...`: forwards to the gateway module (src/gateway/admin.h).
#include <iostream>

#include "cli/subcommands.h"
#include "gateway/admin.h"

namespace bastion::cli {

int run_gateway(const std::vector<std::string>& args) {
  return gateway::run_gateway_command(args, std::cout, std::cerr);
}

}  // namespace bastion::cli
