#!/usr/bin/env bash
# Fetches the tree-sitter core C sources and the grammars Bastion's index
# uses from npm (`npm pack`, which never runs install scripts) into DEST,
# normally <build dir>/_deps/treesitter. Nothing fetched is committed.
# Idempotent: a stamp file names the pinned versions, so a second run with
# the same pins costs nothing and never touches the network.
set -euo pipefail
DEST=${1:?usage: fetch_treesitter.sh DEST}
# name@version pairs; "core" is the tree-sitter runtime (vendored lib.c).
PINS=(
  tree-sitter@0.25.1
  tree-sitter-c@0.24.1
  tree-sitter-cpp@0.23.4
  tree-sitter-python@0.25.0
  tree-sitter-javascript@0.25.0
  tree-sitter-typescript@0.23.2
  tree-sitter-go@0.25.0
  tree-sitter-rust@0.24.0
  tree-sitter-java@0.23.5
)
STAMP="$DEST/.stamp"
WANT="${PINS[*]}"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then exit 0; fi
command -v npm >/dev/null || { echo "fetch_treesitter: npm is required (scripts/install_deps.sh)" >&2; exit 1; }
mkdir -p "$DEST/tgz"
for pin in "${PINS[@]}"; do
  name=${pin%@*}
  out="$DEST/$name"
  tgz=$(ls "$DEST/tgz/$name-${pin##*@}.tgz" 2>/dev/null || true)
  if [ -z "$tgz" ]; then
    (cd "$DEST/tgz" && npm pack --silent "$pin" >/dev/null)
    tgz="$DEST/tgz/$name-${pin##*@}.tgz"
  fi
  rm -rf "$out" && mkdir -p "$out"
  tar -xzf "$tgz" -C "$out" --strip-components=1
done
echo "$WANT" > "$STAMP"
