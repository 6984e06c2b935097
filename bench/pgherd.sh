#!/usr/bin/env bash
# pgherd.sh start|stop — run pgherd's proxy in front of the shared benchmark topology
# (../shared/bench/setup.sh), configured like its PgBouncer: transaction pooling, 20 server
# connections, SCRAM with the role's verifier copied from pg_authid. It runs as the OS user that
# runs PostgreSQL and the other proxies, at the same niceness, so run.sh's CPU guard and CPU pinning
# treat it exactly like them.
#
# Environment (defaults in brackets):
#   PGHERD_PORT [16433]        where the proxy listens; each port is its own instance (state file
#                              bench/.state for 16433, bench/.state.PORT otherwise; work dir
#                              $WORK/pgherd or $WORK/pgherd-PORT), so several can run at once.
#   PGHERD_REPLICAS [0]        0: the primary only (what run.sh measures). 1: also the two streaming
#                              replicas (:15433, :15434, role replica, weight 1) with read/write
#                              splitting, health checks as role PGHERD_HEALTH_USER.
#   PGHERD_CONSISTENCY [read-your-writes]   eventual | read-your-writes | strong (PGHERD_REPLICAS=1)
#   PGHERD_PRIMARY_READS [fallback]         never | fallback | always           (PGHERD_REPLICAS=1)
#   PGHERD_MAX_LAG_BYTES [16777216] PGHERD_MAX_LAG [10s] PGHERD_HEALTH_INTERVAL [500ms]
#   PGHERD_HEALTH_USER [pgherd_health]  created on the primary (LOGIN, pg_monitor) with a random
#                              password kept in $WORK/pgherd-health.password for the topology's life;
#                              each instance gets a mode-600 copy as its health.password_file.
#   PGHERD_JAVA_OPTS ["-Xmx512m -XX:MaxDirectMemorySize=256m"]  PGHERD_THREADS [0]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=${SHARED:-$HERE/.shared}
# shellcheck source=/dev/null
source "$SHARED/env.sh"
PGHERD_PORT=${PGHERD_PORT:-16433}
PGHERD_JAVA_OPTS=${PGHERD_JAVA_OPTS:-"-Xmx512m -XX:MaxDirectMemorySize=256m"}
PGHERD_THREADS=${PGHERD_THREADS:-0}
PGHERD_REPLICAS=${PGHERD_REPLICAS:-0}
PGHERD_CONSISTENCY=${PGHERD_CONSISTENCY:-read-your-writes}
PGHERD_PRIMARY_READS=${PGHERD_PRIMARY_READS:-fallback}
PGHERD_MAX_LAG_BYTES=${PGHERD_MAX_LAG_BYTES:-16777216}
PGHERD_MAX_LAG=${PGHERD_MAX_LAG:-10s}
PGHERD_HEALTH_INTERVAL=${PGHERD_HEALTH_INTERVAL:-500ms}
PGHERD_HEALTH_USER=${PGHERD_HEALTH_USER:-pgherd_health}
JAR=$HERE/../pgherd-cli/target/pgherd.jar
if [[ $PGHERD_PORT == 16433 ]]; then OWN_STATE=$HERE/.state; else OWN_STATE=$HERE/.state.$PGHERD_PORT; fi

