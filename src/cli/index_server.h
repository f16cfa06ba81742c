// `bastion index --serve [DIR]`: keeps one repository's index open with the
// inotify watcher (IndexOptions::watch) and answers `bastion search` calls
// over a Unix socket, the way git's fsmonitor daemon spares each git command
// its stat of the whole tree. A one-shot search must otherwise walk and stat
// every file before it can trust the index (~0.5 s at 100k files); the
// server refreshes from the watcher's events instead, so each answer is as
// fresh as an in-process search and prints exactly the same bytes
// (search_command.h).
//
// Safety: the socket is 0600 in a directory of the user's (index_socket.h),
// every peer's uid is checked with SO_PEERCRED, a lock file makes a second
// server for the same index refuse to start, a stale socket left by a killed
// server is replaced, and malformed requests get an error reply. It runs in
// the foreground until SIGINT/SIGTERM/SIGHUP, until `idle_exit_seconds`
// pass without a request (a server `bastion search` started itself,
// index_autostart.h), or until the repository root disappears, then removes
// its socket.
#pragma once

#include <string>

namespace bastion::cli {

struct IndexServerOptions {
  std::string dir = ".";      // any directory inside the repository
  bool verbose = false;       // one line on stderr per request
  int idle_exit_seconds = 0;  // exit after this long without a request (0 = never)
};

// Runs the server; returns the process exit code (kExitOk after a signal,
// an idle exit or a vanished root; kExitError when another server holds the
// index or it cannot start).
int run_index_server(const IndexServerOptions& options);

}  // namespace bastion::cli
