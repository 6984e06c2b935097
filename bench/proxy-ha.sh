#!/usr/bin/env bash
# proxy-ha.sh [N] — what clients of pgherd's proxy see while the primary changes, on a 'pgherd up'
# cluster (embedded ZooKeeper, one agent process per node with the default timings ttl 10 s /
# loop_wait 1 s / retry_timeout 3 s; node1 primary, node2 standby, node3 read replica; the proxy),
# in a fresh mktemp directory. pgbench -i -s 1 through the proxy, then N rounds (default 5) of the
# scenarios in $SCENARIOS (default "a b"), each from a healthy cluster (a leader, every other node
# streaming and caught up, the proxy writing to the leader):
#   (a) pgbench TPC-B (built-in, simple protocol), 8 clients (-c 8 -j 2), -T $T through the proxy, with
#       a switchover asked $LEAD s in through the leader's REST API (POST /switchover, as
#       'pgherd switchover' and patronictl do; curl, since a CLI's JVM start on these 2 busy cores
#       takes 1-9 s) until another node's GET /primary answers 200: exit code, failed transactions, aborted
#       clients; latency: the median and max of the transactions that ended before the switchover
#       command started (baseline), the max of those that ran at some moment between its start and
#       1 s after it returned (window), added = window max - baseline median; the longest gap between
#       two commits (any client); the proxy's own hold time (writes_held_ms of its timeline in the
#       promotion's history entry).
#   (b) the same load, and kill -9 of the primary's postmaster $LEAD s in (+ (i-1)/N × loop_wait, so
#       kills spread over an agent loop). pgbench aborts a client whose transaction fails, and with
#       TPC-B nearly every client has one in flight on the primary at any moment, so the TPC-B run
#       mostly ends at the kill. Beside it a second pgbench (1 client, -R 100: an autocommit INSERT
#       every 10 ms, per-transaction log, started again if its own transaction in flight fails) keeps
#       writing through the proxy. Reported: aborted TPC-B
#       clients and failed transactions, the probe's failures, and the time without writes = the
#       longest gap between two commits of any client (TPC-B or probe) after the kill.
# Rows go to $OUT/{a,b}.tsv, pgbench output and logs beside them, medians [min–max] to $OUT/summary.md.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
N=${1:-5}
SCENARIOS=${SCENARIOS:-"a b"}
T=${T:-12}
LEAD=${LEAD:-3}
SWITCHOVER_MAX=${SWITCHOVER_MAX:-30}
CLIENTS=8
LOOP_WAIT=1
OUT=${OUT:-$HERE/results/proxy-ha-$(date -u +%Y%m%dT%H%M%SZ)}
WORK=$(mktemp -d /tmp/pgherd-proxy-ha.XXXXXX)
chmod 755 "$WORK"   # PostgreSQL runs as its own OS user and must enter it
DIR=$WORK/cluster
PGHERD=$HERE/../pgherd
mkdir -p "$OUT"
# shellcheck source=bench/ha-lib.sh
source "$HERE/ha-lib.sh"
command -v pgbench >/dev/null && command -v jq >/dev/null || { echo "proxy-ha.sh: needs pgbench and jq" >&2; exit 1; }

fdiff() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a-b}'; }
trap down_keeping_logs EXIT

"$PGHERD" up --dir "$DIR" --replicas 1 --detach --base-port 25700 --proxy-port 26700 --metrics-port 26710 \
  --zookeeper-port 26720 --api-port 26730 > "$OUT/up.log" 2>&1 || { cat "$OUT/up.log"; die "pgherd up"; }
PW=$(cat "$DIR/superuser.password")
export PGPASSWORD=$PW
PROXY_PORT=$(status | jq -r '.proxy.port')
pgbench -h 127.0.0.1 -p "$PROXY_PORT" -U postgres -i -s 1 -q postgres > "$OUT/init.log" 2>&1 || { cat "$OUT/init.log"; die "pgbench -i"; }
sql "$PROXY_PORT" "create table if not exists proxy_probe (id bigserial primary key, at timestamptz default now())"
echo "insert into proxy_probe default values;" > "$OUT/probe.sql"



