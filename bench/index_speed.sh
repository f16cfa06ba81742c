#!/usr/bin/env bash
# Context-engine speed (issue 5 targets, docs/BENCHMARKS.md): cold index
# build, warm `search --files -k 5` CLI wall time, and the CLI wall time of a
# search right after one file was edited (refresh + query), on one tree.
#
# usage: bench/index_speed.sh BASTION_BIN TREE [QUERY] [EDIT_FILE] [RUNS]
#   EDIT_FILE (repo-relative) gets one line appended and removed again.
set -euo pipefail
BIN=$(realpath "${1:?usage: index_speed.sh BASTION_BIN TREE [QUERY] [EDIT_FILE] [RUNS]}")
TREE=$(realpath "${2:?tree}")
QUERY=${3:-"groupby trailing whitespace"}
EDIT=${4:-}
RUNS=${5:-7}
CACHE=$(mktemp -d)
export XDG_CACHE_HOME=$CACHE
trap 'rm -rf "$CACHE"' EXIT
cd "$TREE"

ms() {  # wall ms of "$@"
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo $(( (t1 - t0) / 1000000 ))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)] " (min " a[1] ", max " a[NR] ")"}'; }

echo "tree: $TREE ($("$BIN" files . | wc -l) files), cores: $(nproc), load: $(cut -d' ' -f1 /proc/loadavg)"
echo "cold index build: $(ms "$BIN" index .) ms"
"$BIN" search --files -k 5 "$QUERY" >/dev/null  # settle
echo "warm search --files -k 5, median of $RUNS: $(for _ in $(seq "$RUNS"); do ms "$BIN" search --files -k 5 "$QUERY"; done | median) ms"
if [ -n "$EDIT" ]; then
  cp "$EDIT" "$CACHE/orig"
  times=()
  for i in $(seq "$RUNS"); do
    echo "# edit $i" >>"$EDIT"
    times+=("$(ms "$BIN" search --files -k 5 "$QUERY")")
  done
  cp "$CACHE/orig" "$EDIT"
  echo "search right after editing $EDIT, median of $RUNS: $(printf '%s\n' "${times[@]}" | median) ms"
fi
