#!/usr/bin/env bash
# ha.sh [N] — recovery times of a pgherd cluster, measured like ../shared/ha/failover.sh measures
# Patroni + etcd + HAProxy, so the two compare side by side.
#
# The cluster is 'pgherd up' (embedded ZooKeeper, one agent process per node with the default
# timings ttl 10 s / loop_wait 1 s / retry_timeout 3 s): node1 primary, node2 standby, node3 read
# replica, in a fresh mktemp directory. N rounds (default 5), each running the scenarios in
# $SCENARIOS (default "a b c") from a healthy cluster (a leader, every other node streaming and
# caught up):
#   (a) kill -9 of the leader's postmaster;
#   (b) kill -9 of the leader's agent and its postmaster together (a whole node lost), then
#       'pgherd up' starts the agent again and the node's rejoin as a streaming standby is timed;
#   (c) 'pgherd switchover --force' while a probe writes every 0.1 s.
# Recovery = from the kill until an INSERT succeeds, retried every 100 ms, through libpq's own
# multi-host failover (every node's port, target_session_attrs=read-write, connect_timeout=1 which
# libpq raises to 2 s, statement_timeout 2 s): Patroni's "direct" probe. (The proxy's own figures
# come with issue 6.) Run i waits (i-1)/N × loop_wait before its kill, so kills spread over a loop.
# Rows go to $OUT/{a,b,c}.tsv, medians [min–max] to $OUT/summary.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-5}
SCENARIOS=${SCENARIOS:-"a b c"}
LOOP_WAIT=1
PROBE_MAX=${PROBE_MAX:-120}
OUT=${OUT:-$HERE/results/ha-$(date -u +%Y%m%dT%H%M%SZ)}
WORK=$(mktemp -d /tmp/pgherd-ha.XXXXXX)
chmod 755 "$WORK"   # PostgreSQL runs as its own OS user and must enter it
DIR=$WORK/cluster
PGHERD=$HERE/../pgherd
mkdir -p "$OUT"
# shellcheck source=bench/ha-lib.sh
source "$HERE/ha-lib.sh"

