#!/usr/bin/env bash
# Installs the Debian packages Bastion needs to build and test. Idempotent:
# packages already present are skipped, so a second run costs ~0.1 s.
set -euo pipefail
PKGS=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libsqlite3-dev sqlite3
  libtomlplusplus-dev libpcre2-dev libseccomp-dev bubblewrap
  libutf8proc-dev libxxhash-dev libsimdjson-dev libhnswlib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  libboost-dev libboost-system-dev libpq-dev postgresql
  tmux python3 iproute2
  chromium  # headless browser: tests/e2e/usage_html_test.cc renders the usage report
)
# Node.js/npm fetch tree-sitter grammars and tokenizer data at build time.
# Some machines carry NodeSource's nodejs (which bundles npm and conflicts
# with Debian's npm), so only ask apt for them when the command is absent.
command -v npm >/dev/null 2>&1 || PKGS+=(nodejs npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing: ${missing[*]}" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
