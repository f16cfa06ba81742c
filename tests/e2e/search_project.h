// The small committed project the index-server e2e tests search: one module
// holds the query's words ("parse config file error"), three others don't.
#pragma once

#include "harness.h"

namespace bastion::e2e {

inline bool write_search_project(TempWorkspace& ws) {
  ws.write("src/config_parser.py",
           "def parse_config_file(path):\n    \"\"\"Parse the config file.\"\"\"\n"
           "    raise ConfigError('bad config file')\n");
  ws.write("src/widgets.py", "class Widget:\n    def render(self):\n        return 'widget'\n");
  ws.write("src/net.py", "def fetch(url):\n    return url\n");
  ws.write("README.md", "A small project.\n");
  return ws.git_commit_all();
}

}  // namespace bastion::e2e
