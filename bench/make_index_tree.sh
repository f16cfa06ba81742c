#!/usr/bin/env bash
# Builds the context-engine benchmark trees (docs/BENCHMARKS.md, issue 5)
# from what this machine has installed: OUT/big (~99k files: /usr/include,
# every pyenv Python install and /usr/lib/python3{,.11} without .pyc/.so,
# perl, the global node_modules, Free Pascal sources, cmake and vim runtime
# files, typescript 5.6.3's npm package; `git init`, nothing committed) and
# OUT/small (every 10th file of big, for quick iteration). Never commit them.
#
# usage: bench/make_index_tree.sh [OUT]   (default /work/bench-data/idx)
set -euo pipefail
OUT=${1:-/work/bench-data/idx}
BIG=$OUT/big SMALL=$OUT/small
rm -rf "$BIG" "$SMALL"
mkdir -p "$BIG" "$SMALL"
copy() {  # SRC DEST: regular files only, no bytecode or shared objects
  [ -d "$1" ] || return 0
  mkdir -p "$BIG/$2"
  (cd "$1" && find . -type f ! -name '*.pyc' ! -name '*.so' ! -name '*.so.*' \
     ! -path '*/__pycache__/*' -print0 | tar --null -T - -cf -) | tar -xf - -C "$BIG/$2"
}
copy /usr/include include
for v in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*; do copy "$v" "pyenv/$(basename "$v")"; done
copy /usr/lib/python3 python3
copy /usr/lib/python3.11 python3.11
copy /usr/share/perl perl/share
copy /usr/share/perl5 perl/share5
copy /usr/lib/x86_64-linux-gnu/perl perl/lib
copy /usr/lib/x86_64-linux-gnu/perl-base perl/base
copy /usr/lib/node_modules node_modules
copy /usr/share/fpcsrc fpcsrc
copy /usr/share/cmake-3.25 cmake
copy /usr/share/vim vim
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
(cd "$TMP" && npm pack --silent typescript@5.6.3 >/dev/null)
mkdir -p "$BIG/typescript" && tar -xzf "$TMP"/typescript-5.6.3.tgz -C "$BIG/typescript"
(cd "$BIG" && find . -type f | sort | awk 'NR % 10 == 0' | tar -T - -cf -) | tar -xf - -C "$SMALL"
(cd "$BIG" && git init -q) && (cd "$SMALL" && git init -q)
echo "big: $(find "$BIG" -type f -not -path '*/.git/*' | wc -l) files, small: $(find "$SMALL" -type f -not -path '*/.git/*' | wc -l) files"
