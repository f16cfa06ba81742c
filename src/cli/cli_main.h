// Top-level command dispatch: `bastion [flags]` (interactive or -p headless)
// and `bastion SUBCOMMAND ...` (doctor, tool, sessions, files, search, ...).
#pragma once

namespace bastion::cli {

int cli_main(int argc, char** argv);

}  // namespace bastion::cli
