// `bastion gateway ...`: the command line of the organization gateway.
//
//   bastion gateway --config FILE serve
//   bastion gateway --config FILE user add NAME [--team T] [--daily-tokens N]
//       [--monthly-usd X] [--models a,b] [--rpm N] [--tpm N]   (key = last line)
//   bastion gateway --config FILE user list [--format table|json]
//   bastion gateway --config FILE user disable|enable|rotate NAME
//   bastion gateway --config FILE usage [--by user|team|model|day|upstream]
//       [--format table|json]
//   bastion gateway --config FILE audit verify
//
// Everything is reached through run_gateway_command so tests can drive it
// in-process; src/cli/cmd_gateway.cc only forwards to it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "gateway/gateway_store.h"

namespace bastion::gateway {

int run_gateway_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage report as JSON: {"users": [{"user", "input_tokens", ...}]} for
// --by user; "teams"/"team", "models"/"model", "days"/"day",
// "upstreams"/"upstream" for the others.
Json usage_json(const std::vector<UsageRow>& rows, const std::string& by);

}  // namespace bastion::gateway
