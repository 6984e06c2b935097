#!/usr/bin/env bash
# split.sh — read/write splitting side by side, in one run: PostgreSQL direct (primary only),
# Pgpool-II's load balancing over the primary and both replicas, and pgherd's proxy with the same two
# replicas in each consistency mode (eventual, read-your-writes, strong), on the shared topology of
# ../shared/bench. Two workloads, each target with the same pgbench settings:
#   select  pgbench -S (builtin select-only)
#   mix     90/10 read/write: pgbench -f read.sql@9 -f write.sql@1, each transaction one autocommit
#           statement (a point SELECT on pgbench_accounts, or the TPC-B-like UPDATE of one account),
#           so a splitter can route every transaction on its own.
# Where the transactions ran is measured on the servers: pg_stat_database.xact_commit of the bench
# database on each node, before and after every run (target-independent). pgherd's own per-node
# counters (admin console SHOW NODES, column select_count) are recorded too when it has them.
# pgherd runs as one instance per mode (ports PGHERD_SPLIT_PORT, +1, +2), all started before the
# first measurement and warmed up like every other target, so repetitions interleave as in the shared
# run.sh: within a repetition the targets run round-robin, the first target rotates between them.
#
# Usage: bench/split.sh            (from anywhere; 2 workloads x 5 targets x REPEATS runs of T + ~14 s each,
#                                   plus set-up and warm-up: about 13 minutes with the defaults)
#        QUICK=1 bench/split.sh    smoke test: T=3 REPEATS=1 WARMUP_S=1 QUIET_WAIT_S=10 MAX_TRIES=1
# Environment (defaults in brackets):
#   T [20] seconds per run   REPEATS [2]   CLIENTS [16]   JOBS [2]   WARMUP_S [5] per target and workload
#   WORKLOADS ["select mix"]  MIX_READS [9] MIX_WRITES [1] (script weights)
#   TARGETS ["direct-primary pgpool pgherd-eventual pgherd-read-your-writes pgherd-strong"]; also
#     known: pgherd-primary-only (pgherd.sh's default configuration: no replicas) and NAME=HOST:PORT.
#   BASELINE [pgpool] (ratio column)   PRIMARY_READS [always] pgherd's routing.primary_reads; "always"
#     gives the primary its weight-1 share of reads, as Pgpool-II's backend_weight0 = 1 does here
#   PGHERD_SPLIT_PORT [16441]
#   STATS_WAIT_S [11] wait after each run before reading xact_commit: a PostgreSQL 15 backend left idle
#     within 1 s of its last statistics flush (a proxy's pooled server connection) holds its counts
#     for up to 10 s (PGSTAT_IDLE_INTERVAL); read sooner, they would be credited to the next run
#   QUIET_PCT [5] QUIET_WAIT_S [60] RETRY_PCT [5] MAX_TRIES [3]  shared-host CPU guard, as in run.sh
#   OUT [bench/results/split-<UTC timestamp>]   KEEP [0] (1: leave a topology this script set up running)
# A topology that is already up (bench/.shared/.state, primary and pgpool answering) is reused and left
# running; otherwise setup.sh builds one and it is torn down at exit. pgherd instances this script
# started are always stopped at exit, by the PIDs pgherd.sh recorded.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED_SRC=${SHARED_SRC:-$HERE/../../shared/bench}
export SHARED=$HERE/.shared
mkdir -p "$SHARED"
# The shared directory is read-only and its scripts keep their state beside themselves: work on a copy.
cp -f "$SHARED_SRC"/*.sh "$SHARED/"
# shellcheck source=/dev/null
source "$SHARED/env.sh"

if [[ ${QUICK:-0} == 1 ]]; then
  T=${T:-3} REPEATS=${REPEATS:-1} WARMUP_S=${WARMUP_S:-1} QUIET_WAIT_S=${QUIET_WAIT_S:-10} MAX_TRIES=${MAX_TRIES:-1}
fi
T=${T:-20} REPEATS=${REPEATS:-2} CLIENTS=${CLIENTS:-16} JOBS=${JOBS:-2} WARMUP_S=${WARMUP_S:-5}
WORKLOADS=${WORKLOADS:-"select mix"}
TARGETS=${TARGETS:-"direct-primary pgpool pgherd-eventual pgherd-read-your-writes pgherd-strong"}
BASELINE=${BASELINE:-pgpool}
PRIMARY_READS=${PRIMARY_READS:-always}
MIX_READS=${MIX_READS:-9} MIX_WRITES=${MIX_WRITES:-1}
PGHERD_SPLIT_PORT=${PGHERD_SPLIT_PORT:-16441}
STATS_WAIT_S=${STATS_WAIT_S:-11}
QUIET_PCT=${QUIET_PCT:-5} QUIET_WAIT_S=${QUIET_WAIT_S:-60} RETRY_PCT=${RETRY_PCT:-5} MAX_TRIES=${MAX_TRIES:-3}
OUT=${OUT:-$HERE/results/split-$(date -u +%Y%m%dT%H%M%SZ)}
export PGPASSWORD=$BENCH_PASSWORD PGCONNECT_TIMEOUT=10
for w in $WORKLOADS; do [[ $w == select || $w == mix ]] || die "unknown workload $w (select, mix)"; done
for tool in pgbench psql pgbouncer pgpool haproxy ss timeout; do
  command -v $tool >/dev/null || die "missing $tool (apt-get install postgresql-client pgbouncer pgpool2 haproxy)"
done
PGBIN=$(find_pgbin)
mkdir -p "$OUT"
log "results -> $OUT"

# ---------------------------------------------------------------- cleanup
OWN_TOPOLOGY=0
STARTED_PORTS=()   # pgherd instances this script started (pgherd.sh stop kills each by its recorded PID)
declare -A ADDR=() NOTE=() PGHERD_DIR=()
cleanup() {
  local rc=$? p n
  trap - EXIT INT TERM
  for n in "${!PGHERD_DIR[@]}"; do   # keep pgherd's config and log: teardown deletes the work dir
    cp "${PGHERD_DIR[$n]}/pgherd.yml" "$OUT/pgherd.$n.yml" 2>/dev/null || true
    cp "${PGHERD_DIR[$n]}/pgherd.log" "$OUT/pgherd.$n.log" 2>/dev/null || true
  done
  for p in "${STARTED_PORTS[@]}"; do PGHERD_PORT=$p "$HERE/pgherd.sh" stop || true; done
  if [[ $OWN_TOPOLOGY == 1 && ${KEEP:-0} != 1 ]]; then "$SHARED/teardown.sh" || true; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- topology
sql_at() {  # sql_at [HOST:]PORT SQL — as the bench role, on a node (host 127.0.0.1) or a target
  local h=127.0.0.1; [[ $1 == *:* ]] && h=${1%:*}
  "$PGBIN/psql" -X -Atq -v ON_ERROR_STOP=1 -h "$h" -p "${1##*:}" -U "$BENCH_USER" -d "$BENCH_DB" -c "$2"
}
if [[ -f $STATE_FILE ]] && sql_at "$PRIMARY_PORT" "select 1" >/dev/null 2>&1 && sql_at "$PGPOOL_PORT" "select 1" >/dev/null 2>&1; then
  log "reusing the running topology ($STATE_FILE); it stays up afterwards"
else
  OWN_TOPOLOGY=1
  "$SHARED/setup.sh"
fi
# shellcheck source=/dev/null
source "$STATE_FILE"   # WORK, PGBIN
SCALE=$(sql_at "$PRIMARY_PORT" "select count(*) from pgbench_branches")

# ---------------------------------------------------------------- targets
start_pgherd() {  # start_pgherd NAME PORT [MODE] — MODE empty: primary only
  local n=$1 port=$2 mode=${3:-} st
  if [[ $port == 16433 ]]; then st=$HERE/.state; PGHERD_DIR[$n]=$WORK/pgherd; else st=$HERE/.state.$port; PGHERD_DIR[$n]=$WORK/pgherd-$port; fi
  if [[ -f $st ]]; then NOTE[$n]="not started: $st exists (another pgherd.sh instance)"; unset "PGHERD_DIR[$n]"; return 1; fi
  STARTED_PORTS+=("$port")
  if [[ -n $mode ]]; then
    PGHERD_PORT=$port PGHERD_REPLICAS=1 PGHERD_CONSISTENCY=$mode PGHERD_PRIMARY_READS=$PRIMARY_READS "$HERE/pgherd.sh" start
  else
    PGHERD_PORT=$port PGHERD_REPLICAS=0 "$HERE/pgherd.sh" start
  fi
}
NAMES=()
for t in $TARGETS; do
  case $t in
    direct-primary) n=$t; ADDR[$n]=127.0.0.1:$PRIMARY_PORT ;;
    pgpool) n=$t; ADDR[$n]=127.0.0.1:$PGPOOL_PORT ;;
    pgherd-eventual | pgherd-read-your-writes | pgherd-strong | pgherd-primary-only)
      n=$t
      case $t in
        pgherd-eventual) port=$PGHERD_SPLIT_PORT ;;
        pgherd-read-your-writes) port=$((PGHERD_SPLIT_PORT + 1)) ;;
        pgherd-strong) port=$((PGHERD_SPLIT_PORT + 2)) ;;
        *) port=$((PGHERD_SPLIT_PORT + 3)) ;;
      esac
      mode=${t#pgherd-}; [[ $mode == primary-only ]] && mode=""
      if start_pgherd "$n" "$port" "$mode"; then ADDR[$n]=127.0.0.1:$port
      else NOTE[$n]=${NOTE[$n]:-"pgherd did not start (log: pgherd.$n.log)"}; log "$n: ${NOTE[$n]} — skipped"; fi ;;
    *=*:*) n=${t%%=*}; ADDR[$n]=${t#*=} ;;
    *) die "unknown target '$t'" ;;
  esac
  NAMES+=("$n")
done

LIVE=()
for n in "${NAMES[@]}"; do
  [[ -n ${ADDR[$n]:-} ]] || continue
  a=${ADDR[$n]}
  if ! sql_at "$a" "select 1" >/dev/null 2>&1; then NOTE[$n]="unreachable at $a"; log "target $n ($a) unreachable — skipped"; continue; fi
  LIVE+=("$n")
  # which backends answer 6 new sessions (inet_server_port) — a quick look at the routing, not a measurement
  seen=$(for _ in 1 2 3 4 5 6; do sql_at "$a" "select inet_server_port()" 2>/dev/null || echo "?"; done | sort | uniq -c | awk '{ printf "%s×%s ", $2, $1 }')
  log "target $n = $a; 6 new sessions answered by port ${seen}"
done
[[ ${#LIVE[@]} -gt 0 ]] || die "no reachable targets"

# pgherd targets whose admin console has SHOW NODES with a select_count column
ADMIN=()
show_nodes() {  # show_nodes TARGET -> "node<TAB>select_count" lines
  local a=${ADDR[$1]}
  "$PGBIN/psql" -X -A -F $'\t' -P footer=off -h "${a%:*}" -p "${a##*:}" -U "$BENCH_USER" -d pgherd -c "SHOW NODES" 2>/dev/null |
    awk -F'\t' -v OFS='\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "select_count") c = i; next } c { print $1, $c }'
}
for n in "${LIVE[@]}"; do
  [[ $n == pgherd-* ]] && [[ -n $(show_nodes "$n" || true) ]] && ADMIN+=("$n")
done
snap_admin() {  # snap_admin LABEL -> show_nodes.tsv: label target node select_count
  local n
  for n in "${ADMIN[@]}"; do show_nodes "$n" | awk -v l="$1" -v t="$n" -v OFS='\t' '{ print l, t, $0 }' >>"$OUT/show_nodes.tsv" || true; done
}

# ---------------------------------------------------------------- workloads
cat >"$OUT/read.sql" <<'SQL'
\set aid random(1, 100000 * :scale)
SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
SQL
cat >"$OUT/write.sql" <<'SQL'
\set aid random(1, 100000 * :scale)
\set delta random(-5000, 5000)
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
SQL
wl_args() {  # wl_args WORKLOAD -> pgbench arguments (custom scripts get :scale from -s)
  case $1 in
    select) echo "-S" ;;
    mix) echo "-s $SCALE -f $OUT/read.sql@$MIX_READS -f $OUT/write.sql@$MIX_WRITES" ;;
  esac
}
declare -A WL_LABEL=([select]="(a) select-only -S" [mix]="(b) ${MIX_READS}:${MIX_WRITES} read/write mix")

# ---------------------------------------------------------------- foreign CPU load (as in the shared run.sh)
# "Foreign" CPU = CPU time of user-space processes neither owned by $SRV_USER (PostgreSQL, the
# proxies) nor descendants of this script (pgbench), as % of all CPUs. Before each run: wait up to
# QUIET_WAIT_S for it to drop below QUIET_PCT; a run during which it exceeded RETRY_PCT is repeated
# (MAX_TRIES tries at most) and the least disturbed try kept. Every try stays in raw.tsv.
NCPU=$(nproc) HZ=$(getconf CLK_TCK)
cpu_snap() {  # -> "foreign_ticks time_ns"
  local pg
  pg=$(ps -u "$SRV_USER" -o pid= | tr -s ' \n' '  ')
  echo "$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v pg=" $pg " -v me=$$ '
    { pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
      ppid[pid] = f[2]; t[pid] = f[12] + f[13] + f[14] + f[15]; kthread[pid] = int(f[7] / 2097152) % 2 }
    END { for (p in t) {
            if (kthread[p] || index(pg, " " p " ")) continue
            q = p; mine = 0
            for (i = 0; i < 64 && q > 1; i++) { if (q == me) { mine = 1; break }; q = ppid[q] }
            if (!mine) sum += t[p] }
          print sum + 0 }')" "$(date +%s%N)"
}
foreign_pct() {
  awk -v a="$1" -v b="$2" -v n="$NCPU" -v hz="$HZ" 'BEGIN { split(a, x, " "); split(b, y, " ")
    printf "%.1f", 100 * (y[1] - x[1]) / hz / (n * (y[2] - x[2]) / 1e9) }'
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
wait_quiet() {
  local s0 p waited=0
  while :; do
    s0=$(cpu_snap); sleep 2; p=$(foreign_pct "$s0" "$(cpu_snap)")
    lt "$p" "$QUIET_PCT" && break
    ((waited += 2))
    ((waited < QUIET_WAIT_S)) || { log "  foreign CPU still ${p}% after ${waited}s — running anyway"; break; }
  done
  ((waited == 0)) || log "  waited ${waited}s for foreign CPU load to drop"
}

# ---------------------------------------------------------------- per-node transactions
NODE_PORTS=("$PRIMARY_PORT" "$REPLICA1_PORT" "$REPLICA2_PORT")
node_xacts() {  # -> "primary replica1 replica2" xact_commit of the bench database (NA if unreadable)
  local p v out=()
  for p in "${NODE_PORTS[@]}"; do
    v=$(sql_at "$p" "select xact_commit from pg_stat_database where datname = current_database()" 2>/dev/null) || v=""
    out+=("${v:-NA}")
  done
  echo "${out[*]}"
}
# Both replicas replayed everything the primary has: every run starts with no replication lag.
caught_up() {
  local lsn p
  lsn=$(sql_at "$PRIMARY_PORT" "select pg_current_wal_lsn()") || return 1
  for p in "$REPLICA1_PORT" "$REPLICA2_PORT"; do
    [[ $(sql_at "$p" "select pg_last_wal_replay_lsn() >= '$lsn'") == t ]] || return 1
  done
}
wait_caught_up() {
  local i
  for ((i = 0; i < 120; i++)); do caught_up 2>/dev/null && return 0; sleep 0.25; done
  log "  replicas still behind the primary after 30 s — running anyway"
}

# ---------------------------------------------------------------- one run
RAW="$OUT/raw.tsv"
printf 'workload\ttarget\trep\ttry\tkept\trc\ttps\tlat_ms\tlat_read_ms\tlat_write_ms\txacts\taborted_clients\tfailed_xacts\tforeign_cpu_pct\txacts_primary\txacts_replica1\txacts_replica2\tfirst_error\n' >"$RAW"
script_lat() {  # script_lat LOG SCRIPT_FILE_SUFFIX -> that script's " - latency average" (multi-script runs)
  awk -v s="$2" '/^SQL script [0-9]+:/ { cur = (index($0, s) > 0) } cur && /^ - latency average = / { print $5; exit }' "$1"
}
attempt() {  # attempt WORKLOAD TARGET REP TRY — prints the foreign CPU % seen during the run
  local w=$1 n=$2 rep=$3 try=$4 a=${ADDR[$2]} f rc tps lat lr lw x ab fl err s0 p x0 x1 d
  f="$OUT/$w.$n.r$rep$( ((try > 1)) && echo ".try$try").log"
  if [[ $w == mix ]]; then sql_at "$PRIMARY_PORT" "checkpoint" >/dev/null 2>&1 || true; fi
  wait_caught_up
  wait_quiet
  local -a cmd
  read -r -a cmd <<<"pgbench -n $(wl_args "$w") -c $CLIENTS -j $JOBS -T $T -h ${a%:*} -p ${a##*:} -U $BENCH_USER $BENCH_DB"
  echo "# ${cmd[*]}" >"$f"
  x0=$(node_xacts)
  s0=$(cpu_snap)
  set +e
  niced timeout $((T + 120)) "${cmd[@]}" >>"$f" 2>&1
  rc=$?
  set -e
  p=$(foreign_pct "$s0" "$(cpu_snap)")
  sleep "$STATS_WAIT_S"   # idle pooled server connections flush their statistics within 10 s
  x1=$(node_xacts)
  d=$(awk -v a="$x0" -v b="$x1" 'BEGIN { n = split(a, x, " "); split(b, y, " ")
        for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "\t" : ""), (x[i] ~ /^[0-9]+$/ && y[i] ~ /^[0-9]+$/) ? y[i] - x[i] : "" }')
  echo "# exit code $rc; foreign CPU during run ${p}%; xact_commit delta primary/replica1/replica2: ${d//$'\t'/ }" >>"$f"
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$f" | head -1)
  lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$f" | head -1)
  lr=""; lw=""
  if [[ $w == mix ]]; then lr=$(script_lat "$f" read.sql); lw=$(script_lat "$f" write.sql); fi
  x=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$f" | head -1)
  fl=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$f" | head -1)
  ab=$(grep -cE 'client [0-9]+ (script [0-9]+ )?aborted' "$f" || true)
  err=$( { grep -E 'client [0-9]+ .*aborted' "$f"; grep -E 'ERROR|FATAL|error:' "$f" | grep -v 'Run was aborted'; } 2>/dev/null |
        head -1 | cut -c1-160 | tr '\t|' '  ' || true)
  printf '%s\t%s\t%s\t%s\t0\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$w" "$n" "$rep" "$try" "$rc" "${tps:-}" "${lat:-}" \
    "${lr:-}" "${lw:-}" "${x:-}" "$ab" "${fl:-}" "$p" "$d" "$err" >>"$RAW"
  log "$w  $n  rep $rep$( ((try > 1)) && echo " try $try"): rc=$rc tps=${tps:-?} lat=${lat:-?}ms foreign=${p}% xacts p/r1/r2=${d//$'\t'/\/}$( ((ab > 0)) && echo " aborted_clients=$ab")"
  echo "$p"
}
run_one() {  # run_one WORKLOAD TARGET REP — attempt, repeating while foreign load was too high
  local w=$1 n=$2 rep=$3 try p best=1 bestp=
  for ((try = 1; try <= MAX_TRIES; try++)); do
    p=$(attempt "$w" "$n" "$rep" "$try")
    if [[ -z $bestp ]] || lt "$p" "$bestp"; then best=$try bestp=$p; fi
    lt "$RETRY_PCT" "$p" || break
    ((try < MAX_TRIES)) && log "  foreign CPU ${p}% > ${RETRY_PCT}% during that run — repeating it"
  done
  awk -F'\t' -v OFS='\t' -v w="$w" -v n="$n" -v r="$rep" -v k="$best" \
    'NR > 1 && $1 == w && $2 == n && $3 == r { $5 = ($4 == k) ? 1 : 0 } 1' "$RAW" >"$RAW.tmp" && mv "$RAW.tmp" "$RAW"
}

# ---------------------------------------------------------------- measure
# Warm-up (not recorded): caches, the proxies' pools and pgherd's JIT, with every workload.
for n in "${LIVE[@]}"; do
  a=${ADDR[$n]}
  for w in $WORKLOADS; do
    read -r -a wa <<<"$(wl_args "$w")"
    niced pgbench -n "${wa[@]}" -c "$CLIENTS" -j "$JOBS" -T "$WARMUP_S" -h "${a%:*}" -p "${a##*:}" -U "$BENCH_USER" "$BENCH_DB" \
      >"$OUT/warmup.$w.$n.log" 2>&1 || log "warm-up $w on $n failed (see warmup.$w.$n.log)"
  done
done
sleep "$STATS_WAIT_S"   # the warm-up's statistics must not be credited to the first run
snap_admin start
for w in $WORKLOADS; do
  for ((r = 0; r < REPEATS; r++)); do
    for ((i = 0; i < ${#LIVE[@]}; i++)); do
      run_one "$w" "${LIVE[$(((i + r) % ${#LIVE[@]}))]}" $((r + 1))
    done
  done
  snap_admin "$w"
done

# ---------------------------------------------------------------- summary
# stats WORKLOAD TARGET COLUMN -> "median min max" of that raw.tsv column over the kept runs (empty if none)
stats() { awk -F'\t' -v w="$1" -v n="$2" -v c="$3" 'NR > 1 && $1 == w && $2 == n && $5 == 1 { print $c }' "$RAW" |
  { grep -E '^[0-9.]+$' || true; } | sort -g | awk '
  { v[NR] = $1 } END { if (NR == 0) exit; m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
  print m, v[1], v[NR] }'; }
median() { stats "$@" | awk '{ print $1 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b }'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v != "") printf f, v; else printf "n/a" }'; }
# shares WORKLOAD TARGET -> "P / R1 / R2 % <TAB> server xacts per pgbench xact" over the kept runs
shares() {
  awk -F'\t' -v w="$1" -v n="$2" 'NR > 1 && $1 == w && $2 == n && $5 == 1 && $15 != "" {
      p += $15; r1 += $16; r2 += $17; x += $11 }
    END { s = p + r1 + r2; if (s <= 0) { print "\t"; exit }
          printf "%.0f / %.0f / %.0f\t%s\n", 100 * p / s, 100 * r1 / s, 100 * r2 / s, (x > 0 ? sprintf("%.2f", s / x) : "") }' "$RAW"
}
notes() {
  awk -F'\t' -v w="$1" -v n="$2" 'NR > 1 && $1 == w && $2 == n {
      if ($5 != 1) { re++; next }
      t++; if ($6 != 0) bad++; ab += $12; fl += $13; if (e == "" && $18 != "") e = $18 }
    END { s = ""; if (bad) s = bad "/" t " runs exit!=0"; if (ab) s = s (s ? "; " : "") ab " clients aborted";
          if (fl) s = s (s ? "; " : "") fl " failed xacts"; if (e != "") s = s (s ? ": " : "") "`" e "`"
          if (re) s = s (s ? "; " : "") re " run(s) repeated for foreign load"; print s }' "$RAW"
}
has_replicas() { [[ $1 == pgherd-eventual || $1 == pgherd-read-your-writes || $1 == pgherd-strong ]]; }

{
  echo "## Read/write splitting: pgbench, $(date -u '+%Y-%m-%d %H:%M UTC'), $REPEATS repetition(s), median [min–max]"
  echo
  echo "Host: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); $("$PGBIN/postgres" --version); $(pgbench --version); $(pgpool --version 2>&1 | head -1)"
  echo
  echo "Every run: \`pgbench -n -c $CLIENTS -j $JOBS -T $T\`; (a) \`-S\`; (b) \`-s $SCALE -f read.sql@$MIX_READS -f write.sql@$MIX_WRITES\`"
  echo "(read.sql: \`SELECT abalance FROM pgbench_accounts WHERE aid = :aid\`; write.sql: \`UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid\`;"
  echo "autocommit, one statement per transaction). Before each run the replicas had replayed all of the primary's WAL; before each"
  echo "(b) run the primary checkpointed. Each run waited for foreign CPU < ${QUIET_PCT}% and was repeated (max $MAX_TRIES tries) above ${RETRY_PCT}%."
  echo
  echo "Pgpool-II: streaming replication, load_balance_mode on, backend_weight 1 on the primary and both replicas, session-level"
  echo "load balancing (each pgbench connection sticks to one node for its reads). pgherd: primary + 2 replicas (weight 1),"
  echo "routing.primary_reads = $PRIMARY_READS, transaction pooling, pool_size 20 per node; one instance per consistency mode,"
  echo "all running during the whole measurement (idle ones only do their health checks)."
  echo
  echo "\"xacts on nodes\" = share of pg_stat_database.xact_commit (database $BENCH_DB) added on primary / replica1 / replica2 during"
  echo "the kept runs; \"server/client\" = those server transactions per pgbench transaction (>1: the proxy runs queries of its own)."
  echo
  echo "| workload | target | TPS median | TPS min–max | TPS vs $BASELINE | avg latency ms | latency min–max | read / write latency ms | xacts on nodes P / R1 / R2 % | server/client | foreign CPU % | notes |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for w in $WORKLOADS; do
    bt=$(median "$w" "$BASELINE" 7)
    for n in "${NAMES[@]}"; do
      if [[ " ${LIVE[*]} " != *" $n "* ]]; then
        echo "| ${WL_LABEL[$w]} | $n | – | – | – | – | – | – | – | – | – | not run: ${NOTE[$n]:-?} |"; continue
      fi
      read -r tm tn tx <<<"$(stats "$w" "$n" 7)" || true
      read -r lm ln lx <<<"$(stats "$w" "$n" 8)" || true
      read -r _ _ fx <<<"$(stats "$w" "$n" 14)" || true
      IFS=$'\t' read -r sh sc <<<"$(shares "$w" "$n")" || true
      rw=""
      if [[ $w == mix ]]; then
        lr=$(median "$w" "$n" 9); lw=$(median "$w" "$n" 10)
        [[ -n $lr || -n $lw ]] && rw="$(fmt "$lr" %.3f) / $(fmt "$lw" %.3f)"
      fi
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${WL_LABEL[$w]}" "$n" \
        "$(fmt "${tm:-}" %.0f)" "$(awk -v a="${tn:-}" -v b="${tx:-}" 'BEGIN { if (a != "") printf "%.0f–%.0f", a, b }')" \
        "$(ratio "${tm:-}" "$bt")" "$(fmt "${lm:-}" %.3f)" "$([[ -n ${ln:-} ]] && echo "$ln–$lx")" "$rw" \
        "${sh:-}" "${sc:-}" "${fx:-}" "$(notes "$w" "$n")"
      unset tm tn tx lm ln lx fx sh sc
    done
  done

  modes=()
  for n in "${LIVE[@]}"; do has_replicas "$n" && modes+=("$n"); done
  if [[ ${#modes[@]} -gt 0 ]]; then
    echo
    echo "### Cost of pgherd's consistency modes (same run, vs pgherd-eventual)"
    echo
    echo "| workload | mode | TPS median | TPS vs eventual | avg latency ms | Δ latency vs eventual ms | read latency ms | xacts on primary % |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    for w in $WORKLOADS; do
      et=$(median "$w" pgherd-eventual 7); el=$(median "$w" pgherd-eventual 8)
      for n in pgherd-eventual pgherd-read-your-writes pgherd-strong; do
        [[ " ${modes[*]} " == *" $n "* ]] || continue
        tm=$(median "$w" "$n" 7); lm=$(median "$w" "$n" 8)
        lr=""; [[ $w == mix ]] && lr=$(fmt "$(median "$w" "$n" 9)" %.3f)
        IFS=$'\t' read -r sh _ <<<"$(shares "$w" "$n")" || true
        printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "${WL_LABEL[$w]}" "${n#pgherd-}" "$(fmt "$tm" %.0f)" \
          "$(ratio "$tm" "$et")" "$(fmt "$lm" %.3f)" \
          "$(awk -v a="$lm" -v b="$el" 'BEGIN { if (a != "" && b != "") printf "%+.3f", a - b }')" "$lr" "${sh%% *}"
      done
    done
  fi

  if [[ -s $OUT/show_nodes.tsv ]]; then
    echo
    echo "### pgherd's own counters (SHOW NODES select_count added during each workload, all repetitions)"
    echo
    for n in "${ADMIN[@]}"; do
      awk -F'\t' -v t="$n" '$2 == t {
          k = $3; if (!(k in last)) { last[k] = $4; nodes[++nn] = k; next }
          d[$1, k] = $4 - last[k]; last[k] = $4; if (!($1 in seen)) { seen[$1] = 1; wl[++nw] = $1 } }
        END { for (i = 1; i <= nw; i++) { printf "- %s, %s:", t, wl[i]
                for (j = 1; j <= nn; j++) printf " %s=%d", nodes[j], d[wl[i], nodes[j]]; print "" } }' "$OUT/show_nodes.tsv"
    done
  fi
  echo
  echo "Raw pgbench output, raw.tsv and each pgherd instance's configuration and log: $OUT"
} | tee "$OUT/summary.md"
