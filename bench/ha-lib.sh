# ha-lib.sh — what bench/ha.sh, bench/proxy-ha.sh and bench/scale-out.sh share about the 'pgherd up'
# cluster they measure. Source it after setting PGHERD (the launcher), DIR (the cluster directory),
# WORK (the scratch directory holding it), OUT (the results directory), PW (the superuser's
# password), N (rounds) and LOOP_WAIT (the agents' loop_wait, seconds).

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
status() { "$PGHERD" status --dir "$DIR" --json 2>/dev/null; }
port_of() { status | jq -r --arg n "$1" '.nodes[] | select(.name == $n) | .port'; }

# the EXIT trap: the cluster stopped, its logs kept with the results in $OUT/logs (for a failed round
# above all), the scratch directory removed
down_keeping_logs() {
  "$PGHERD" down --dir "$DIR" >/dev/null 2>&1 || true
  mkdir -p "$OUT/logs"
  (cd "$DIR" 2>/dev/null && find . -maxdepth 2 -name '*.log' -print0 | while IFS= read -r -d '' f; do
    cp "$f" "$OUT/logs/$(echo "${f#./}" | tr / _)"; done) || true
  rm -rf "$WORK"
}
sql() { PGPASSWORD=$PW psql "host=127.0.0.1 port=$1 user=postgres dbname=postgres connect_timeout=2" -XAtq -c "$2"; }

# a leader and every other node streaming with everything replayed (and, given a proxy's port, that
# proxy writing to the leader); prints the leader
ready() { # [proxy_port]
  local i s leader lport
  for i in $(seq 1 600); do
    s=$(status) || true
    leader=$(jq -r '.leader // empty' <<<"$s")
    if [ -n "$leader" ] && [ "$(jq --arg l "$leader" '[.nodes[] | select(.name != $l and .state != "streaming")] | length' <<<"$s")" = 0 ]; then
      lport=$(jq -r --arg l "$leader" '.nodes[] | select(.name == $l) | .port' <<<"$s")
      if [ "$(sql "$lport" "select count(*) from pg_stat_replication where state = 'streaming' and replay_lsn >= pg_current_wal_lsn()" 2>/dev/null)" = 2 ] \
        && { [ -z "${1:-}" ] || [ "$(sql "$1" "select inet_server_port() from (select txid_current()) t" 2>/dev/null)" = "$lport" ]; }; then
        echo "$leader"; return 0
      fi
    fi
    sleep 0.2
  done
  die "cluster not healthy within 120 s"
}

# run i waits (i-1)/N × loop_wait before its fault, so faults spread over one agent loop
phase_wait() { awk -v i="$1" -v n="$N" -v lw="$LOOP_WAIT" 'BEGIN{printf "%.2f", ((i-1)%n)*lw/n}'; }
postmaster_pid() { head -1 "$DIR/$1/data/postmaster.pid"; }
