#!/usr/bin/env bash
# Gateway vs nginx proxy_pass on loopback (docs/BENCHMARKS.md, Gateway).
# The upstream is tests/fake_server (fake_model_server) replaying a scenario
# of identical turns; nginx (Debian nginx-light) proxies to it as the floor.
#   latency  non-streaming: wrk against the upstream directly, through nginx
#            and through `bastion gateway serve` -> p50/p99 and req/s;
#            added latency = proxied - direct.
#   ttfb     streamed completions one at a time, fresh connection each:
#            time to the first SSE byte, direct / nginx / gateway.
#   streams  N concurrent SSE streams held open (bench/gateway_sse_load.py,
#            its own asyncio upstream) through the gateway and through nginx:
#            TTFB under load and RSS of each proxy.
# Usage: bench/gateway_bench.sh [BUILD_DIR] [latency|ttfb|streams|all]
#   env: DURATION=10s CONNS=16 LOW_CONNS="1 4" (extra latency rounds at these
#        connection counts, below saturation; LOW_CONNS= skips them) STREAMS="1000 9900" TTFB_N=500
#        SPLIT_STREAMS="10000" (optional: streams spread over two more gateway
#        processes sharing the one SQLite database, past one process's limit)
#        KEEP=1 (keep the work directory: logs, configs, database)
#        PORT_BASE=18181 (five ports from it, seven with SPLIT_STREAMS; move it when another run holds them;
#        for `streams` keep it below the ephemeral range, /proc/sys/net/ipv4/ip_local_port_range:
#        with PORT_BASE=38181 a split gateway's port was already taken at start-up)
# Use a Release build (cmake -DCMAKE_BUILD_TYPE=Release, targets bastion and
# fake_model_server). The open-files hard limit caps the stream count: each
# gateway stream holds two sockets (client + upstream).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
PART=${2:-all}
BIN=$BUILD/bin/bastion
FAKE=$(ls "$BUILD"/bin/fake_model_server "$BUILD"/tests/fake_server/fake_model_server 2>/dev/null | head -1 || true)
[ -x "$BIN" ] || { echo "no $BIN: build the bastion target first" >&2; exit 2; }
[ -n "$FAKE" ] || { echo "no fake_model_server under $BUILD: build that target first" >&2; exit 2; }
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16}
LOW_CONNS=${LOW_CONNS-"1 4"}
STREAMS=${STREAMS:-"1000 9900"}
TTFB_N=${TTFB_N:-500}
if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light wrk >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
W=$(mktemp -d /tmp/gwbench.XXXXXX)
PIDS=()
cleanup() {
  # `|| true`: under set -e the first failed kill (a fake server that
  # start_fake already replaced) would end the trap and leave the rest running.
  [ -f "$W/nginx.pid" ] && kill "$(cat "$W/nginx.pid")" 2>/dev/null || true
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null
  if [ -n "${KEEP:-}" ]; then echo "# work directory kept: $W" >&2; else rm -rf "$W"; fi
  true
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"
echo "# $(date -u +%FT%TZ) $(uname -srm), $(nproc) cores, $(awk '/model name/{$1=$2=$3="";print;exit}' /proc/cpuinfo | sed 's/^ *//'), open files $(ulimit -n)"
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
PB=${PORT_BASE:-18181}
UP=$PB; NG=$((PB + 1)); GW=$((PB + 2)); SSE=$((PB + 3)); NGSSE=$((PB + 4))

# Fake upstream: identical turns, enough for one target's run (the server
# answers 500 once they run out; wrk then reports Non-2xx). Restarted fresh
# for every target.
python3 - "$W/scenario.json" "${TURNS:-250000}" <<'PY'
import json, sys
turn = {"reply": {"text": "Hello!", "usage": {"prompt_tokens": 21, "completion_tokens": 3}}}
json.dump({"models": ["m1"], "turns": [turn] * int(sys.argv[2])}, open(sys.argv[1], "w"))
PY
start_fake() {
  [ -n "${FAKE_PID:-}" ] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  rm -f "$W/up.port"
  "$FAKE" --scenario "$W/scenario.json" --port-file "$W/up.port" --log /dev/null --port $UP & FAKE_PID=$!; PIDS+=($FAKE_PID)
  for i in $(seq 1200); do [ -s "$W/up.port" ] && return 0; sleep 0.1; done
  echo "fake_model_server did not start" >&2; exit 1
}
start_fake

cat > "$W/nginx.conf" <<NGX
worker_processes 1;
worker_rlimit_nofile $(ulimit -n);
pid $W/nginx.pid;
error_log $W/nginx.err;
# Twice the descriptors: nginx preallocates one slot per connection and ran
# out of slots ("worker_connections are not enough") at 9,374 streams with
# as many slots as descriptors.
events { worker_connections $((2 * $(ulimit -n))); }
http {
  access_log off;
  client_body_temp_path $W; proxy_temp_path $W; fastcgi_temp_path $W; uwsgi_temp_path $W; scgi_temp_path $W;
  upstream up { server 127.0.0.1:$UP; keepalive 64; }
  upstream sse { server 127.0.0.1:$SSE; }
  server { listen 127.0.0.1:$NG; location / { proxy_pass http://up; proxy_http_version 1.1;
           proxy_set_header Connection ""; proxy_buffering off; } }
  server { listen 127.0.0.1:$NGSSE; location / { proxy_pass http://sse; proxy_http_version 1.1;
           proxy_buffering off; proxy_read_timeout 300s; } }
}
NGX
"$NGINX" -c "$W/nginx.conf" -p "$W" 2>/dev/null
for i in $(seq 50); do [ -s "$W/nginx.pid" ] && break; sleep 0.1; done

cat > "$W/gw.toml" <<TOML
listen = "127.0.0.1:$GW"
database = "sqlite://$W/gw.db"
health_interval_seconds = 0
[[upstream]]
name = "fake"
url = "http://127.0.0.1:$UP"
protocol = "openai"
models = ["m1"]
[[upstream]]
name = "sse"
url = "http://127.0.0.1:$SSE"
protocol = "openai"
models = ["sse"]
TOML
KEY=$("$BIN" gateway --config "$W/gw.toml" user add bench | tail -1)
"$BIN" gateway --config "$W/gw.toml" serve 2>"$W/gw.log" & GW_PID=$!; PIDS+=($GW_PID)
for i in $(seq 100); do curl -sf http://127.0.0.1:$GW/healthz >/dev/null && break; sleep 0.1; done
echo "# gateway idle RSS: $(ps -o rss= -p $GW_PID) KiB"
if [ -n "${SPLIT_STREAMS:-}" ] && { [ "$PART" = all ] || [ "$PART" = streams ]; }; then
  # Started now: once the streams run, its port may be some socket's
  # ephemeral port (PORT_BASE sits in the ephemeral range).
  # Two fresh processes (ports PORT_BASE+5 and +6), not the one the other
  # parts load, so their RSS is that of these streams alone.
  SPLIT_ARGS=()
  for n in 5 6; do
    port=$((PB + n))
    sed "s/^listen = .*/listen = \"127.0.0.1:$port\"/" "$W/gw.toml" > "$W/gw$n.toml"
    "$BIN" gateway --config "$W/gw$n.toml" serve 2>"$W/gw$n.log" & PIDS+=($!)
    SPLIT_ARGS+=(--url http://127.0.0.1:$port --pid $!)
    for i in $(seq 100); do curl -sf http://127.0.0.1:$port/healthz >/dev/null && break; sleep 0.1; done
  done
fi

if [ "$PART" = all ] || [ "$PART" = latency ]; then
  cat > "$W/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"m1","max_tokens":16,"messages":[{"role":"user","content":"hi"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $KEY"
LUA
  # One round: direct, nginx and gateway at $1 connections (closed loop:
  # each connection sends its next request when the previous reply is in).
  latency_round() {
    local c=$1 tag=c$1
    echo "== non-streaming (wrk -t1 -c$c -d$DURATION --latency, after a 2 s warm-up), load $(cut -d' ' -f1-3 /proc/loadavg)"
    for target in "direct:$UP" "nginx:$NG" "gateway:$GW"; do
      name=${target%%:*}; port=${target##*:}
      start_fake
      wrk -t1 -c"$c" -d2s -s "$W/post.lua" http://127.0.0.1:$port/v1/chat/completions >/dev/null
      cpu0=$(awk '{print $14 + $15}' /proc/$GW_PID/stat)
      wrk -t1 -c"$c" -d"$DURATION" --latency -s "$W/post.lua" http://127.0.0.1:$port/v1/chat/completions > "$W/wrk_${name}_$tag.txt"
      cpu1=$(awk '{print $14 + $15}' /proc/$GW_PID/stat)
      f=$W/wrk_${name}_$tag.txt
      p50=$(awk '$1=="50%"{print $2}' "$f"); p99=$(awk '$1=="99%"{print $2}' "$f")
      rps=$(awk '/Requests\/sec/{print $2}' "$f"); errs=$(grep -E 'Non-2xx|Socket errors' "$f" | tr '\n' ' ' || true)
      echo "$name: p50=$p50 p99=$p99 req/s=$rps $errs"
      # The gateway's own CPU time (user + system) per request served: steadier
      # than latency on a box shared with other work.
      if [ "$name" = gateway ]; then
        n=$(awk '/requests in/{print $1}' "$f")
        echo "gateway CPU: $(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / (n > 0 ? n : 1) )) us/request ($((cpu1 - cpu0)) ticks, $n requests)"
      fi
    done
    python3 - "$W" "$tag" <<'PY'
import re, sys
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)$", v); x = float(m[1])
    return x / 1000 if m[2] == "us" else x * 1000 if m[2] == "s" else x
q = {}
for n in ("direct", "nginx", "gateway"):
    t = open(f"{sys.argv[1]}/wrk_{n}_{sys.argv[2]}.txt").read()
    q[n] = {p: ms(re.search(rf"^\s+{p}%\s+(\S+)", t, re.M)[1]) for p in ("50", "99")}
for p in ("50", "99"):
    ng, gw = q["nginx"][p] - q["direct"][p], q["gateway"][p] - q["direct"][p]
    ratio = f"{gw / ng:.2f}x nginx" if ng > 0 else "n/a"
    print(f"{sys.argv[2]} added p{p}: nginx={ng:.3f}ms gateway={gw:.3f}ms ({ratio})")
PY
  }
  # Saturation first (the figure of record), then the fixed, lighter loads
  # of LOW_CONNS: with few connections no process is short of CPU, so the
  # added latency is the proxy's own path, not a queue behind its CPU time.
  latency_round "$CONNS"
  for c in $LOW_CONNS; do latency_round "$c"; done
  echo "# gateway RSS after load: $(ps -o rss= -p $GW_PID) KiB"
fi

if [ "$PART" = all ] || [ "$PART" = ttfb ]; then
  echo "== streamed completions, one at a time (TTFB, n=$TTFB_N)"
  start_fake
  python3 "$ROOT/bench/gateway_ttfb.py" --name direct --url http://127.0.0.1:$UP --n "$TTFB_N"
  python3 "$ROOT/bench/gateway_ttfb.py" --name nginx --url http://127.0.0.1:$NG --n "$TTFB_N"
  python3 "$ROOT/bench/gateway_ttfb.py" --name gateway --url http://127.0.0.1:$GW --key "$KEY" --n "$TTFB_N"
fi

if [ "$PART" = all ] || [ "$PART" = streams ]; then
  echo "== concurrent SSE streams (open files limit $(ulimit -n))"
  # A fresh SSE upstream per target, so no proxy meets the previous one's
  # streams still winding down in it (it notices a closed stream only at
  # its next 2 s event).
  start_sse() {
    # `|| true`: under set -e, wait's 143 (killed by SIGTERM) would end the script.
    { [ -n "${SSE_PID:-}" ] && kill "$SSE_PID" 2>/dev/null && wait "$SSE_PID" 2>/dev/null; } || true
    : > "$W/sse_up.log"
    python3 "$ROOT/bench/gateway_sse_load.py" upstream --port $SSE --hold 90 > "$W/sse_up.log" 2>&1 & SSE_PID=$!; PIDS+=($SSE_PID)
    for i in $(seq 50); do grep -q ready "$W/sse_up.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "SSE upstream did not start" >&2; exit 1
  }
  start_sse
  python3 "$ROOT/bench/gateway_sse_load.py" clients --name gateway --url http://127.0.0.1:$GW --key "$KEY" \
    --pid $GW_PID --streams $STREAMS
  start_sse
  python3 "$ROOT/bench/gateway_sse_load.py" clients --name nginx --url http://127.0.0.1:$NGSSE \
    --pid "$(cat "$W/nginx.pid")" --streams $STREAMS
  if [ -n "${SPLIT_STREAMS:-}" ]; then
    # Two gateway processes on the one SQLite database (the second started
    # with the first), the streams spread over both: each process has its
    # own open-files limit, so together they get past one process's ~9,990
    # ceiling. RSS is their sum.
    start_sse
    python3 "$ROOT/bench/gateway_sse_load.py" clients --name "2 gateways, 1 SQLite db" --key "$KEY" \
      "${SPLIT_ARGS[@]}" --streams $SPLIT_STREAMS
    { grep -ho '"outcome":"[a-z_]*"' "$W/gw5.log" "$W/gw6.log" || true; } | sort | uniq -c |
      sed 's/^/# two gateways outcomes: /'
  fi
  # Streams the clients close while held open are logged as client_abort;
  # grep finding none must not fail the script under `set -e`.
  { grep -o '"outcome":"[a-z_]*"' "$W/gw.log" || true; } | sort | uniq -c | sed 's/^/# gateway outcomes: /'
  # Why nginx dropped streams, if it did (the work directory is deleted on exit).
  { grep -v ' \[notice\] ' "$W/nginx.err" 2>/dev/null || true; } | sed 's/^.*\] [0-9#]*: //' | sort | uniq -c |
    sort -rn | head -5 | sed 's/^/# nginx error log: /'
fi
