#!/usr/bin/env bash
# memory.sh [COUNT] — resident memory of pgherd and of PgBouncer holding COUNT (10000) idle,
# authenticated client connections, measured in one run on the shared topology. PgBouncer gets a
# second instance of its own for this (the benchmark one allows 1000 clients), same settings
# otherwise. Prints a Markdown table.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$HERE/.shared}
source "$SHARED/env.sh"
source "$STATE_FILE"
source "$HERE/.state"
COUNT=${1:-10000}
PGHERD_PORT=${PGHERD_PORT:-16433}
PORT_B=${PGBOUNCER_MEM_PORT:-16435}
B="$WORK/pgbouncer-mem"; mkdir -p "$B"
cp "$WORK/pgbouncer/userlist.txt" "$B/userlist.txt"
sed -e "s/^listen_port = .*/listen_port = $PORT_B/" -e "s/^max_client_conn = .*/max_client_conn = $((COUNT + 100))/" \
    -e "s#$WORK/pgbouncer/#$B/#g" -e "s#^unix_socket_dir = .*#unix_socket_dir = $B#" \
    "$WORK/pgbouncer/pgbouncer.ini" >"$B/pgbouncer.ini"
[[ $EUID -eq 0 ]] && chown -R postgres:postgres "$B" && chmod 600 "$B/userlist.txt"
as_pg sh -c "ulimit -n $((COUNT + 500)) 2>/dev/null; exec pgbouncer -d -q \"\$1\"" sh "$B/pgbouncer.ini"
for _ in {1..40}; do [[ -s $B/pgbouncer.pid ]] && break; sleep 0.25; done
PGB_PID=$(tr -d '\0' <"$B/pgbouncer.pid")
trap 'kill -TERM "$PGB_PID" 2>/dev/null || true' EXIT
ulimit -n $((COUNT + 500))
echo "| proxy | idle clients | RSS before (MiB) | RSS with clients (MiB) | KiB per client |"
echo "|---|---:|---:|---:|---:|"
for t in "pgherd:$PGHERD_PORT:$PGHERD_PID" "pgbouncer:$PORT_B:$PGB_PID"; do
  IFS=: read -r name port pid <<<"$t"
  IFS=$'\t' read -r n before after per < <(python3 "$HERE/idle_clients.py" 127.0.0.1 "$port" "$BENCH_USER" "$BENCH_PASSWORD" "$BENCH_DB" "$COUNT" "$pid")
  printf '| %s | %s | %.1f | %.1f | %s |\n' "$name" "$n" "$(bc -l <<<"$before/1024")" "$(bc -l <<<"$after/1024")" "$per"
done
