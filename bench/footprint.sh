#!/usr/bin/env bash
# footprint.sh [DIR] — resident memory of each process of a local cluster, by kind: each HA agent,
# the embedded ZooKeeper, each proxy, and the PostgreSQL servers (all their processes, summed).
# With DIR of a running cluster, measures it as it is. Without, starts a new 4-node cluster with
# './pgherd up --detach' in a temporary directory (on free ports from 35432, 36432, 39930, 32181,
# 38008 unless BASE_PORT etc. say otherwise), lets it idle SETTLE seconds (default 60: the agents'
# heaps reach their steady size), measures, and stops and removes it.
# RSS is VmRSS from /proc/PID/status; PSS (from /proc/PID/smaps_rollup) divides pages shared
# between processes (the JDK's libraries, the class-data archive) among them.
# The JVM options of each kind can be changed with PGHERD_AGENT_JAVA_OPTS, PGHERD_PROXY_JAVA_OPTS
# and PGHERD_ZOOKEEPER_JAVA_OPTS (see pgherd-cli's JvmOptions). Prints a Markdown table.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SETTLE=${SETTLE:-60}
DIR=${1:-}
OWN=""
if [[ -z $DIR ]]; then
  DIR=$(mktemp -d /tmp/pgherd-footprint.XXXXXX)
  chmod 755 "$DIR" # the postgres OS user runs the servers when this runs as root
  OWN=$DIR
  trap '"$ROOT/pgherd" down --dir "$OWN" >/dev/null 2>&1 || true; rm -rf "$OWN"' EXIT
  "$ROOT/pgherd" up --detach --dir "$DIR" --base-port "${BASE_PORT:-35432}" --proxy-port "${PROXY_PORT:-36432}" \
    --metrics-port "${METRICS_PORT:-39930}" --zookeeper-port "${ZOOKEEPER_PORT:-32181}" --api-port "${API_PORT:-38008}" >/dev/null
  sleep "$SETTLE"
fi

kib() { awk -v k="$2" '$1 == k":" { print $2; exit }' "$1" 2>/dev/null || echo 0; }
alive() { [[ -s $1 ]] && kill -0 "$(tr -d '[:space:]' <"$1")" 2>/dev/null; }

echo "| process | pid | RSS (MiB) | PSS (MiB) | threads | JVM options |"
echo "|---|---:|---:|---:|---:|---|"
total_rss=0
total_pss=0
row() { # name pid
  local name=$1 pid=$2 rss pss threads opts
  rss=$(kib "/proc/$pid/status" VmRSS)
  pss=$(kib "/proc/$pid/smaps_rollup" Pss)
  threads=$(kib "/proc/$pid/status" Threads)
  opts=$(tr '\0' '\n' <"/proc/$pid/cmdline" | grep -E '^-X' | tr '\n' ' ' || true)
  printf '| %s | %s | %.1f | %.1f | %s | %s |\n' "$name" "$pid" "$(bc -l <<<"$rss/1024")" "$(bc -l <<<"$pss/1024")" \
    "$threads" "${opts% }"
  total_rss=$((total_rss + rss))
  total_pss=$((total_pss + pss))
}
for f in "$DIR"/agents/*.pid; do
  if alive "$f"; then row "agent $(basename "$f" .pid)" "$(tr -d '[:space:]' <"$f")"; fi
done
if alive "$DIR/zookeeper.pid"; then row "zookeeper" "$(tr -d '[:space:]' <"$DIR/zookeeper.pid")"; fi
for f in "$DIR/proxy.pid" "$DIR"/proxies/*.pid; do
  if alive "$f"; then row "proxy $(basename "$f" .pid)" "$(tr -d '[:space:]' <"$f")"; fi
done
printf '| **pgherd processes** | | **%.1f** | **%.1f** | | |\n' "$(bc -l <<<"$total_rss/1024")" "$(bc -l <<<"$total_pss/1024")"
pg_rss=0
pg_pss=0
for d in "$DIR"/node*/data; do
  [[ -s $d/postmaster.pid ]] || continue
  main=$(head -1 "$d/postmaster.pid")
  for pid in "$main" $(pgrep -P "$main" || true); do
    pg_rss=$((pg_rss + $(kib "/proc/$pid/status" VmRSS)))
    pg_pss=$((pg_pss + $(kib "/proc/$pid/smaps_rollup" Pss)))
  done
done
printf '| PostgreSQL (every server process) | | %.1f | %.1f | | |\n' "$(bc -l <<<"$pg_rss/1024")" "$(bc -l <<<"$pg_pss/1024")"
