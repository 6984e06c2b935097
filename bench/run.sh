#!/usr/bin/env bash
# run.sh — pgherd's proxy measured side by side with direct PostgreSQL, PgBouncer, Pgpool-II and
# HAProxy, in one run, with the shared scripts (../shared/bench): set up the topology if needed,
# start pgherd in front of its primary, run every workload against every target, then measure
# memory with 10,000 idle clients. Results go to bench/results/<UTC timestamp>/.
# Environment: anything ../shared/bench/run.sh takes (WORKLOADS, REPEATS, T_LONG ...), plus
#   IDLE_CLIENTS [10000], KEEP [0] (1: leave the topology running afterwards).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED_SRC=${SHARED_SRC:-$HERE/../../shared/bench}
export SHARED=$HERE/.shared
mkdir -p "$SHARED"
# The shared directory is read-only and its scripts keep their state beside themselves: work on a copy.
cp "$SHARED_SRC"/*.sh "$SHARED/"
for tool in pgbench pgbouncer pgpool haproxy bc; do
  command -v $tool >/dev/null || { echo "run.sh: missing $tool (apt-get install postgresql-client pgbouncer pgpool2 haproxy bc)" >&2; exit 1; }
done
[[ -f $SHARED/.state ]] || "$SHARED/setup.sh"
"$HERE/pgherd.sh" start
OUT=${OUT:-$HERE/results/$(date -u +%Y%m%dT%H%M%SZ)}
export OUT
mkdir -p "$OUT"
trap '"$HERE/pgherd.sh" stop; [[ ${KEEP:-0} == 1 ]] || "$SHARED/teardown.sh"' EXIT
"$SHARED/run.sh" "pgherd=127.0.0.1:${PGHERD_PORT:-16433}" | tee "$OUT/summary.md"
"$HERE/memory.sh" "${IDLE_CLIENTS:-10000}" | tee "$OUT/memory.md"