# pgbench through the proxy in the background; its pid in $! ; output to $1.out, per-transaction log $1.*
tpcb() { # prefix
  ( rc=0; pgbench -h 127.0.0.1 -p "$PROXY_PORT" -U postgres -n -c "$CLIENTS" -j 2 -T "$T" -P 1 -l --log-prefix="$1" postgres \
      > "$1.out" 2>&1 || rc=$?; echo "exit $rc" >> "$1.out" ) &
}
# every logged transaction of a run as "end_epoch_s latency_ms status" sorted by end (status ok|failed)
txs() { # prefix
  cat "$1".[0-9]* 2>/dev/null | awk '{ok = ($3 ~ /^[0-9]+$/); printf "%d.%06d %.3f %s\n", $5, $6, ok ? $3/1000 : 0, ok ? "ok" : "failed"}' | sort -g
}
exit_of() { sed -n 's/^exit //p' "$1.out"; }
failed_of() { sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$1.out" | head -1; }
aborted_of() { grep -c 'aborted in command' "$1.out" || true; }
processed_of() { sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$1.out" | head -1; }
# quantile q of the latencies (column 2) of lines on stdin; NA when none
quantile() { sort -g -k2 | awk -v q="$1" '{v[NR]=$2} END{if(!NR){print "NA"; exit} r=int(q*NR); if(r<q*NR)r++; if(r<1)r=1; printf "%.1f", v[r]}'; }
# longest gap (s) between consecutive commits ending at or after $2 - 5 (the last commit before a fault counts)
longest_gap() { # txs-file from_epoch
  awk -v from="$2" '$3=="ok" && $1 >= from-5 {if(p) {g=$1-p; if(g>m) m=g} p=$1} END{printf "%.3f", m}' "$1"
}

scen_a() {
  local i=$1 leader p ts te l2 tx base bmax wmax added gap held fails abrt ex s api others code u
  leader=$(ready "$PROXY_PORT")
  s=$(status)
  api=$(jq -r --arg l "$leader" '.nodes[] | select(.name == $l) | .agent.api_url' <<<"$s")
  others=$(jq -r --arg l "$leader" '.nodes[] | select(.name != $l) | .agent.api_url' <<<"$s")
  p=$OUT/a.$i
  tpcb "$p"; local pr=$!
  sleep "$LEAD"
  log "(a) run $i: switchover away from $leader under load"
  ts=$EPOCHREALTIME
  code=$(curl -s -o "$p.switchover.log" -w '%{http_code}' -u "pgherd:$PW" -X POST -H 'Content-Type: application/json' \
    -d "{\"leader\": \"$leader\"}" "$api/switchover") || true
  [ "$code" = 200 ] || die "(a) switchover: HTTP $code $(cat "$p.switchover.log")"
  te=""
  while [ -z "$te" ]; do
    for u in $others; do
      code=$(curl -s -o /dev/null -w '%{http_code}' "$u/primary" || true)
      echo "$EPOCHREALTIME $u $code" >> "$p.primary.log"
      if [ "$code" = 200 ]; then te=$EPOCHREALTIME; break; fi
    done
    [ -n "$te" ] || [ "$(fdiff "$EPOCHREALTIME" "$ts" | cut -d. -f1)" -lt "$SWITCHOVER_MAX" ] || break
    [ -n "$te" ] || sleep 0.05
  done
  wait "$pr" || true
  if [ -z "$te" ]; then
    # Counted apart, not as a latency: the summary says how many switchovers never happened.
    log "(a) run $i: FAILED: no other node answered /primary within $SWITCHOVER_MAX s; 'pgherd list': $("$PGHERD" list --dir "$DIR" 2>&1 | tr '\n' ' ')"
    printf '%s\t%s\tNONE\tNA\t%s\t%s\t%s\t%s\tNA\tNA\tNA\tNA\tNA\tNA\n' "$i" "$leader" "$(exit_of "$p")" "$(failed_of "$p")" \
      "$(aborted_of "$p")" "$(processed_of "$p")" >> "$OUT/a.tsv"
    return 0
  fi
  l2=$(ready "$PROXY_PORT")
  [ "$l2" != "$leader" ] || die "(a) run $i: $leader still leads after the switchover"
  tx=$p.tx; txs "$p" > "$tx"
  [ "$(awk -v t="$te" '$3=="ok" && $1 > t' "$tx" | wc -l)" -gt 0 ] || die "(a) run $i: no commit after the new primary answered ($(fdiff "$te" "$ts") s after the request); raise T"
  base=$(awk -v t="$ts" '$3=="ok" && $1 < t' "$tx" | quantile 0.5)
  bmax=$(awk -v t="$ts" '$3=="ok" && $1 < t' "$tx" | quantile 1)
  wmax=$(awk -v a="$ts" -v b="$(fdiff "$te" -1)" '$3=="ok" && $1 >= a && $1 - $2/1000 <= b' "$tx" | quantile 1)
  added=$(awk -v a="$wmax" -v b="$base" 'BEGIN{printf "%.1f", a-b}')
  gap=$(longest_gap "$tx" "$ts")
  held=$("$PGHERD" history --dir "$DIR" --json 2>/dev/null | jq -r '[.[-1].proxies // {} | .[].writes_held_ms] | max // "NA"')
  ex=$(exit_of "$p"); fails=$(failed_of "$p"); abrt=$(aborted_of "$p")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$leader" "$l2" "$(fdiff "$te" "$ts")" "$ex" "$fails" "$abrt" \
    "$(processed_of "$p")" "$base" "$bmax" "$wmax" "$added" "$gap" "$held" >> "$OUT/a.tsv"
  log "(a) run $i: $leader -> $l2 in $(fdiff "$te" "$ts") s; pgbench exit $ex, $fails failed, $abrt aborted; latency before: median ${base} ms, max ${bmax} ms; max ${wmax} ms in the window (+${added} ms); longest gap between commits ${gap} s; proxy held writes ${held} ms"
}

scen_b() {
  local i=$1 leader p pw tk l2 mode gap ex fails abrt pex pfails pabrt after
  leader=$(ready "$PROXY_PORT")
  p=$OUT/b.$i
  tpcb "$p"; local pr=$!
  # The probe is started again when its transaction in flight fails (pgbench then aborts it), so that
  # commits go on being logged after the fault and the time without writes ends at a real commit.
  ( rc=0; end=$((SECONDS + T)); : > "$p.probe.out"
    while [ $SECONDS -lt "$end" ]; do
      r=0; pgbench -h 127.0.0.1 -p "$PROXY_PORT" -U postgres -n -c 1 -R 100 -T $((end - SECONDS)) -f "$OUT/probe.sql" -l \
        --log-prefix="$p.probe" postgres >> "$p.probe.out" 2>&1 || r=$?
      [ "$rc" != 0 ] || rc=$r
    done
    echo "exit $rc" >> "$p.probe.out" ) & local pp=$!
  pw=$(phase_wait "$i")
  sleep "$(awk -v a="$LEAD" -v b="$pw" 'BEGIN{print a+b}')"
  log "(b) run $i: kill -9 of the postmaster of $leader under load"
  tk=$EPOCHREALTIME
  kill -9 "$(postmaster_pid "$leader")"
  wait "$pr" || true
  wait "$pp" || true
  l2=$(ready "$PROXY_PORT")
  if [ "$l2" = "$leader" ]; then mode=restart-in-place; else mode=failover; fi
  { txs "$p"; txs "$p.probe"; } | sort -g > "$p.tx"
  after=$(awk -v t="$tk" '$3=="ok" && $1 > t' "$p.tx" | wc -l)
  [ "$after" -gt 0 ] || die "(b) run $i: no commit after the kill; raise T"
  gap=$(longest_gap "$p.tx" "$tk")
  ex=$(exit_of "$p"); fails=$(failed_of "$p"); abrt=$(aborted_of "$p")
  pex=$(exit_of "$p.probe"); pabrt=$(aborted_of "$p.probe")
  pfails=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$p.probe.out" | awk '{s+=$1} END{print s+0}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$pw" "$leader" "$l2" "$mode" "$ex" "$fails" "$abrt" "$pex" \
    "$pfails" "$pabrt" "$gap" >> "$OUT/b.tsv"
  log "(b) run $i: $mode; TPC-B exit $ex, $fails failed, $abrt of $CLIENTS clients aborted; probe exit $pex, $pfails failed, $pabrt aborted; no commit for ${gap} s"
}

printf 'run\tleader\tnew_leader\tswitchover_s\texit\tfailed\taborted\ttransactions\tbase_median_ms\tbase_max_ms\twindow_max_ms\tadded_ms\tlongest_gap_s\tproxy_held_ms\n' > "$OUT/a.tsv"
printf 'run\tphase_s\tleader\tafter\tmode\ttpcb_exit\ttpcb_failed\ttpcb_aborted\tprobe_exit\tprobe_failed\tprobe_aborted\tno_writes_s\n' > "$OUT/b.tsv"
for i in $(seq 1 "$N"); do
  for s in $SCENARIOS; do "scen_$s" "$i"; done
done

# median [min–max] of one column of a tsv (header skipped, NA ignored)
stat() { # file column [decimals]
  tail -n +2 "$1" | cut -f"$2" | grep -v '^NA$' | sort -g | awk -v d="${3:-2}" '{v[NR]=$1} END{if(!NR){print "NA"; exit}
    m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; f="%." d "f [%." d "f–%." d "f]"; printf f, m, v[1], v[NR]}'
}
rows() { echo $(( $(wc -l < "$1") - 1 )); }
{
  echo "# pgherd proxy: what clients see across a switchover and a primary crash, $(date -u +%Y-%m-%dT%H:%MZ), N=$N"
  echo
  echo "\`bench/proxy-ha.sh $N\` — pgherd up (embedded ZooKeeper, agents ttl 10 s / loop_wait 1 s / retry_timeout 3 s),"
  echo "node1 primary, node2 standby, node3 read replica, one proxy (transaction pooling, pool_size 20);"
  echo "pgbench -s 1 TPC-B, $CLIENTS clients (-j 2), -T $T through the proxy, the fault $LEAD s in; all on one 2-core machine."
  echo
  echo "| metric | median [min–max] |"
  echo "|---|---|"
  if [ "$(rows "$OUT/a.tsv")" -gt 0 ]; then
    echo "| (a) switchover: failed transactions (pgbench) | $(stat "$OUT/a.tsv" 6 0) |"
    echo "| (a) switchover: aborted clients (pgbench) | $(stat "$OUT/a.tsv" 7 0) |"
    echo "| (a) switchover: pgbench exit codes | $(tail -n +2 "$OUT/a.tsv" | cut -f5 | sort | uniq -c | awk '{printf "%s%s×%s", (NR>1?", ":""), $1, $2}') |"
    echo "| (a) switchover: POST /switchover → new primary's /primary 200 (s) | $(stat "$OUT/a.tsv" 4) |"
    echo "| (a) switchovers not done within $SWITCHOVER_MAX s (of $(rows "$OUT/a.tsv")) | $(tail -n +2 "$OUT/a.tsv" | cut -f3 | grep -c '^NONE$' || true) |"
    echo "| (a) latency before, median (ms) | $(stat "$OUT/a.tsv" 9 1) |"
    echo "| (a) latency before, max (ms) | $(stat "$OUT/a.tsv" 10 1) |"
    echo "| (a) latency in the switchover window, max (ms) | $(stat "$OUT/a.tsv" 11 1) |"
    echo "| (a) added latency: window max − median before (ms) | $(stat "$OUT/a.tsv" 12 1) |"
    echo "| (a) longest gap between two commits (s) | $(stat "$OUT/a.tsv" 13) |"
    echo "| (a) writes held by the proxy (its history timeline, ms) | $(stat "$OUT/a.tsv" 14 0) |"
  fi
  if [ "$(rows "$OUT/b.tsv")" -gt 0 ]; then
    echo "| (b) crash: outcomes | $(tail -n +2 "$OUT/b.tsv" | cut -f5 | sort | uniq -c | awk '{printf "%s%s×%s", (NR>1?", ":""), $1, $2}') |"
    echo "| (b) crash: TPC-B clients aborted (transaction in flight; of $CLIENTS) | $(stat "$OUT/b.tsv" 8 0) |"
    echo "| (b) crash: failed transactions (pgbench, TPC-B) | $(stat "$OUT/b.tsv" 7 0) |"
    echo "| (b) crash: probe (autocommit INSERT every 10 ms) failed / aborted | $(stat "$OUT/b.tsv" 10 0) / $(stat "$OUT/b.tsv" 11 0) |"
    echo "| (b) crash: time without writes, longest gap between commits (s) | $(stat "$OUT/b.tsv" 12) |"
  fi
  true
} > "$OUT/summary.md"
cat "$OUT/summary.md"
