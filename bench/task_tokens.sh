#!/usr/bin/env bash
# Total tokens of a scripted multi-step task (search, read, test, edit, test,
# fix, test, answer): every request Bastion sends is counted with the Qwen3
# tokenizer as a Qwen3 server renders it (chat template, tool calls and tool
# results included), so changes to prompts, tool output or pruning show up
# as a number to compare over time (docs/BENCHMARKS.md, Token economics).
#
#   bench/task_tokens.sh
#
# The fake model server on 127.0.0.1 plays the model; BASTION_BIN and
# FAKE_SERVER_BIN override the binaries.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/bastion-tasktok-XXXXXX)"
. "$ROOT/bench/fake_run_lib.sh"
require_binaries
ensure_tokenizer
trap 'stop_fake_server; rm -rf "$WORK"' EXIT

P="$WORK/project"
mkdir -p "$P/app"
cat > "$P/app/greet.py" <<'PY'
"""Greetings shown on the welcome page."""


def greet(name):
    return "Hello " + name


def farewell(name):
    return "Goodbye, " + name + "."
PY
cat > "$P/test_greet.py" <<'PY'
from app.greet import greet, farewell

assert farewell("Ann") == "Goodbye, Ann.", farewell("Ann")
assert greet("Ann") == "Hello, Ann!", greet("Ann")
print("ok")
PY
touch "$P/app/__init__.py"
for m in users orders billing search storage; do
  printf '"""%s service."""\n\n\ndef list_%s(db):\n    return db.query("%s")\n' "$m" "$m" "$m" > "$P/app/$m.py"
done
git -C "$P" init -q 2>/dev/null || true

cat > "$WORK/scenario.json" <<'JSON'
{"models": ["bench-model"], "turns": [
 {"reply": {"tool_calls": [{"name": "search", "arguments": {"query": "greeting shown to the user greet"}}]}},
 {"reply": {"tool_calls": [{"name": "read", "arguments": {"path": "app/greet.py"}}]}},
 {"reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "python3 test_greet.py"}}]}},
 {"reply": {"tool_calls": [{"name": "edit", "arguments": {"path": "app/greet.py",
   "old_string": "return \"Hello \" + name", "new_string": "return \"Hello, \" + name"}}]}},
 {"reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "python3 test_greet.py"}}]}},
 {"reply": {"tool_calls": [{"name": "edit", "arguments": {"path": "app/greet.py",
   "old_string": "return \"Hello, \" + name", "new_string": "return f\"Hello, {name}!\""}}]}},
 {"reply": {"tool_calls": [{"name": "bash", "arguments": {"command": "python3 test_greet.py"}}]}},
 {"reply": {"text": "Fixed greet() in app/greet.py: it now returns \"Hello, NAME!\" and the test passes."}}]}
JSON
start_fake_server "$WORK/scenario.json"
run_bastion "$P" -p "The welcome page greeting is wrong: test_greet.py fails. Fix it." \
  --permission-mode bypassPermissions --output-format json
request_bodies "$WORK/bodies"
for f in "$WORK"/bodies/*.json; do node "$CACHE/qwen3_request_tokens.mjs" "$f"; done > "$WORK/counts.jsonl"
python3 - "$WORK/counts.jsonl" "$WORK/out.txt" <<'PY'
import json, sys
counts = [json.loads(l) for l in open(sys.argv[1])]
result = json.loads(open(sys.argv[2]).read())
print("| request | Qwen3 tokens | of which messages |")
print("|---|---|---|")
for i, c in enumerate(counts, 1):
    print(f"| {i} | {c['total']:,} | {c['messages']:,} |")
total = sum(c["total"] for c in counts)
print(f"| **all {len(counts)} requests** | **{total:,}** | {sum(c['messages'] for c in counts):,} |")
print(f"\nfinal answer: {result.get('result', '')!r}; num_turns {result.get('num_turns')}, is_error {result.get('is_error')}")
PY
