#!/usr/bin/env bash
# Tracing benchmark: Mayak against ClickHouse (Debian's 18.16, MergeTree
# with zstd) holding the same spans in the schema of OpenTelemetry's
# ClickHouse exporter (one row a span, ordered by service, name and time,
# plus a trace-id-to-time table filled by a materialized view, as that
# exporter makes for lookups by id), in one run, on the same generated
# traces of the company (mayak bench gen-traces: about 4.3 spans a trace,
# spread over one day).
#
#   bench/traces.sh [SPANS] [REPEATS]      (defaults: 1000000 and 5)
#
# Needs the Release build (make build); installs clickhouse-server when
# missing. Prints a Markdown table for docs/benchmarks.md: medians over
# REPEATS runs with the min-max spread.
set -euo pipefail
cd "$(dirname "$0")/.."
spans_wanted=${1:-1000000}
repeats=${2:-5}
# shellcheck source=bench/clickhouse.sh
source bench/clickhouse.sh
# shellcheck source=bench/common.sh
source bench/common.sh

traces=$(( spans_wanted * 100 / 427 ))
rate=$(awk -v t="$traces" 'BEGIN {printf "%.4f", t / 86400}')
# Yesterday: within traces.hot_days, so retention keeps every span.
start=$(date -u -d yesterday +%Y-%m-%dT00:00:00Z)
echo "generating $traces traces (about $spans_wanted spans) from $start..." >&2
spans=$("$mayak" bench gen-traces --traces "$traces" --rate "$rate" --start "$start" \
  -o "$work/spans.otlp" | awk '{print $2}')
"$mayak" bench gen-traces --traces "$traces" --rate "$rate" --start "$start" -f clickhouse \
  -o "$work/spans.json" >/dev/null
otlp_bytes=$(stat -c %s "$work/spans.otlp")

# --- Mayak: OTLP/HTTP protobuf from two connections, as two exporters ---
otlp_port=$(clickhouse_free_port)
jaeger_port=$(clickhouse_free_port)
MAYAK_STORAGE_FLUSH_INTERVAL=2s "$mayak" server --data-dir "$work/data" --listen 127.0.0.1:0 \
  --es-listen off --otlp-http-listen "127.0.0.1:$otlp_port" --otlp-grpc-listen off \
  --zipkin-listen off --jaeger-listen "127.0.0.1:$jaeger_port" --syslog-listen off \
  2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"msg":"ready"' "$work/server.log" && break; sleep 0.1; done
url=$(grep -o '"url":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4)
jaeger="http://127.0.0.1:$jaeger_port"
echo "sending $spans spans to mayak..." >&2
cpu0=$(cpu_seconds "$server_pid")
t0=$(now_ms)
"$mayak" bench send-otlp "$work/spans.otlp" --url "http://127.0.0.1:$otlp_port" -c 2 >&2
send_ms=$(( $(now_ms) - t0 ))
mayak_settle mayak_spans_storage
cpu_ingest=$(awk -v a="$cpu0" -v b="$(cpu_seconds "$server_pid")" 'BEGIN {print b - a}')
mayak_bytes=$(mayak_metric mayak_spans_storage_bytes)
mayak_spans=$(mayak_metric mayak_spans_storage_records)
[ "$mayak_spans" = "$spans" ] || echo "warning: mayak holds $mayak_spans spans of $spans" >&2
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")

# --- ClickHouse: the exporter's schema (arrays for its maps: 18.16 has no Map) ---
echo "inserting into clickhouse..." >&2
clickhouse_start "$work/clickhouse"
clickhouse_query "CREATE TABLE otel_traces (
  Timestamp DateTime, TimestampNs UInt64, TraceId String, SpanId String, ParentSpanId String,
  SpanName String, SpanKind String,
  ServiceName String,
  ResourceKeys Array(String), ResourceValues Array(String),
  AttributeKeys Array(String), AttributeValues Array(String),
  Duration UInt64, StatusCode String, StatusMessage String,
  EventsTimestamp Array(UInt64), EventsName Array(String),
  LinksTraceId Array(String), LinksSpanId Array(String)
) ENGINE = MergeTree PARTITION BY toDate(Timestamp)
  ORDER BY (ServiceName, SpanName, Timestamp)"
clickhouse_query "CREATE TABLE otel_traces_trace_id_ts (
  TraceId String, Start DateTime, End DateTime
) ENGINE = MergeTree ORDER BY (TraceId, Start)"
clickhouse_query "CREATE MATERIALIZED VIEW otel_traces_trace_id_ts_mv TO otel_traces_trace_id_ts
  AS SELECT TraceId, min(Timestamp) AS Start, max(Timestamp) AS End
  FROM otel_traces GROUP BY TraceId"
