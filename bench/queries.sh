#!/usr/bin/env bash
# Query benchmark: the questions a support engineer asks, on Mayak and on
# ClickHouse (Debian's 18.16, MergeTree with zstd) in one run, on the same
# generated logs: RECORDS company records spread over one day, plus a tenth
# as many ERROR lines on the next day for `| patterns`.
#
#   bench/queries.sh [RECORDS] [REPEATS]      (defaults: 10000000 and 5)
#
# Needs the Release build (make build); installs clickhouse-server when
# missing. Prints a Markdown table for docs/benchmarks.md: warm medians over
# REPEATS runs with the min-max spread, each after one unmeasured run.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-10000000}
repeats=${2:-5}
# shellcheck source=bench/clickhouse.sh
source bench/clickhouse.sh
# shellcheck source=bench/common.sh
source bench/common.sh

errors=$(( records / 10 ))
echo "generating $records records over a day, and $errors ERROR lines..." >&2
"$mayak" bench gen --records "$records" --rate "$(awk -v n="$records" 'BEGIN {print n / 86400}')" \
  --start 2026-11-24T00:00:00Z --output "$work/logs.ndjson"
# About one line in 22 of the generated logs is an ERROR.
"$mayak" bench gen --records "$(( errors * 30 ))" --seed 2 --rate "$(( errors * 30 / 86400 + 1 ))" \
  --start 2026-11-25T00:00:00Z | grep '"log.level":"ERROR"' | head -n "$errors" \
  >>"$work/logs.ndjson" || true  # head closes the pipe early
total_lines=$(wc -l <"$work/logs.ndjson")

mayak_start
echo "ingesting $total_lines lines into mayak..." >&2
mayak_load "$work/logs.ndjson"
echo "ingesting into clickhouse..." >&2
clickhouse_load "$work/logs.ndjson"

day="2026-11-24"
day_sql="\`@timestamp\` >= toDateTime('$day 00:00:00') AND \`@timestamp\` < toDateTime('$day 00:00:00') + 86400"
hour_from="${day}T23:00:00Z"
hour_to="${day}T23:59:59.999Z"
hour_sql="\`@timestamp\` >= toDateTime('$day 23:00:00') AND \`@timestamp\` < toDateTime('$day 00:00:00') + 86400"
next_sql="\`@timestamp\` >= toDateTime('2026-11-25 00:00:00') AND \`@timestamp\` < toDateTime('2026-11-26 00:00:00')"
# The order with the longest history among the first 200,000 lines.
order_id=$(head -n 200000 "$work/logs.ndjson" | grep -o '"order.id":[0-9]*' | cut -d: -f2 |
  awk '{n[$1]++} END {for (k in n) if (n[k] > best) {best = n[k]; id = k}; print id}')

# Each measured after one warm-up run of its own.
warm() { "$@" >/dev/null; measure "$@"; }

