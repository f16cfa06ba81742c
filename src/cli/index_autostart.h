// Starting an index server (index_server.h) without being asked, the way
// git's fsmonitor daemon starts itself: when `bastion search` found no live
// server and searched a big repository in-process (walking and stat-ing the
// whole tree), it leaves `bastion index --serve --idle-exit 600 ROOT`
// running, detached, for the searches that follow, and says so on stderr.
// The server exits by itself after 10 idle minutes.
//
// Environment: BASTION_INDEX_SERVER=0/off (or --no-server) turns this off
// along with asking a server; BASTION_INDEX_AUTOSERVE_FILES=N replaces the
// 20,000-file threshold; BASTION_INDEX_SERVER_LOG=FILE makes the started
// server log each request (-v) to FILE instead of discarding its output
// (for tests and diagnostics).
#pragma once

#include <cstddef>
#include <string>

#include "cli/search_command.h"

namespace bastion::cli {

// The number of indexed files from which a search starts a server.
size_t autoserve_threshold();

// Called after an in-process search of the repository at `root` whose index
// holds `files` files. Starts a detached server when auto-start is enabled,
// `files` reaches the threshold, the repository has no dense vectors and no
// server holds the index's lock; then prints one line on stderr. Never
// waits for the server and never fails: a server that cannot be started
// costs at most one stderr line.
void maybe_autostart_index_server(const SearchArgs& parsed, const std::string& root, size_t files);

}  // namespace bastion::cli
