#!/usr/bin/env bash
# Compares the `grep` tool's wall time with ripgrep's on the same patterns
# and tree (issue 5 target: grep tool <= 0.8x rg). Each command runs RUNS
# times after one warm-up; the median wall time is reported.
#
# usage: bench/grep_bench.sh [BASTION_BIN] [TREE] [RUNS]
#   defaults: build/bin/bastion, /usr/include, 5
set -euo pipefail
BIN=${1:-build/bin/bastion}
TREE=${2:-/usr/include}
RUNS=${3:-5}
command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install ripgrep" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no bastion binary at $BIN" >&2; exit 1; }

now_ms() { date +%s%N | awk '{printf "%.1f", $1/1000000}'; }

median_ms() {  # median wall ms of "$@" over RUNS runs (after one warm-up)
  "$@" >/dev/null 2>&1 || true
  local times=()
  for _ in $(seq "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'
}

files=$("$BIN" files "$TREE" | wc -l)
echo "tree: $TREE ($files files), runs: $RUNS, cores: $(nproc)"
printf '%-34s %-8s %10s %10s %7s\n' pattern mode "rg ms" "tool ms" ratio

bench() {  # pattern mode rg-flags [extra tool json]
  local pat=$1 mode=$2 rgflags=$3 extra=${4:-}
  local json
  json=$(printf '{"pattern":%s,"output_mode":"%s"%s}' "$(printf '%s' "$pat" | python3 -c 'import json,sys;print(json.dumps(sys.stdin.read()))')" "$mode" "$extra")
  local rg_ms tool_ms
  rg_ms=$(median_ms rg $rgflags -e "$pat" "$TREE")
  tool_ms=$(median_ms "$BIN" tool grep "$json" -w "$TREE" --sandbox off)
  printf '%-34s %-8s %10s %10s %7s\n' "$pat" "$mode" "$rg_ms" "$tool_ms" \
    "$(awk -v a="$tool_ms" -v b="$rg_ms" 'BEGIN{printf "%.2f", a/b}')"
}

bench 'PROT_READ' files_with_matches -l
bench 'xyzzy_no_such_token' files_with_matches -l
bench '(malloc|calloc|realloc)\s*\(' files_with_matches -l
bench 'mutex' count '-c -i' ',"-i":true'
bench '^#define\s+[A-Z_]+_H\b' content -n
bench '\bstatic\s+inline\b' files_with_matches -l
