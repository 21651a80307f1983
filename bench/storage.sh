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
for tool in rg zstd; do
  command -v "$tool" >/dev/null || apt-get install -y -qq --no-install-recommends \
    "$([ "$tool" = rg ] && echo ripgrep || echo zstd)" >&2
done
# shellcheck source=bench/clickhouse.sh
source bench/clickhouse.sh
# shellcheck source=bench/common.sh
source bench/common.sh

echo "generating $records records..." >&2
"$mayak" bench gen --records "$records" --output "$work/logs.ndjson"
raw_bytes=$(stat -c %s "$work/logs.ndjson")
first_day=$(head -c 40 "$work/logs.ndjson" | grep -o '20[0-9-]*T' | tr -d T)

# --- Mayak ---
mayak_start
echo "ingesting into mayak..." >&2
cpu0=$(cpu_seconds "$server_pid")
mayak_load "$work/logs.ndjson"
# The server's CPU for the whole ingest: requests, flushes and merges.
cpu_ingest=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$server_pid")" 'BEGIN {print b - a}')
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
mayak_bytes=$(mayak_metric mayak_storage_bytes)

# --- ClickHouse ---
echo "ingesting into clickhouse..." >&2
clickhouse_load "$work/logs.ndjson"
# Active parts only: merged-away parts linger on disk for minutes.
ch_bytes=$(clickhouse_query "SELECT sum(bytes) FROM system.parts WHERE table = 'logs' AND active")
ch_rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$clickhouse_pid/status")
ch_rows=$(clickhouse_query "SELECT count() FROM logs")
clickhouse_time_http_insert "$work/logs.ndjson"
[ "$ch_rows" = "$records" ] || echo "warning: clickhouse holds $ch_rows rows of $records" >&2
# zstd -19 is slow (minutes a GB): at most the first million lines, per record.
zstd_lines=$(( records < 1000000 ? records : 1000000 ))
zstd_bytes=$(head -n "$zstd_lines" "$work/logs.ndjson" | zstd -q -19 -T2 -c | wc -c)

# --- the queries, each the same question on both sides ---
# A needle: an order id that occurs a few times; a rare word from a stack trace.
order_id=$(grep -o '"order.id":[0-9]*' "$work/logs.ndjson" | sed -n '1000p' | cut -d: -f2)
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
    -v chhttpms="$ch_http_ingest_ms" -v mb="$mayak_bytes" -v cb="$ch_bytes" -v zb="$zstd_bytes" -v zl="$zstd_lines" -v rss="$rss_kb" \
    -v chrss="$ch_rss_kb" -v cores="$(nproc)" -v cpu="$cpu_ingest" 'BEGIN {
  printf "- ingest over HTTP, fsync on (mayak ingest: 5000-line batches, two connections): Mayak %.0f records/s (%.0f per core); ClickHouse JSONEachRow insert of the same file by its client %.0f records/s (ClickHouse / Mayak %.2fx), over HTTP %.0f records/s (%.2fx)\n", r / (ms / 1000), r / (ms / 1000) / cores, r / (chms / 1000), ms / chms, r / (chhttpms / 1000), ms / chhttpms
  printf "- Mayak server CPU for the ingest, flushes and merges included: %.2f µs a record (%.0f records per CPU-second)\n", cpu * 1e6 / r, r / cpu
  printf "- on disk: Mayak %.1f bytes/record; ClickHouse %.1f (Mayak / ClickHouse %.2fx); raw NDJSON %.1f; zstd -19 of the raw file %.1f\n", mb / r, cb / r, mb / cb, raw / r, zb / zl
  printf "- server RSS after ingest: Mayak %.0f MB, ClickHouse %.0f MB\n", rss / 1024, chrss / 1024 }'
echo
echo "What each field costs in Mayak (\`mayak admin columns\`):"
echo
echo '```'
"$mayak" admin columns --data-dir "$work/data"
echo '```'
echo
echo "What each column costs in ClickHouse (system.columns, compressed bytes a record):"
echo
echo '```'
ch "SELECT name, type, round(data_compressed_bytes / $records, 2) AS per_record FROM system.columns
  WHERE table = 'logs' ORDER BY data_compressed_bytes DESC FORMAT PrettyCompactNoEscapes"
echo '```'