t0=$(now_ms)
clickhouse_insert otel_traces JSONEachRow <"$work/spans.json"
ch_ingest_ms=$(( $(now_ms) - t0 ))
clickhouse_settle
ch_bytes=$(clickhouse_query "SELECT sum(bytes) FROM system.parts
  WHERE table IN ('otel_traces', 'otel_traces_trace_id_ts') AND active")
ch_rows=$(clickhouse_query "SELECT count() FROM otel_traces")
[ "$ch_rows" = "$spans" ] || echo "warning: clickhouse holds $ch_rows spans of $spans" >&2

# --- the queries, each the same question on both sides ---
# A trace of an order, taken from the middle of the day.
trace_id=$(clickhouse_query "SELECT TraceId FROM otel_traces WHERE SpanName = 'crm.orders process'
  ORDER BY TimestampNs LIMIT 1 OFFSET $(( traces / 4 ))")
day=$(clickhouse_query "SELECT toDate(min(Timestamp)) FROM otel_traces")
start_us=$(( $(date -d "$day" +%s) * 1000000 ))
end_us=$(( start_us + 86400 * 1000000 ))
jaeger_get() { bench_curl -sf "$jaeger$1"; }
trace_sql="SELECT * FROM otel_traces WHERE TraceId = '$trace_id'
  AND Timestamp >= (SELECT min(Start) FROM otel_traces_trace_id_ts WHERE TraceId = '$trace_id')
  AND Timestamp <= (SELECT max(End) FROM otel_traces_trace_id_ts WHERE TraceId = '$trace_id')
  FORMAT JSONEachRow"
# The 20 newest traces with a slow MES consumer (over 100 ms), whole.
search_sql="SELECT * FROM otel_traces WHERE TraceId IN (
  SELECT TraceId FROM otel_traces WHERE ServiceName = 'mes' AND SpanName = 'crm.orders process'
    AND Duration >= 100000000 ORDER BY Timestamp DESC LIMIT 20) FORMAT JSONEachRow"
search_path="/api/traces?service=mes&operation=crm.orders%20process&minDuration=100ms&limit=20&start=$start_us&end=$end_us"

by_id_mayak=$(measure jaeger_get "/api/traces/$trace_id")
by_id_ch=$(measure ch "$trace_sql")
search_mayak=$(measure jaeger_get "$search_path")
search_ch=$(measure ch "$search_sql")

# Both sides must give the same spans.
mayak_trace_spans=$(curl -sf "$jaeger/api/traces/$trace_id" | grep -o '"operationName"' | wc -l)
ch_trace_spans=$(clickhouse_query "SELECT count() FROM otel_traces WHERE TraceId = '$trace_id'")
[ "$mayak_trace_spans" = "$ch_trace_spans" ] ||
  echo "warning: the trace has $mayak_trace_spans spans in mayak, $ch_trace_spans in clickhouse" >&2
mayak_found=$(curl -sf "$jaeger$search_path" | grep -o '"total":[0-9]*' | cut -d: -f2)
ch_found=$(clickhouse_query "SELECT count() FROM (SELECT TraceId FROM otel_traces
  WHERE ServiceName = 'mes' AND SpanName = 'crm.orders process' AND Duration >= 100000000
  ORDER BY Timestamp DESC LIMIT 20)")
[ "$mayak_found" = "$ch_found" ] ||
  echo "warning: the search finds $mayak_found traces in mayak, $ch_found in clickhouse" >&2

awk -v n="$spans" -v ms="$send_ms" -v cpu="$cpu_ingest" -v chms="$ch_ingest_ms" \
  -v mb="$mayak_bytes" -v cb="$ch_bytes" -v ob="$otlp_bytes" -v rss="$rss_kb" 'BEGIN {
  printf "| spans | %d (%d traces of the company, one day; OTLP protobuf %.0f bytes a span) |\n", n, '"$traces"', ob / n
  printf "| ingest, OTLP/HTTP protobuf, 2 connections | %.0f spans/s (%.1f s) |\n", n / (ms / 1000), ms / 1000
  printf "| server CPU for ingest, flushes and merges | %.2f us a span = %.0f spans per CPU-second |\n", cpu * 1e6 / n, n / cpu
  printf "| ClickHouse JSONEachRow insert of the same spans | %.0f spans/s (%.1f s) |\n", n / (chms / 1000), chms / 1000
  printf "| bytes on disk a span | Mayak %.1f, ClickHouse %.1f (%.2fx) |\n", mb / n, cb / n, mb / cb
  printf "| server RSS after ingest | %.0f MB |\n", rss / 1024
}'
echo
echo "| query | Mayak (Jaeger API) | ClickHouse | ratio |"
echo "|---|---|---|---|"
row "trace by id ($mayak_trace_spans spans)" "$by_id_mayak" ClickHouse "$by_id_ch"
row "20 newest traces with a MES consumer over 100 ms, whole" "$search_mayak" ClickHouse "$search_ch"
