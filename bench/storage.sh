#!/usr/bin/env bash
# Storage and search benchmark: Mayak against ClickHouse (Debian's 18.16,
# MergeTree with zstd) and ripgrep over the raw NDJSON file, in one run, on
# the same generated data.
#
#   bench/storage.sh [RECORDS] [REPEATS]      (defaults: 1000000 and 5)
#
# Needs the Release build (make build); installs Debian's ripgrep, zstd and
# clickhouse-server when missing. Prints a Markdown table for
# docs/benchmarks.md: medians over REPEATS runs with the min-max spread.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
repeats=${2:-5}
mayak=${MAYAK_BIN:-build/mayak}  # MAYAK_BIN: another build to compare
[ -x "$mayak" ] || { echo "build first: make build" >&2; exit 1; }
for tool in rg zstd; do
  command -v "$tool" >/dev/null || apt-get install -y -qq --no-install-recommends \
    "$([ "$tool" = rg ] && echo ripgrep || echo zstd)" >&2
done
# shellcheck source=bench/clickhouse.sh
source bench/clickhouse.sh

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  clickhouse_stop
  rm -rf "$work"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
# Runs "$@" REPEATS times; prints "median min max" in milliseconds.
measure() {
  local times=()
  for _ in $(seq "$repeats"); do
    local t0; t0=$(now_ms)
    "$@" >/dev/null
    times+=($(( $(now_ms) - t0 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[1], a[NR]}'
}
# name, mayak "median min max", then pairs of peer name and "median min max"
row() {
  local name=$1 mayak=$2; shift 2
  local line
  line=$(awk -v n="$name" -v t="$mayak" 'BEGIN { split(t, m, " ");
           printf "| %s | %d ms (%d-%d)", n, m[1], m[2], m[3] }')
  while [ $# -gt 0 ]; do
    line+=$(awk -v m="${mayak%% *}" -v t="$2" 'BEGIN { split(t, p, " ");
              r = (m > 0) ? p[1] / m : 0;
              printf " | %d ms (%d-%d) | %.1fx", p[1], p[2], p[3], r }')
    shift 2
  done
  echo "$line |"
}

echo "generating $records records..." >&2
"$mayak" bench gen --records "$records" --output "$work/logs.ndjson"
raw_bytes=$(stat -c %s "$work/logs.ndjson")
first_day=$(head -c 40 "$work/logs.ndjson" | grep -o '20[0-9-]*T' | tr -d T)

# --- Mayak ---
MAYAK_STORAGE_FLUSH_INTERVAL=2s "$mayak" server --data-dir "$work/data" --listen 127.0.0.1:0 --es-listen off --otlp-http-listen off \
  --otlp-grpc-listen off --zipkin-listen off --jaeger-listen off --syslog-listen off \
  2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"msg":"ready"' "$work/server.log" && break; sleep 0.1; done
url=$(grep -o '"url":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4)
export MAYAK_SERVER=$url

echo "ingesting into mayak..." >&2
# CPU seconds of a process so far (user + system), from /proc.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }
cpu0=$(cpu_seconds "$server_pid")
t0=$(now_ms)
"$mayak" ingest -q "$work/logs.ndjson" 2>"$work/ingest.log"
ingest_ms=$(( $(now_ms) - t0 ))
# Wait until the memtable is flushed to segments (the WAL shrinks to its
# header) and merges have settled.
# A metric's value as a whole number (the exposition may write 4.87e+08).
metric() { curl -sf "$url/metrics" | awk -v m="$1" '$1 == m {printf "%.0f\n", $2}'; }
for _ in $(seq 600); do
  [ "$(metric mayak_storage_wal_bytes)" -lt 100000 ] && break
  sleep 0.2
done
# Background merges settle: none running, twice 10 s apart (at most 10 minutes).
for _ in $(seq 60); do
  [ "$(metric mayak_storage_merging_segments)" = 0 ] && sleep 10 &&
    [ "$(metric mayak_storage_merging_segments)" = 0 ] && break
  sleep 2
done
# The server's CPU for the whole ingest: requests, flushes and merges.
cpu_ingest=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$server_pid")" 'BEGIN {print b - a}')
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
mayak_bytes=$(metric mayak_storage_bytes)

# --- ClickHouse: the columns of the generated logs, a sensible ORDER BY ---
echo "ingesting into clickhouse..." >&2
clickhouse_start "$work/clickhouse"
clickhouse_query "CREATE TABLE logs (
  \`@timestamp\` DateTime, \`log.level\` String, message String, system String,
  \`service.name\` String, \`host.name\` String, \`event.action\` String, \`trace.id\` String,
  \`http.request.method\` String, \`url.path\` String, \`http.response.status_code\` UInt16,
  \`event.duration\` UInt64, \`user.id\` String, \`client.ip\` String, \`order.id\` UInt64,
  \`order.status\` String, \`error.type\` String, \`error.message\` String,
  \`error.stack_trace\` String, \`db.system\` String, \`db.statement\` String,
  \`messaging.system\` String, \`messaging.destination.name\` String,
  \`rabbitmq.death.reason\` String, \`rabbitmq.death.queue\` String,
  \`rabbitmq.death.count\` UInt32
) ENGINE = MergeTree PARTITION BY toDate(\`@timestamp\`)
  ORDER BY (system, \`service.name\`, \`@timestamp\`)"
t0=$(now_ms)
clickhouse_insert logs JSONEachRow <"$work/logs.ndjson"
ch_ingest_ms=$(( $(now_ms) - t0 ))
# Its background merges settle: no merge running for 10 s in a row.
for _ in $(seq 60); do
  [ "$(clickhouse_query "SELECT count() FROM system.merges")" = 0 ] && sleep 10 &&
    [ "$(clickhouse_query "SELECT count() FROM system.merges")" = 0 ] && break
  sleep 2
done
# Active parts only: merged-away parts linger on disk for minutes.
ch_bytes=$(clickhouse_query "SELECT sum(bytes) FROM system.parts WHERE table = 'logs' AND active")
ch_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$clickhouse_pid/status")
ch_rows=$(clickhouse_query "SELECT count() FROM logs")
[ "$ch_rows" = "$records" ] || echo "warning: clickhouse holds $ch_rows rows of $records" >&2
# zstd -19 is slow (minutes a GB): at most the first million lines, per record.
zstd_lines=$(( records < 1000000 ? records : 1000000 ))
zstd_bytes=$(head -n "$zstd_lines" "$work/logs.ndjson" | zstd -q -19 -T2 -c | wc -c)

# --- the queries, each the same question on both sides ---
# A needle: an order id that occurs a few times; a rare word from a stack trace.
order_id=$(grep -o '"order.id":[0-9]*' "$work/logs.ndjson" | sed -n '1000p' | cut -d: -f2)
# query Q [LIMIT [FROM [TO]]]: Mayak's query API, as a user's client calls it.
query() {
  curl -sfG "$url/api/v1/query" --data-urlencode "q=$1" -d "limit=${2:-100}" \
    --data-urlencode "from=${3:-0}" --data-urlencode "to=${4:-now+3650d}"
}
ch() { clickhouse_query "$1"; }
hits_sql() { echo "SELECT * FROM logs WHERE $1 ORDER BY \`@timestamp\` DESC LIMIT 100 FORMAT JSONEachRow"; }
day_from="${first_day}T00:00:00Z"
day_to="${first_day}T23:59:59.999Z"

needle_mayak=$(measure query "order.id:$order_id")
needle_ch=$(measure ch "$(hits_sql "\`order.id\` = $order_id")")
needle_rg=$(measure rg -c "\"order.id\":$order_id[,}]" "$work/logs.ndjson")
word_mayak=$(measure query "deadlock")
word_ch=$(measure ch "$(hits_sql "match(message, '(?i)\\\\bdeadlock\\\\b')")")
word_rg=$(measure rg -c -i '\bdeadlock\b' "$work/logs.ndjson")
count_mayak=$(measure query "http.response.status_code:500" 0)
count_ch=$(measure ch "SELECT count() FROM logs WHERE \`http.response.status_code\` = 500")
count_rg=$(measure rg -c '"http.response.status_code":500[,}]' "$work/logs.ndjson")
by_mayak=$(measure query "| stats count() by service.name, http.response.status_code")
by_ch=$(measure ch "SELECT \`service.name\`, \`http.response.status_code\`, count() AS c FROM logs
  WHERE \`http.response.status_code\` > 0
  GROUP BY \`service.name\`, \`http.response.status_code\` ORDER BY c DESC")
minute_mayak=$(measure query "| timechart span=1m count()" 0 "$day_from" "$day_to")
minute_ch=$(measure ch "SELECT toStartOfMinute(\`@timestamp\`) AS m, count() FROM logs
  WHERE \`@timestamp\` >= toDateTime('$first_day 00:00:00')
    AND \`@timestamp\` < toDateTime('$first_day 00:00:00') + 86400 GROUP BY m ORDER BY m")

# Every side must find the same records, or the times compare nothing.
total() { query "$1" 0 | grep -o '"total":[0-9]*' | cut -d: -f2; }
check() {  # mayak query, clickhouse condition, ripgrep pattern
  local ours theirs rg_count
  ours=$(total "$1")
  theirs=$(ch "SELECT count() FROM logs WHERE $2")
  rg_count=$(rg -c "$3" "$work/logs.ndjson" || echo 0)
  [ "$ours" = "$theirs" ] && [ "$ours" = "$rg_count" ] ||
    echo "warning: $1: Mayak found $ours, ClickHouse $theirs, ripgrep $rg_count" >&2
  echo "$ours"
}
needle_hits=$(check "order.id:$order_id" "\`order.id\` = $order_id" "\"order.id\":$order_id[,}]")
word_hits=$(check "deadlock" "match(message, '(?i)\\\\bdeadlock\\\\b')" \
  '(?i)"message":"[^"]*\bdeadlock\b')
count_hits=$(check "http.response.status_code:500" "\`http.response.status_code\` = 500" \
  '"http.response.status_code":500[,}]')
groups_mayak=$(query "| stats count() by service.name, http.response.status_code" |
  grep -o '\],\[' | wc -l)
groups_ch=$(ch "SELECT count() FROM (SELECT 1 FROM logs WHERE \`http.response.status_code\` > 0
  GROUP BY \`service.name\`, \`http.response.status_code\`)")
[ "$(( groups_mayak + 1 ))" = "$groups_ch" ] ||
  echo "warning: groups: Mayak $(( groups_mayak + 1 )), ClickHouse $groups_ch" >&2

echo "## $records records, $(( raw_bytes / records )) bytes a line, $(nproc) cores, $(date -u +%F)"
echo
echo "| measure | Mayak | ClickHouse | ClickHouse / Mayak | ripgrep | ripgrep / Mayak |"
echo "|---|---|---|---|---|---|"
row "needle \`order.id:$order_id\` ($needle_hits hits)" "$needle_mayak" ch "$needle_ch" rg "$needle_rg"
row "rare word \`deadlock\` ($word_hits hits)" "$word_mayak" ch "$word_ch" rg "$word_rg"
row "count \`http.response.status_code:500\` ($count_hits)" "$count_mayak" ch "$count_ch" \
  rg "$count_rg"
row "count by service.name, status ($groups_ch groups)" "$by_mayak" ch "$by_ch"
row "one day by minute" "$minute_mayak" ch "$minute_ch"
echo
awk -v r="$records" -v ms="$ingest_ms" -v chms="$ch_ingest_ms" -v raw="$raw_bytes" \
    -v mb="$mayak_bytes" -v cb="$ch_bytes" -v zb="$zstd_bytes" -v zl="$zstd_lines" -v rss="$rss_kb" \
    -v chrss="$ch_rss_kb" -v cores="$(nproc)" -v cpu="$cpu_ingest" 'BEGIN {
  printf "- ingest over HTTP, fsync on (mayak ingest, one client, 5000-line batches): Mayak %.0f records/s (%.0f per core); ClickHouse JSONEachRow insert of the same file %.0f records/s (ClickHouse / Mayak %.2fx)\n", r / (ms / 1000), r / (ms / 1000) / cores, r / (chms / 1000), ms / chms
  printf "- Mayak server CPU for the ingest, flushes and merges included: %.2f µs a record (%.0f records per CPU-second)\n", cpu * 1e6 / r, r / cpu
  printf "- on disk: Mayak %.1f bytes/record; ClickHouse %.1f (Mayak / ClickHouse %.2fx); raw NDJSON %.1f; zstd -19 of the raw file %.1f\n", mb / r, cb / r, mb / cb, raw / r, zb / zl
  printf "- server RSS after ingest: Mayak %.0f MB, ClickHouse %.0f MB\n", rss / 1024, chrss / 1024 }'
echo
echo "What each field costs in Mayak (\`mayak admin columns\`):"
echo
echo '```'
"$mayak" admin columns --data-dir "$work/data"
echo '```'
