#!/usr/bin/env bash
# Server CPU for ingest, two builds compared: each ingests the same generated
# company logs over HTTP (one `mayak ingest` client, fsync on), flushes and
# merges included, RUNS times, the builds taking turns so that the machine's
# drift (5-10% within minutes here) falls on both alike. How each step of
# docs/benchmarks.md "Ingest CPU" was judged.
#
#   bench/ingest_ab.sh OLD_BINARY NEW_BINARY [RECORDS] [RUNS]   (defaults: 2000000 and 3)
#
# Prints each run, then per build the median and range of CPU seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
builds=("$1" "$2")
records=${3:-2000000}
runs=${4:-3}
for b in "${builds[@]}"; do [ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }; done
export MAYAK_BIN=${builds[0]}
# shellcheck source=bench/clickhouse.sh
source bench/clickhouse.sh
# shellcheck source=bench/common.sh
source bench/common.sh

echo "generating $records records..." >&2
"${builds[0]}" bench gen --records "$records" --output "$work/logs.ndjson"
declare -A cpu
for run in $(seq "$runs"); do
  for b in "${builds[@]}"; do
    mayak=$b
    rm -rf "$work/data"
    mayak_start
    cpu0=$(cpu_seconds "$server_pid")
    mayak_load "$work/logs.ndjson"
    seconds=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$server_pid")" 'BEGIN {print b - a}')
    kill "$server_pid"
    wait "$server_pid" || true
    server_pid=""
    cpu[$b]+="$seconds "
    echo "run $run: $b: $seconds CPU-s (ingest $ingest_ms ms)"
  done
done
for b in "${builds[@]}"; do
  # shellcheck disable=SC2086
  printf '%s\n' ${cpu[$b]} | sort -n | awk -v b="$b" -v n="$records" '{a[NR] = $1}
    END { m = a[int((NR + 1) / 2)];
          printf "%s: %.2f CPU-s (%.2f-%.2f), %.0f records per CPU-second\n", b, m, a[1], a[NR], n / m }'
done
