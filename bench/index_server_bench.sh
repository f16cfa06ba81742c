#!/usr/bin/env bash
# Times one-shot `bastion search` calls answered by `bastion index --serve`
# (the watched index, no tree walk per call) against the same calls run
# in-process (BASTION_INDEX_SERVER=0: every call walks and stats the tree),
# on a big tree whose index was built beforehand:
#
#   XDG_CACHE_HOME=/tmp/srvcache build/bin/bastion index /work/bench-data/idx/big
#   bench/index_server_bench.sh [BIN] [TREE]
#
# Env: N (served calls, 20), N_INPROC (in-process calls, 5), QUERY, EDIT (a
# file under TREE: one search is timed after appending a newline to it, one
# after truncating it back), XDG_CACHE_HOME (/tmp/srvcache). Also times 20
# different queries asked once each. Prints median
# and p90 wall in ms (and the server's own share) and checks the served output equals the in-process one.
set -euo pipefail
BIN=$(realpath "${1:-build/bin/bastion}")
TREE=$(realpath "${2:-/work/bench-data/idx/big}")
export N=${N:-20} N_INPROC=${N_INPROC:-5}
export QUERY=${QUERY:-parse config file error}
export EDIT=${EDIT:-pyenv/3.13.0/lib/python3.13/sysconfig/__init__.py}
export XDG_CACHE_HOME=${XDG_CACHE_HOME:-/tmp/srvcache}
unset BASTION_INDEX_SERVER

LOG=$(mktemp /tmp/index_server_bench.XXXXXX)
"$BIN" index --serve -v "$TREE" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 1 1200); do
  grep -q "serving" "$LOG" && break
  kill -0 $SERVER 2>/dev/null || { cat "$LOG"; exit 1; }
  sleep 0.1
done
grep "serving" "$LOG" | head -1 || { echo "server not ready after 120 s"; cat "$LOG"; exit 1; }

python3 - "$BIN" "$TREE" "$LOG" <<'EOF'
import os, re, statistics, subprocess, sys, time
bin_, tree, log = sys.argv[1], sys.argv[2], sys.argv[3]
query, edit = os.environ["QUERY"], os.path.join(tree, os.environ["EDIT"])
args = [bin_, "search", "--files", "-k", "5", query]

def run(env_extra=None, q=None):
    env = dict(os.environ, **(env_extra or {}))
    t = time.perf_counter()
    p = subprocess.run(args[:-1] + [q or query], cwd=tree, env=env, capture_output=True)
    ms = (time.perf_counter() - t) * 1000
    assert p.returncode == 0, p.stderr
    return ms, p.stdout

def stats(name, times):
    s = sorted(times)
    p90 = s[min(len(s) - 1, int(round(0.9 * (len(s) - 1))))]
    print(f"{name}: n={len(s)} median {statistics.median(s):.1f} ms"
          f"  p90 {p90:.1f} ms  min {s[0]:.1f}  max {s[-1]:.1f}")

run()  # first answer after start-up
served = [run() for _ in range(int(os.environ["N"]))]
stats("served (bastion index --serve)", [t for t, _ in served])
# The server's own time per answer (read request, refresh, rank, reply), from its -v log.
inside = [float(m) for m in re.findall(r" in ([0-9.]+) ms", open(log).read())][-len(served):]
stats("  of which inside the server", inside)
# Twenty different questions, each asked once: what a warm server sees
# from a developer or an agent, rather than one query repeated.
distinct = ["json decoder error on invalid utf-8", "socket timeout when connecting",
            "asyncio event loop already running", "unicode normalization of file names",
            "ssl certificate verification failed", "argparse subcommand help formatting",
            "sqlite3 database is locked", "datetime timezone offset parsing",
            "logging handler rotating file size", "multiprocessing pool pickling lambda",
            "http cookie expiry date", "xml parser entity expansion",
            "zipfile extract path traversal", "email header encoding non ascii",
            "csv writer quoting newline", "tarfile symlink member extraction",
            "decimal rounding half even context", "shutil copytree ignore patterns",
            "subprocess pipe deadlock large output", "struct pack alignment native"]
timed = [run(q=q) for q in distinct]
stats("served, 20 distinct queries once each", [t for t, _ in timed])
inside_distinct = [float(m) for m in re.findall(r" in ([0-9.]+) ms", open(log).read())][-len(timed):]
stats("  of which inside the server", inside_distinct)
for q, (_, out) in list(zip(distinct, timed))[:3]:
    assert out == run({"BASTION_INDEX_SERVER": "0"}, q)[1], q
size = os.path.getsize(edit)
with open(edit, "ab") as f:
    f.write(b"\n")
after_edit, _ = run()
os.truncate(edit, size)
after_restore, out_served = run()
print(f"served, right after appending a newline to {os.environ['EDIT']}: {after_edit:.1f} ms;"
      f" after truncating it back: {after_restore:.1f} ms")
inproc = [run({"BASTION_INDEX_SERVER": "0"}) for _ in range(int(os.environ["N_INPROC"]))]
stats("in-process (BASTION_INDEX_SERVER=0)", [t for t, _ in inproc])
same = all(o == out_served for _, o in served + inproc)
print("output identical served vs in-process:", same)
print(out_served.decode(), end="")
sys.exit(0 if same else 1)
EOF
