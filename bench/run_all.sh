#!/usr/bin/env bash
# `make bench`: every benchmark that needs no downloaded data, in one go,
# against the Release build in build/ (docs/BENCHMARKS.md has each one's
# figures and what they mean). All traffic stays on 127.0.0.1.
#
#   bench/run_all.sh            # everything below
#   BENCH_SKIP="gateway tui" bench/run_all.sh
#
# Left out because they need data fetched first: bench/localize.sh
# (SWE-bench checkouts), the 100k-file index figures (bench/make_index_tree.sh
# then bench/index_speed.sh and build/bin/index_bench on that tree).
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=build/bin
SKIP=" ${BENCH_SKIP:-} "
failed=()

step() {  # step NAME CMD...
  local name=$1
  shift
  if [[ "$SKIP" == *" $name "* ]]; then
    echo "== $name: skipped (BENCH_SKIP)"
    return
  fi
  echo "== $name: $*"
  "$@" || failed+=("$name")
}

step startup python3 bench/measure.py --runs 20
step first-request bench/first_request_tokens.sh
step task-tokens bench/task_tokens.sh
step grep bench/grep_bench.sh "$BIN/bastion" /usr/include 3
# The index on a copy of this repository (the edit benchmark appends to a
# file): warm and after-edit search in a long-lived process (watched) and
# with a full walk per query, as a one-shot CLI call does.
if [ -x "$BIN/index_bench" ]; then
  scratch=$(mktemp -d)
  mkdir "$scratch/tree" "$scratch/cache"
  git archive HEAD | tar -x -C "$scratch/tree"
  step index env XDG_CACHE_HOME="$scratch/cache" BASTION_BENCH_TREE="$scratch/tree" \
    BASTION_BENCH_EDIT=README.md BASTION_BENCH_QUERY="retry after backoff on 429" \
    "$BIN/index_bench" --benchmark_min_time=1
  rm -rf "$scratch"
else
  echo "== index: skipped (build/bin/index_bench not built: libbenchmark-dev missing?)"
fi
step tui python3 bench/tui_bench.py "$BIN/bastion" "$BIN/fake_model_server"
step gateway bench/gateway_bench.sh

if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
echo "all benchmarks ran"
