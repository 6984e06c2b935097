#!/usr/bin/env bash
# pgherd.sh start|stop — run pgherd's proxy in front of the shared benchmark topology's primary
# (../shared/bench/setup.sh), configured like its PgBouncer: transaction pooling, 20 server
# connections, SCRAM with the role's verifier copied from pg_authid. It runs as the OS user that
# runs PostgreSQL and the other proxies, at the same niceness, so run.sh's CPU guard and CPU pinning
# treat it exactly like them.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$HERE/.shared}
source "$SHARED/env.sh"
PGHERD_PORT=${PGHERD_PORT:-16433}
PGHERD_JAVA_OPTS=${PGHERD_JAVA_OPTS:-"-Xmx512m -XX:MaxDirectMemorySize=256m"}
PGHERD_THREADS=${PGHERD_THREADS:-0}
JAR=$HERE/../pgherd-cli/target/pgherd.jar
OWN_STATE=$HERE/.state

case ${1:-} in
start)
  [[ -f $STATE_FILE ]] || die "no shared topology: run $SHARED/setup.sh first"
  source "$STATE_FILE"
  [[ -f $JAR ]] || (cd "$HERE/.." && ./mvnw -q -B -DskipTests -pl pgherd-cli -am package)
  D="$WORK/pgherd"; mkdir -p "$D"
  verifier=$(PGPASSWORD=$BENCH_PASSWORD "$PGBIN/psql" -X -Atq -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$BENCH_USER" -d "$BENCH_DB" \
    -c "select 1" >/dev/null && as_pg "$PGBIN/psql" -X -Atq -h "$WORK" -p "$PRIMARY_PORT" -U postgres -d postgres \
    -c "select rolpassword from pg_authid where rolname = '$BENCH_USER'")
  printf '"%s" "%s"\n' "$BENCH_USER" "$verifier" >"$D/userlist.txt"
  cat >"$D/pgherd.yml" <<YAML
proxy:
  listen: 127.0.0.1:$PGHERD_PORT
  nodes:
    - {name: primary, host: 127.0.0.1, port: $PRIMARY_PORT}
  auth:
    type: scram-sha-256
    file: $D/userlist.txt
  admin_users: [$BENCH_USER]
  pool:
    mode: transaction
    pool_size: 20
    max_client_conn: 19000
YAML
  [[ $EUID -eq 0 ]] && chown -R postgres:postgres "$D" && chmod 600 "$D/userlist.txt"
  # runuser resets the soft fd limit to 1024; raise it for thousands of clients.
  as_pg setsid sh -c 'ulimit -n 19500 2>/dev/null; exec java '"$PGHERD_JAVA_OPTS"' -jar "$1" proxy --config "$2" --threads "$3"' \
    sh "$JAR" "$D/pgherd.yml" "$PGHERD_THREADS" >"$D/pgherd.log" 2>&1 </dev/null &
  wait_for() { local t=$1 what=$2; shift 2; for ((i = 0; i < t * 4; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done; die "timed out waiting for $what"; }
  ready() { PGPASSWORD=$BENCH_PASSWORD "$PGBIN/psql" -X -Atq -h 127.0.0.1 -p "$PGHERD_PORT" -U "$BENCH_USER" -d "$BENCH_DB" -c "select 1"; }
  wait_for 60 "pgherd on :$PGHERD_PORT" ready
  pid=$(pgrep -u "$SRV_USER" -f "proxy --config $D/pgherd.yml" | head -1)
  echo "PGHERD_PID=$pid" >"$OWN_STATE"
  log "pgherd up on :$PGHERD_PORT (pid $pid, java $PGHERD_JAVA_OPTS)"
  ;;
stop)
  [[ -f $OWN_STATE ]] || { log "pgherd not started by this script"; exit 0; }
  source "$OWN_STATE"
  if [[ -n ${PGHERD_PID:-} ]] && kill -0 "$PGHERD_PID" 2>/dev/null && grep -q java "/proc/$PGHERD_PID/comm"; then
    kill -TERM "$PGHERD_PID"
    for _ in {1..40}; do kill -0 "$PGHERD_PID" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$PGHERD_PID" 2>/dev/null && kill -KILL "$PGHERD_PID"
    log "stopped pgherd (pid $PGHERD_PID)"
  fi
  rm -f "$OWN_STATE"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
