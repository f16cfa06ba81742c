#!/usr/bin/env bash
# Stops the server pg_start.sh started; PGTEST_PURGE=1 also deletes its dir.
set -euo pipefail
DIR=${PGTEST_DIR:-/tmp/pgtest}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
AS=()
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); fi
if [ -n "$BIN" ] && [ -f "$DIR/data/PG_VERSION" ]; then
  "${AS[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1 || true
fi
if [ "${PGTEST_PURGE:-0}" = "1" ]; then rm -rf "$DIR"; fi
