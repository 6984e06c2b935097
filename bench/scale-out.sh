#!/usr/bin/env bash
# scale-out.sh [N] — how long a new read replica takes to serve reads, on a 'pgherd up' cluster
# (embedded ZooKeeper; node1 primary, node2 standby, no read replica; one controller with the local
# provisioner) in a fresh mktemp directory. pgbench -i -s $SCALE (default 1; 70 is about 1 GB)
# through the proxy, then N rounds (default 3), each from 0 read replicas:
#   t0 = just before `pgherd scale --replicas 1` starts (the command's own JVM start counts);
#   t1 = the first `select inet_server_port()` through the proxy answered by the new member
#        (one new connection every 0.1 s; reads also go to the standby, so a hit is seen within a
#        few tries once the proxy sends the new member reads);
# then the add_replica task's own times (created → succeeded, from `pgherd task ID`), and
# `pgherd scale --replicas 0` with a wait until the replica is gone before the next round.
# Rows go to $OUT/rounds.tsv, the median [min–max] to $OUT/summary.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-3}
SCALE=${SCALE:-1}
OUT=${OUT:-$HERE/results/scale-out-s$SCALE-$(date -u +%Y%m%dT%H%M%SZ)}
WORK=$(mktemp -d /tmp/pgherd-scale-out.XXXXXX)
chmod 755 "$WORK"   # PostgreSQL runs as its own OS user and must enter it
DIR=$WORK/cluster
PGHERD=$HERE/../pgherd
LOOP_WAIT=1
mkdir -p "$OUT"
# shellcheck source=bench/ha-lib.sh
source "$HERE/ha-lib.sh"
command -v pgbench >/dev/null && command -v jq >/dev/null || { echo "scale-out.sh: needs pgbench and jq" >&2; exit 1; }

trap down_keeping_logs EXIT

now() { date +%s.%N; }
fdiff() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a-b}'; }
running() { status | jq -r '(.read_replicas.running // []) | join(" ")'; }
made_port() { jq -r --arg n "$1" '[.. | objects | select(.name? == $n) | .port] | first // empty' "$DIR/provisioned.json"; }
last_task() { "$PGHERD" tasks --dir "$DIR" --json 2>/dev/null | jq '[(if type == "array" then .[] else .tasks[]? end) | select(.type == "add_replica")] | sort_by(.created) | last'; }

"$PGHERD" up --dir "$DIR" --replicas 0 --controllers 1 --detach --base-port 25900 --proxy-port 26900 \
  --metrics-port 26910 --zookeeper-port 26920 --api-port 26930 > "$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; die "pgherd up"; }
PW=$(cat "$DIR/superuser.password")
export PGPASSWORD=$PW
PROXY_PORT=$(status | jq -r '.proxy.port')
log "pgbench -i -s $SCALE through the proxy"
pgbench -h 127.0.0.1 -p "$PROXY_PORT" -U postgres -i -s "$SCALE" -q postgres > "$OUT/init.log" 2>&1 || { cat "$OUT/init.log"; die "pgbench -i"; }
SIZE=$(sql "$PROXY_PORT" "select pg_size_pretty(pg_database_size('postgres'))")
log "database size $SIZE"
printf 'round\tmember\tscale_to_read_s\ttask_created_to_succeeded_s\n' > "$OUT/rounds.tsv"

for i in $(seq 1 "$N"); do
  [ -z "$(running)" ] || die "round $i: read replicas still running: $(running)"
  t0=$(now)
  "$PGHERD" scale --dir "$DIR" --replicas 1 >> "$OUT/scale.log" 2>&1 || { cat "$OUT/scale.log"; die "scale --replicas 1"; }
  member= port= t1=
  deadline=$(( $(date +%s) + 1800 ))
  while [ -z "$t1" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || die "round $i: no read on a new replica within 30 min"
    if [ -z "$port" ] && [ -f "$DIR/provisioned.json" ]; then
      member=$(jq -r 'if type == "object" then keys[0] // empty else .[0].name // empty end' "$DIR/provisioned.json" 2>/dev/null || true)
      [ -n "$member" ] && port=$(made_port "$member")
    fi
    if [ -n "$port" ] && [ "$(sql "$PROXY_PORT" "select inet_server_port()" 2>/dev/null)" = "$port" ]; then
      t1=$(now)
    else
      sleep 0.1
    fi
  done
  took=$(fdiff "$t1" "$t0")
  for _ in $(seq 1 300); do   # the task succeeds once its last step saw the member stream; the proxy may send it reads first
    task=$(last_task)
    [ "$(jq -r '.finished // 0' <<<"$task" 2>/dev/null)" != 0 ] && break
    sleep 0.2
  done
  task_s=$(jq -r 'if . != null and .finished > 0 then ((.finished - .created) / 1000 * 10 | round / 10) else "NA" end' <<<"$task" 2>/dev/null || echo NA)
  log "round $i: $member served a read through the proxy $took s after 'pgherd scale' started (task: $task_s s)"
  printf '%s\t%s\t%s\t%s\n' "$i" "$member" "$took" "$task_s" >> "$OUT/rounds.tsv"
  "$PGHERD" scale --dir "$DIR" --replicas 0 >> "$OUT/scale.log" 2>&1 || die "scale --replicas 0"
  for _ in $(seq 1 3000); do
    [ -z "$(running)" ] && ! jq -e 'length > 0' "$DIR/provisioned.json" >/dev/null 2>&1 && break
    sleep 0.2
  done
  [ -z "$(running)" ] || die "round $i: the replica was not removed"
done

tail -n +2 "$OUT/rounds.tsv" | cut -f3 | sort -g | awk '{v[NR] = $1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2;
  printf "scale 0 -> 1 read replica, database %s (pgbench -s %s): median %.1f s [%.1f-%.1f] over %d rounds\n", size, scale, m, v[1], v[NR], NR}' \
  size="$SIZE" scale="$SCALE" | tee "$OUT/summary.md"