fdiff() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a-b}'; }
cleanup() { "$PGHERD" down --dir "$DIR" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

"$PGHERD" up --dir "$DIR" --replicas 1 --detach --base-port 25600 --proxy-port 26600 --metrics-port 26610 \
  --zookeeper-port 26620 --api-port 26630 > "$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; die "pgherd up"; }
PW=$(cat "$DIR/superuser.password")
PORTS=$(status | jq -r '[.nodes[].port] | join(",")')
HOSTS=$(status | jq -r '[.nodes[] | "127.0.0.1"] | join(",")')
sql "$(port_of node1)" "create table if not exists ha_probe (id bigserial, src text, tag text, at timestamptz default now())"

write_once() { # tag
  PGPASSWORD=$PW PGOPTIONS='-c statement_timeout=2000' timeout 5 psql \
    "host=$HOSTS port=$PORTS user=postgres dbname=postgres connect_timeout=1 target_session_attrs=read-write" -XAtq \
    -v ON_ERROR_STOP=1 -c "insert into ha_probe (src, tag) values ('direct', '$1') returning inet_server_port()"
}

# retry every 100 ms until one INSERT succeeds; prints "seconds_since_t0 attempts"
wait_write() { # t0 tag errfile
  local n=0
  while :; do
    n=$((n + 1))
    if write_once "$2" > /dev/null 2>>"$3"; then echo "$(fdiff "$EPOCHREALTIME" "$1") $n"; return 0; fi
    [ "$(fdiff "$EPOCHREALTIME" "$1" | cut -d. -f1)" -lt "$PROBE_MAX" ] || { echo "NA $n"; return 1; }
    sleep 0.1
  done
}


agent_pid() { cat "$DIR/agents/$1.pid"; }
leader_now() { status | jq -r '.leader // empty'; }

scen_a() {
  local i=$1 leader pw t0 tw nw l2 mode
  leader=$(ready); pw=$(phase_wait "$i"); sleep "$pw"
  log "(a) run $i: kill -9 of the postmaster of $leader (${pw}s after ready)"
  t0=$EPOCHREALTIME
  kill -9 "$(postmaster_pid "$leader")"
  read -r tw nw < <(wait_write "$t0" "a$i" "$OUT/a.$i.err")
  l2=$(ready)
  if [ "$l2" = "$leader" ]; then mode=restart-in-place; else mode=failover; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$pw" "$leader" "$l2" "$mode" "$tw" "$nw" >> "$OUT/a.tsv"
  log "(a) run $i: $mode, first write after ${tw}s ($nw attempts)"
}

scen_b() {
  local i=$1 leader pw t0 tw nw l2 t1 trej
  leader=$(ready); pw=$(phase_wait "$i"); sleep "$pw"
  log "(b) run $i: kill -9 of the agent and the postmaster of $leader (${pw}s after ready)"
  t0=$EPOCHREALTIME
  kill -9 "$(agent_pid "$leader")" "$(postmaster_pid "$leader")"
  read -r tw nw < <(wait_write "$t0" "b$i" "$OUT/b.$i.err")
  l2=$(leader_now)
  t1=$EPOCHREALTIME
  "$PGHERD" up --dir "$DIR" --detach > "$OUT/b.$i.up.log" 2>&1 || die "(b) pgherd up after the loss"
  ready > /dev/null
  trej=$(fdiff "$EPOCHREALTIME" "$t1")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$pw" "$leader" "$l2" "$tw" "$nw" "$trej" >> "$OUT/b.tsv"
  log "(b) run $i: $l2 took over, first write after ${tw}s ($nw attempts); rejoined ${trej}s after 'pgherd up'"
}

scen_c() {
  local i=$1 leader probe pr ts te l2 fails window gap
  leader=$(ready)
  probe=$OUT/c.$i.probe
  ( end=$(( ${EPOCHREALTIME%.*} + 15 ))
    while [ "${EPOCHREALTIME%.*}" -lt "$end" ]; do
      s=$EPOCHREALTIME
      if write_once "c$i" > /dev/null 2>>"$OUT/c.$i.err"; then echo "$s $EPOCHREALTIME ok"; else echo "$s $EPOCHREALTIME fail"; fi
      sleep 0.1
    done > "$probe" ) & pr=$!
  sleep 3
  log "(c) run $i: switchover away from $leader"
  ts=$EPOCHREALTIME
  "$PGHERD" switchover --dir "$DIR" --force > "$OUT/c.$i.switchover.log" 2>&1 || die "(c) switchover: $(cat "$OUT/c.$i.switchover.log")"
  te=$EPOCHREALTIME
  wait "$pr"
  l2=$(ready)
  fails=$(grep -c ' fail$' "$probe" || true)
  window=$(awk '$3=="fail"{if(!f)f=$1; l=$2} END{if(f) printf "%.2f", l-f; else print "0.00"}' "$probe")
  gap=$(awk '$3=="ok"{if(p) {g=$2-p; if(g>m)m=g} p=$2} END{printf "%.2f", m}' "$probe")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$leader" "$l2" "$(fdiff "$te" "$ts")" "$fails" "$window" "$gap" >> "$OUT/c.tsv"
  log "(c) run $i: $leader -> $l2 in $(fdiff "$te" "$ts")s; $fails failed probes, disruption ${window}s, longest gap ${gap}s"
}

printf 'run\tphase_s\tleader\tafter\tmode\tfirst_write_s\tattempts\n' > "$OUT/a.tsv"
printf 'run\tphase_s\tleader\tnew_leader\tfirst_write_s\tattempts\trejoin_after_up_s\n' > "$OUT/b.tsv"
printf 'run\tleader\tnew_leader\tcommand_s\tfailed_probes\tdisruption_s\tlongest_gap_s\n' > "$OUT/c.tsv"
for i in $(seq 1 "$N"); do
  for s in $SCENARIOS; do "scen_$s" "$i"; done
done

# median [min–max] of one column of a tsv (header skipped, NA ignored)
stat() { # file column
  tail -n +2 "$1" | cut -f"$2" | grep -v '^NA$' | sort -g | awk '{v[NR]=$1} END{if(!NR){print "NA"; exit}
    m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.2f [%.2f–%.2f]", m, v[1], v[NR]}'
}
{
  echo "# pgherd HA recovery times, $(date -u +%Y-%m-%dT%H:%MZ), N=$N"
  echo
  echo "\`bench/ha.sh $N\` — pgherd up (embedded ZooKeeper, agents ttl 10 s / loop_wait 1 s / retry_timeout 3 s),"
  echo "node1 primary, node2 standby, node3 read replica; probe: libpq multi-host, target_session_attrs=read-write."
  echo
  echo "| metric (s) | median [min–max] |"
  echo "|---|---|"
  [ "$(wc -l < "$OUT/a.tsv")" -gt 1 ] && echo "| (a) PG crash → first write | $(stat "$OUT/a.tsv" 6) |"
  [ "$(wc -l < "$OUT/a.tsv")" -gt 1 ] && echo "| (a) outcomes | $(tail -n +2 "$OUT/a.tsv" | cut -f5 | sort | uniq -c | awk '{printf "%s%s×%s", (NR>1?", ":""), $1, $2}') |"
  [ "$(wc -l < "$OUT/b.tsv")" -gt 1 ] && echo "| (b) node loss → first write | $(stat "$OUT/b.tsv" 5) |"
  [ "$(wc -l < "$OUT/b.tsv")" -gt 1 ] && echo "| (b) 'pgherd up' → rejoined, streaming and caught up | $(stat "$OUT/b.tsv" 7) |"
  [ "$(wc -l < "$OUT/c.tsv")" -gt 1 ] && echo "| (c) switchover command duration | $(stat "$OUT/c.tsv" 4) |"
  [ "$(wc -l < "$OUT/c.tsv")" -gt 1 ] && echo "| (c) write disruption (first to last failed probe) | $(stat "$OUT/c.tsv" 6) |"
  [ "$(wc -l < "$OUT/c.tsv")" -gt 1 ] && echo "| (c) longest gap between successful writes | $(stat "$OUT/c.tsv" 7) |"
  [ "$(wc -l < "$OUT/c.tsv")" -gt 1 ] && echo "| (c) failed probes (count) | $(stat "$OUT/c.tsv" 5) |"
  true
} > "$OUT/summary.md"
cat "$OUT/summary.md"
