// Factories for the core tools, one .cc file each (read_tool.cc, ...).
// make_core_registry() registers them in this order; tests build them one
// at a time.
#pragma once

#include <memory>

#include "tools/tool.h"

namespace bastion::tools {

std::unique_ptr<Tool> make_read_tool();
std::unique_ptr<Tool> make_write_tool();
std::unique_ptr<Tool> make_edit_tool();
std::unique_ptr<Tool> make_glob_tool();
std::unique_ptr<Tool> make_grep_tool();
std::unique_ptr<Tool> make_bash_tool();
std::unique_ptr<Tool> make_todo_tool();

}  // namespace bastion::tools