case ${1:-} in
start)
  [[ -f $STATE_FILE ]] || die "no shared topology: run $SHARED/setup.sh first"
  # shellcheck source=/dev/null
  source "$STATE_FILE"
  case $PGHERD_REPLICAS in 0 | 1) ;; *) die "PGHERD_REPLICAS must be 0 or 1 (got $PGHERD_REPLICAS)" ;; esac
  case $PGHERD_CONSISTENCY in eventual | read-your-writes | strong) ;; *) die "bad PGHERD_CONSISTENCY '$PGHERD_CONSISTENCY'" ;; esac
  case $PGHERD_PRIMARY_READS in never | fallback | always) ;; *) die "bad PGHERD_PRIMARY_READS '$PGHERD_PRIMARY_READS'" ;; esac
  [[ ! -f $OWN_STATE ]] || die "$OWN_STATE exists: a pgherd on :$PGHERD_PORT was started already (run: PGHERD_PORT=$PGHERD_PORT $0 stop)"
  [[ -z $(ss -Hltn "sport = :$PGHERD_PORT") ]] || die "port $PGHERD_PORT is in use"
  [[ -f $JAR ]] || (cd "$HERE/.." && ./mvnw -q -B -DskipTests -pl pgherd-cli -am package)
  if [[ $PGHERD_PORT == 16433 ]]; then D="$WORK/pgherd"; else D="$WORK/pgherd-$PGHERD_PORT"; fi
  mkdir -p "$D"
  wait_for() { local t=$1 what=$2; shift 2; for ((i = 0; i < t * 4; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.25; done; die "timed out waiting for $what"; }
  su_sql() { as_pg "$PGBIN/psql" -X -Atq -v ON_ERROR_STOP=1 -h "$WORK" -p "$PRIMARY_PORT" -U postgres -d postgres -c "$1"; }
  verifier=$(PGPASSWORD=$BENCH_PASSWORD "$PGBIN/psql" -X -Atq -h 127.0.0.1 -p "$PRIMARY_PORT" -U "$BENCH_USER" -d "$BENCH_DB" \
    -c "select 1" >/dev/null && su_sql "select rolpassword from pg_authid where rolname = '$BENCH_USER'")
  printf '"%s" "%s"\n' "$BENCH_USER" "$verifier" >"$D/userlist.txt"
  replicas_yaml=""
  if [[ $PGHERD_REPLICAS == 1 ]]; then
    # The health role: logs in to every node and database (PUBLIC has CONNECT), reads WAL positions
    # and replication state (pg_monitor). One password per topology, so instances started one after
    # another (split.sh runs one per consistency mode) never invalidate each other's file.
    PWF=$WORK/pgherd-health.password
    if [[ ! -s $PWF ]]; then (umask 077; od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$PWF"; echo >>"$PWF"); fi
    hpw=$(head -1 "$PWF")
    su_sql "DO \$\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGHERD_HEALTH_USER')
              THEN CREATE ROLE $PGHERD_HEALTH_USER LOGIN; END IF; END \$\$;
            SET password_encryption = 'scram-sha-256';
            ALTER ROLE $PGHERD_HEALTH_USER LOGIN PASSWORD '$hpw';
            GRANT pg_monitor TO $PGHERD_HEALTH_USER;" >/dev/null
    health_login() { PGPASSWORD=$hpw "$PGBIN/psql" -X -Atq -h 127.0.0.1 -p "$1" -U "$PGHERD_HEALTH_USER" -d postgres -c "select 1"; }
    for port in "$PRIMARY_PORT" "$REPLICA1_PORT" "$REPLICA2_PORT"; do   # replicas replay the role
      wait_for 30 "$PGHERD_HEALTH_USER to log in on :$port" health_login "$port"
    done
    cp "$PWF" "$D/health.password"
    chmod 600 "$D/health.password"
    replicas_yaml="    - {name: replica1, host: 127.0.0.1, port: $REPLICA1_PORT, role: replica, weight: 1}
    - {name: replica2, host: 127.0.0.1, port: $REPLICA2_PORT, role: replica, weight: 1}
  routing:
    primary_reads: $PGHERD_PRIMARY_READS
    max_replica_lag_bytes: $PGHERD_MAX_LAG_BYTES
    max_replica_lag: $PGHERD_MAX_LAG
  consistency:
    mode: $PGHERD_CONSISTENCY
  health:
    interval: $PGHERD_HEALTH_INTERVAL
    user: $PGHERD_HEALTH_USER
    password_file: $D/health.password"
  fi
  cat >"$D/pgherd.yml" <<YAML
proxy:
  listen: 127.0.0.1:$PGHERD_PORT
  nodes:
    - {name: primary, host: 127.0.0.1, port: $PRIMARY_PORT}
${replicas_yaml:+$replicas_yaml
}  auth:
    type: scram-sha-256
    file: $D/userlist.txt
  admin_users: [$BENCH_USER]
  pool:
    mode: transaction
    pool_size: 20
    max_client_conn: 19000
YAML
  if [[ $EUID -eq 0 ]]; then chown -R postgres:postgres "$D"; fi
  chmod 600 "$D/userlist.txt"
  # runuser resets the soft fd limit to 1024; raise it for thousands of clients.
  # shellcheck disable=SC2016  # $1..$3 are the inner sh's arguments
  as_pg setsid sh -c 'ulimit -n 19500 2>/dev/null; exec java '"$PGHERD_JAVA_OPTS"' -jar "$1" proxy --config "$2" --threads "$3"' \
    sh "$JAR" "$D/pgherd.yml" "$PGHERD_THREADS" >"$D/pgherd.log" 2>&1 </dev/null &
  running() { pgrep -u "$SRV_USER" -f "proxy --config $D/pgherd.yml" | head -1 || true; }
  ready() { PGPASSWORD=$BENCH_PASSWORD "$PGBIN/psql" -X -Atq -h 127.0.0.1 -p "$PGHERD_PORT" -U "$BENCH_USER" -d "$BENCH_DB" -c "select 1" >/dev/null 2>&1; }
  # Wait up to 60 s, but give up at once if the JVM has exited (e.g. a configuration it rejects).
  for ((i = 0; i < 240; i++)); do
    ready && break
    if ((i >= 8)) && [[ -z $(running) ]]; then
      log "pgherd on :$PGHERD_PORT exited during startup; $D/pgherd.log ends:"; tail -15 "$D/pgherd.log" >&2; exit 1
    fi
    sleep 0.25
  done
  pid=$(running)
  [[ -n $pid ]] && echo "PGHERD_PID=$pid" >"$OWN_STATE"
  ready || die "timed out waiting for pgherd on :$PGHERD_PORT (pid ${pid:-?}; stop it with: PGHERD_PORT=$PGHERD_PORT $0 stop)"
  [[ -n $pid ]] || die "pgherd answers on :$PGHERD_PORT but no process runs $D/pgherd.yml"
  if [[ $PGHERD_REPLICAS == 1 ]]; then what="primary + 2 replicas, consistency $PGHERD_CONSISTENCY, primary_reads $PGHERD_PRIMARY_READS"; else what="primary only"; fi
  log "pgherd up on :$PGHERD_PORT ($what; pid $pid, java $PGHERD_JAVA_OPTS)"
  ;;
stop)
  [[ -f $OWN_STATE ]] || { log "pgherd on :$PGHERD_PORT not started by this script"; exit 0; }
  # shellcheck source=/dev/null
  source "$OWN_STATE"
  if [[ -n ${PGHERD_PID:-} ]] && kill -0 "$PGHERD_PID" 2>/dev/null && grep -q java "/proc/$PGHERD_PID/comm"; then
    kill -TERM "$PGHERD_PID"
    for _ in {1..40}; do kill -0 "$PGHERD_PID" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$PGHERD_PID" 2>/dev/null; then kill -KILL "$PGHERD_PID"; fi
    log "stopped pgherd on :$PGHERD_PORT (pid $PGHERD_PID)"
  fi
  rm -f "$OWN_STATE"
  ;;
*) echo "usage: [PGHERD_PORT=P] [PGHERD_REPLICAS=1 PGHERD_CONSISTENCY=MODE] $0 start|stop" >&2; exit 2 ;;
esac
