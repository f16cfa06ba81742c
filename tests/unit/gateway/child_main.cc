// When this test binary is re-executed with BASTION_GW_CHILD_CONFIG set, it
// becomes a gateway server (`bastion gateway --config $X serve`) instead of
// running tests; see child_gateway.h.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "gateway/admin.h"

namespace {

const bool kIsChild = [] {
  const char* config = std::getenv("BASTION_GW_CHILD_CONFIG");
  if (!config) return false;
  int rc = bastion::gateway::run_gateway_command({"--config", config, "serve"}, std::cout, std::cerr);
  std::cout.flush();
  _exit(rc);
}();

}  // namespace
