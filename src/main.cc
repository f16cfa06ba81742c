// Entry point: everything lives in the cli module.
#include "cli/cli_main.h"

int main(int argc, char** argv) { return bastion::cli::cli_main(argc, argv); }
