#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for tests and benchmarks, and
# prints `export PGTEST_URL=postgresql://...` for eval. Idempotent: reuses an
# initialised data dir and an already-running server.
#   PGTEST_DIR  (default /tmp/pgtest)   data dir, socket and log live here
#   PGTEST_PORT (default 55432)
# PostgreSQL refuses to run as root, so as root every server command runs as
# the `postgres` user (created by the Debian package) through runuser.
set -euo pipefail
DIR=${PGTEST_DIR:-/tmp/pgtest}
PORT=${PGTEST_PORT:-55432}
DB=${PGTEST_DB:-agent_test}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "pg_start: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 3
fi
AS=()
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); fi
mkdir -p "$DIR"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$DIR"; fi
if [ ! -f "$DIR/data/PG_VERSION" ]; then
  "${AS[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
fi
if ! "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$DIR/server.log" >&2; exit 1; }
fi
if ! "${AS[@]}" "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname='$DB'" postgres | grep -q 1; then
  "${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$DB"
fi
echo "export PGTEST_URL=postgresql://postgres@127.0.0.1:$PORT/$DB"
