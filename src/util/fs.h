// Filesystem helpers: whole-file reads, atomic writes, and path resolution
// that follows symlinks and `..` so permission checks see the real target.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace bastion::fs {

// Reads a whole file. kNotFound if it does not exist, kIo on other failures.
Result<std::string> read_file(const std::string& path);

// Writes via a temp file in the same directory, fsync, then rename, so a
// crash leaves either the old or the new content, never a torn file.
// Keeps the existing file's permission bits. Creates parent directories.
Status write_file_atomic(const std::string& path, std::string_view content);

// Appends to a file (creating it), with O_APPEND semantics.
Status append_file(const std::string& path, std::string_view content);

bool exists(const std::string& path);
bool is_directory(const std::string& path);
Status make_dirs(const std::string& path);

// Absolute, lexically normalised path (no symlink resolution). Relative
// paths are taken against `base`.
std::string absolute(const std::string& path, const std::string& base);

// Resolves symlinks and `..` for the longest existing prefix, then appends
// the (normalised) non-existing remainder. Works for files about to be
// created. Always absolute.
std::string resolve_real(const std::string& path, const std::string& base);

// True when `path` equals `root` or lies beneath it (both already resolved).
bool is_within(const std::string& path, const std::string& root);

// `path` relative to `root` when within it, else `path` unchanged.
std::string relative_to(const std::string& path, const std::string& root);

// The user's home directory ($HOME, else the passwd entry).
std::string home_dir();

// XDG base directories for Bastion: $XDG_CONFIG_HOME/bastion (default
// ~/.config/bastion), $XDG_DATA_HOME/bastion (~/.local/share/bastion),
// $XDG_CACHE_HOME/bastion (~/.cache/bastion), $XDG_STATE_HOME/bastion.
std::string config_dir();
std::string data_dir();
std::string cache_dir();
std::string state_dir();

// Nearest ancestor of `dir` (inclusive) holding a `.git` entry, or "".
std::string find_git_root(const std::string& dir);

}  // namespace bastion::fs
