// Repository trust: a repository's own configuration (.bastion/settings*.json,
// .bastion/hooks*, .claude/settings*.json, .mcp.json, .env*) takes no effect
// until the user trusts that repository, because a cloned repo must not be
// able to run hooks or MCP servers, set env, or redirect API traffic
// (CVE-2025-59536, CVE-2025-61260, CVE-2026-21852).
//
// Trust is recorded in data_dir()/trust.json per resolved real path, with a
// SHA-256 over the trust-relevant files; any change to them (content, a new
// file, a removed one) makes the repository untrusted again until the user
// re-confirms. Even a trusted repository can never set where API keys go
// (is_repo_settable_key).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/json.h"
#include "util/result.h"

namespace bastion::policy {

struct TrustState {
  std::string repo;                 // resolved real path of the repo root
  bool trusted = false;             // repo config may take effect
  bool recorded = false;            // the user trusted it at some point
  bool changed_since_trust = false; // recorded, but the files changed since
  std::vector<std::string> files;   // trust-relevant files present (relative)
  std::string hash;                 // SHA-256 over those files, "" when none
  std::string trusted_hash;         // hash recorded at trust time
};

// Trust-relevant files under `repo_root`, sorted, relative to it.
std::vector<std::string> trust_relevant_files(const std::string& repo_root);

// `store_path` defaults to fs::data_dir() + "/trust.json". A repository with
// no trust-relevant files is trusted (there is nothing to gate); the moment
// one appears the hash differs and the user is asked again.
TrustState check_repo_trust(const std::string& repo_root, const std::string& store_path = "");

// Records trust for the repository's current files (atomic write).
Result<TrustState> trust_repo(const std::string& repo_root, const std::string& store_path = "");

// Forgets the repository. Not an error when it was never trusted.
Status revoke_repo_trust(const std::string& repo_root, const std::string& store_path = "");

// False for configuration keys a repository file may never set, trusted or
// not: anything that chooses where model traffic and API keys go (base URLs,
// providers, API keys and key helpers, proxies, CA bundles, TLS switches),
// where Bastion reads its config and state (config/data dirs, XDG_*, HOME),
// and switches that weaken enforcement (sandbox, permission mode). `key` is
// a dotted path, e.g. "providers.work.base_url" or "env.BASTION_BASE_URL".
bool is_repo_settable_key(std::string_view key);

// False for environment variables a repository (.env, settings "env") may
// never set: BASTION_*, XDG_*, HOME, PATH, LD_*, proxies, CA bundles,
// provider keys and base URLs (*_API_KEY, *_BASE_URL, OPENAI_*, ...), GIT_*.
bool is_repo_settable_env(std::string_view name);

// The part of a repository settings document that may take effect. When
// untrusted, only restrictions survive (permissions.deny / permissions.ask);
// when trusted, everything except never-settable keys. Dropped keys are
// appended to `ignored` as dotted paths (for the stderr notice).
Json filter_repo_settings(const Json& settings, bool trusted, std::vector<std::string>* ignored);

// One line for stderr when an untrusted repository's config is ignored:
// "bastion: ignoring repository config in /r (.mcp.json, .env): the
// repository is not trusted; run `bastion trust /r` to allow it".
std::string untrusted_notice(const TrustState& state);

}  // namespace bastion::policy
