#!/usr/bin/env bash
# Localization benchmark for `bastion search` (docs/BENCHMARKS.md, Context
# engine). Materialises each instance's base commit (no .git) from local
# mirrors, then scores cold runs: every command gets an empty cache dir, so
# the index is built inside the measured command.
#   bench/localize.sh BASTION_BIN [DATA.jsonl] [WORK_DIR] [MIRRORS_DIR]
# MIRRORS_DIR holds owner+name/repo git dirs (the search tool's `fetch`).
set -euo pipefail
BIN=$(realpath "${1:?usage: localize.sh BASTION_BIN [DATA] [WORK] [MIRRORS]}")
DATA=$(realpath "${2:-/work/shared/bench/localize-dev.jsonl}")
WORK=${3:-/work/bench-data/localize}
MIRRORS=${4:-/work/.mirror}
SCORE=$(dirname "$DATA")/score.py
mkdir -p "$WORK"
python3 - "$DATA" "$WORK" "$MIRRORS" <<'PY'
import json, os, subprocess, sys
data, work, mirrors = sys.argv[1:4]
ids = []
for line in open(data):
    d = json.loads(line)
    ids.append(d["instance_id"])
    dst = os.path.join(work, d["instance_id"])
    if os.path.isdir(dst):
        continue
    git_dir = os.path.join(mirrors, d["repo"].replace("/", "+"), "repo")
    os.makedirs(dst)
    subprocess.run(f"git --git-dir={git_dir} archive {d['base_commit']} | tar -x -C {dst}",
                   shell=True, check=True)
open(os.path.join(work, "instances.txt"), "w").write("\n".join(ids) + "\n")
PY
cd "$(mktemp -d)"
python3 "$SCORE" --name bastion-search --data "$DATA" --work "$WORK" \
  --instances "$WORK/instances.txt" \
  --cmd "XDG_CACHE_HOME=\$(mktemp -d) $BIN search --files -k 20 -"