history_mayak=$(warm query "order.id:$order_id" 1000)
history_ch=$(warm ch "SELECT * FROM logs WHERE \`order.id\` = $order_id
  ORDER BY \`@timestamp\` DESC FORMAT JSONEachRow")
errors_mayak=$(warm query "http.response.status_code:500 | stats count() by url.path" 100 \
  "$hour_from" "$hour_to")
errors_ch=$(warm ch "SELECT \`url.path\`, count() AS c FROM logs
  WHERE \`http.response.status_code\` = 500 AND $hour_sql GROUP BY \`url.path\` ORDER BY c DESC")
p95_mayak=$(warm query "event.duration > 0 | timechart span=1m p95(event.duration) by service.name" \
  100 "${day}T00:00:00Z" "${day}T23:59:59.999Z")
p95_ch=$(warm ch "SELECT toStartOfMinute(\`@timestamp\`) AS m, \`service.name\`,
  quantile(0.95)(\`event.duration\`) FROM logs WHERE \`event.duration\` > 0 AND $day_sql
  GROUP BY m, \`service.name\` ORDER BY m, \`service.name\`")
ip_mayak=$(warm query "* | top 10 client.ip" 100 "${day}T00:00:00Z" "${day}T23:59:59.999Z")
ip_ch=$(warm ch "SELECT \`client.ip\`, count() AS c FROM logs WHERE \`client.ip\` != '' AND $day_sql
  GROUP BY \`client.ip\` ORDER BY c DESC LIMIT 10")
phrase_mayak=$(warm query '"connection refused"')
phrase_ch=$(warm ch "SELECT * FROM logs WHERE match(message, '(?i)\\\\bconnection refused\\\\b')
  ORDER BY \`@timestamp\` DESC LIMIT 100 FORMAT JSONEachRow")
patterns_mayak=$(warm query "log.level:error | patterns | head 20" 100 2026-11-25T00:00:00Z \
  2026-11-25T23:59:59.999Z)
patterns_ch=$(warm ch "SELECT replaceRegexpAll(message, '[0-9]+', '<n>') AS p, count() AS c
  FROM logs WHERE \`log.level\` = 'ERROR' AND $next_sql GROUP BY p ORDER BY c DESC LIMIT 20")

# Both sides must answer the same question, or the times compare nothing.
total() { query "$@" | grep -o '"total":[0-9]*' | cut -d: -f2; }
same() {  # what, Mayak's number, ClickHouse's
  [ "$2" = "$3" ] || echo "warning: $1: Mayak $2, ClickHouse $3" >&2
  echo "$2"
}
history_hits=$(same "order history" "$(total "order.id:$order_id" 0)" \
  "$(ch "SELECT count() FROM logs WHERE \`order.id\` = $order_id")")
errors_hits=$(same "500s in the last hour" \
  "$(total "http.response.status_code:500" 0 "$hour_from" "$hour_to")" \
  "$(ch "SELECT count() FROM logs WHERE \`http.response.status_code\` = 500 AND $hour_sql")")
p95_hits=$(same "records with a duration" \
  "$(total "event.duration > 0" 0 "${day}T00:00:00Z" "${day}T23:59:59.999Z")" \
  "$(ch "SELECT count() FROM logs WHERE \`event.duration\` > 0 AND $day_sql")")
phrase_hits=$(same "phrase" "$(total '"connection refused"' 0)" \
  "$(ch "SELECT count() FROM logs WHERE match(message, '(?i)\\\\bconnection refused\\\\b')")")
error_lines=$(same "ERROR lines" \
  "$(total "log.level:error" 0 2026-11-25T00:00:00Z 2026-11-25T23:59:59.999Z)" \
  "$(ch "SELECT count() FROM logs WHERE \`log.level\` = 'ERROR' AND $next_sql")")
top_ours=$(query "* | top 10 client.ip" 100 "${day}T00:00:00Z" "${day}T23:59:59.999Z" |
  grep -o '"rows":.*' | grep -o '\["[0-9.]*",[0-9]*' | tr -d '["' | tr '\n' ' ')
top_theirs=$(ch "SELECT \`client.ip\`, count() AS c FROM logs WHERE \`client.ip\` != '' AND $day_sql
  GROUP BY \`client.ip\` ORDER BY c DESC, \`client.ip\` LIMIT 10 FORMAT CSV" | tr -d '"' | tr '\n' ' ')
[ "$(echo "$top_ours" | tr ' ' '\n' | cut -d, -f2 | sort -n | tr '\n' ' ')" = \
  "$(echo "$top_theirs" | tr ' ' '\n' | cut -d, -f2 | sort -n | tr '\n' ' ')" ] ||
  echo "warning: top client.ip counts differ: Mayak $top_ours; ClickHouse $top_theirs" >&2

echo "## $total_lines lines ($records over $day, $errors ERROR lines the day after), $(nproc) cores, $(date -u +%F)"
echo
echo "| query | Mayak | ClickHouse | ClickHouse / Mayak |"
echo "|---|---|---|---|"
row "order history \`order.id:$order_id\` ($history_hits records, all returned)" \
  "$history_mayak" ch "$history_ch"
row "500s in the last hour by \`url.path\` ($errors_hits)" "$errors_mayak" ch "$errors_ch"
row "p95 \`event.duration\` by service a minute, one day ($p95_hits records)" "$p95_mayak" ch "$p95_ch"
row "\`top 10 client.ip\`, one day" "$ip_mayak" ch "$ip_ch"
row "phrase \`\"connection refused\"\` ($phrase_hits hits, newest 100)" "$phrase_mayak" ch "$phrase_ch"
row "\`| patterns\` over $error_lines ERROR lines" "$patterns_mayak" ch "$patterns_ch"
echo
echo "- ingest of the $total_lines lines: Mayak $(( ingest_ms / 1000 )) s, ClickHouse $(( ch_ingest_ms / 1000 )) s"
