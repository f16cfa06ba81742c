#!/usr/bin/env bash
# Compares the `grep` tool's wall time with ripgrep's on the same patterns
# and tree (issue 5 target: grep tool <= 0.8x rg). After one warm-up each,
# the two commands run RUNS times interleaved (rg, tool, tool, rg, ...), so
# a load change on this shared box hits both alike; the median wall time
# and the median CPU time (user + sys) of each are reported, with the load
# average before and after.
#
# usage: bench/grep_bench.sh [BASTION_BIN] [TREE] [RUNS]
#   defaults: build/bin/bastion, /usr/include, 5
set -euo pipefail
BIN=${1:-build/bin/bastion}
TREE=${2:-/usr/include}
RUNS=${3:-5}
command -v rg >/dev/null || { echo "ripgrep (rg) is required: apt-get install ripgrep" >&2; exit 1; }
[ -x "$BIN" ] || { echo "no bastion binary at $BIN" >&2; exit 1; }

TIMEFORMAT='%R %U %S'
timed() {  # prints "wall_ms cpu_ms" of one run of "$@"
  local t
  t=$({ time "$@" >/dev/null 2>&1; } 2>&1 | tail -1) || true
  awk -v w="${t%% *}" -v r="${t#* }" 'BEGIN{split(r, c, " "); printf "%d %d\n", w*1000, (c[1]+c[2])*1000}'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

files=$("$BIN" files "$TREE" | wc -l)
echo "tree: $TREE ($files files), runs: $RUNS interleaved, cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-30s %-18s %7s %8s %6s %7s %8s\n' pattern mode "rg ms" "tool ms" ratio "rg cpu" "tool cpu"

bench() {  # pattern mode rg-flags [extra tool json]
  local pat=$1 mode=$2 rgflags=$3 extra=${4:-}
  local json
  json=$(printf '{"pattern":%s,"output_mode":"%s"%s}' "$(printf '%s' "$pat" | python3 -c 'import json,sys;print(json.dumps(sys.stdin.read()))')" "$mode" "$extra")
  local rg=(rg $rgflags -e "$pat" "$TREE") tool=("$BIN" tool grep "$json" -w "$TREE" --sandbox off)
  "${rg[@]}" >/dev/null 2>&1 || true
  "${tool[@]}" >/dev/null 2>&1 || true
  local rg_t=() tool_t=()
  for i in $(seq "$RUNS"); do
    if (( i % 2 )); then
      rg_t+=("$(timed "${rg[@]}")"); tool_t+=("$(timed "${tool[@]}")")
    else
      tool_t+=("$(timed "${tool[@]}")"); rg_t+=("$(timed "${rg[@]}")")
    fi
  done
  local rw tw rc tc
  rw=$(printf '%s\n' "${rg_t[@]}" | cut -d' ' -f1 | median)
  tw=$(printf '%s\n' "${tool_t[@]}" | cut -d' ' -f1 | median)
  rc=$(printf '%s\n' "${rg_t[@]}" | cut -d' ' -f2 | median)
  tc=$(printf '%s\n' "${tool_t[@]}" | cut -d' ' -f2 | median)
  printf '%-30s %-18s %7s %8s %6s %7s %8s\n' "$pat" "$mode" "$rw" "$tw" \
    "$(awk -v a="$tw" -v b="$rw" 'BEGIN{printf "%.2f", a/b}')" "$rc" "$tc"
}

bench 'PROT_READ' files_with_matches -l
bench 'xyzzy_no_such_token' files_with_matches -l
bench '(malloc|calloc|realloc)\s*\(' files_with_matches -l
bench 'mutex' count '-c -i' ',"-i":true'
bench '^#define\s+[A-Z_]+_H\b' content -n
bench '\bstatic\s+inline\b' files_with_matches -l
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
