#!/usr/bin/env bash
# cli-latency.sh DIR [RUNS] — how long 'pgherd list' and 'pgherd status' take against the running
# local cluster in DIR, each command RUNS times (default 10) after one warm-up run, as a user runs
# them (./pgherd, so with its JVM options and class-data archive) and, for comparison, as a bare
# 'java -jar pgherd.jar' with the JVM's defaults. Prints the median and the range of wall-clock,
# user and system seconds (GNU time) per command as a Markdown table. On a shared machine quote
# the medians; CPU seconds (user + sys) move less with the load than wall-clock time does.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:?usage: cli-latency.sh DIR [RUNS]}
RUNS=${2:-10}
JAR=$ROOT/pgherd-cli/target/pgherd.jar

measure() { # label, command...
  local label=$1 out
  shift
  "$@" >/dev/null 2>&1 || true # warm-up (and, for ./pgherd, the class-data archive if it is missing)
  out=$(for _ in $(seq "$RUNS"); do /usr/bin/time -f '%e %U %S' "$@" 2>&1 >/dev/null | tail -1; done)
  awk -v label="$label" '
    { wall[NR] = $1; user[NR] = $2; sys[NR] = $3; cpu[NR] = $2 + $3 }
    function median(a, n,   i, j, t) {
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
      n = NR; lo = wall[1]; hi = wall[1]
      for (i = 1; i <= n; i++) { if (wall[i] < lo) lo = wall[i]; if (wall[i] > hi) hi = wall[i] }
      printf "| %s | %d | %.2f | %.2f–%.2f | %.2f | %.2f | %.2f |\n", label, n, median(wall, n), lo, hi, median(user, n),
        median(sys, n), median(cpu, n)
    }' <<<"$out"
}

echo "| command | runs | wall median (s) | wall range (s) | user median (s) | sys median (s) | cpu median (s) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for cmd in list status; do
  measure "./pgherd $cmd" "$ROOT/pgherd" "$cmd" --dir "$DIR"
  measure "java -jar pgherd.jar $cmd" java -jar "$JAR" "$cmd" --dir "$DIR"
done
