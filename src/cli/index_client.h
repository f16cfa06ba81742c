// The `bastion search` side of the index server (index_server.h): finds the
// server of the repository being searched through the socket path derived
// from its index database, sends it the command's arguments and stdin, and
// returns what the server's search printed. Any trouble (no server, a stale
// socket, a refusal, a server dying mid-answer) yields nothing, and the
// caller searches in-process exactly as it would without a server.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/search_command.h"

namespace bastion::cli {

// True when servers are not to be used: --no-server or
// BASTION_INDEX_SERVER=0/off.
bool index_server_disabled(const SearchArgs& parsed);

// `args` are the raw arguments after `search`, `parsed` their parse and
// `stdin_text` the query read from stdin (when QUERY is `-`). Nothing is
// asked when BASTION_INDEX_SERVER=0 or --no-server, or when the repository
// has dense vectors (embeddings configuration belongs to the caller's
// environment, so such searches stay in-process).
std::optional<CommandOutput> search_via_server(const SearchArgs& parsed,
                                               const std::vector<std::string>& args,
                                               const std::string& stdin_text);

}  // namespace bastion::cli
