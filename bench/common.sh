# What the benchmarks share: timing with medians, result rows, a Mayak
# server and a ClickHouse table loaded with the same generated logs.
# Source it after bench/clickhouse.sh; it sets `work` (a temporary
# directory, removed on exit with both servers stopped).
#
#   measure CMD...            runs CMD REPEATS times: "median min max" in ms
#                             (of the HTTP request alone for query, ch and
#                             bench/traces.sh's jaeger_get)
#   row NAME MAYAK [PEER TIMES]...   a Markdown table row with ratios
#   mayak_start               starts `$mayak server` on a free port: $url, $server_pid
#   mayak_load FILE           ingests FILE, waits for flushes and merges: $ingest_ms
#   mayak_settle PREFIX       waits for a store's flushes and merges
#   mayak_metric NAME         a metric's value as a whole number
#   cpu_seconds PID           the CPU a process has used so far (user + system)
#   clickhouse_load FILE      the logs table, FILE inserted by ClickHouse's client, merges
#                             settled: $ch_ingest_ms
#   clickhouse_time_http_insert FILE   the same over HTTP: $ch_http_ingest_ms
#   query Q [LIMIT [FROM [TO]]]   Mayak's query API, as a client calls it
#   ch SQL                    ClickHouse over HTTP
mayak=${MAYAK_BIN:-build/mayak}  # MAYAK_BIN: another build to compare
[ -x "$mayak" ] || { echo "build first: make build" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
bench_cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  clickhouse_stop
  rm -rf "$work"
}
trap bench_cleanup EXIT

now_ms() { date +%s%3N; }

measure() {
  local times=()
  if [ "$1" = query ] || [ "$1" = ch ] || [ "$1" = jaeger_get ]; then
    # HTTP queries: the time of each request as curl measures it (both
    # servers alike), not curl's start-up.
    : >"$work/http_seconds"
    for _ in $(seq "$repeats"); do timing="$work/http_seconds" "$@" >/dev/null; done
    mapfile -t times < <(awk '{printf "%d\n", $1 * 1000 + 0.5}' "$work/http_seconds")
  else
    for _ in $(seq "$repeats"); do
      local t0; t0=$(now_ms)
      "$@" >/dev/null
      times+=($(( $(now_ms) - t0 )))
    done
  fi
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[1], a[NR]}'
}

# name, mayak "median min max", then pairs of peer name and "median min max"
row() {
  local name=$1 mayak_times=$2; shift 2
  local line
  line=$(awk -v n="$name" -v t="$mayak_times" 'BEGIN { split(t, m, " ");
           printf "| %s | %d ms (%d-%d)", n, m[1], m[2], m[3] }')
  while [ $# -gt 0 ]; do
    line+=$(awk -v m="${mayak_times%% *}" -v t="$2" 'BEGIN { split(t, p, " ");
              r = (m > 0) ? p[1] / m : 0;
              printf " | %d ms (%d-%d) | %.1fx", p[1], p[2], p[3], r }')
    shift 2
  done
  echo "$line |"
}

mayak_start() {
  MAYAK_STORAGE_FLUSH_INTERVAL=2s "$mayak" server --data-dir "$work/data" --listen 127.0.0.1:0 \
    --es-listen off --otlp-http-listen off --otlp-grpc-listen off --zipkin-listen off \
    --jaeger-listen off --syslog-listen off 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do grep -q '"msg":"ready"' "$work/server.log" && break; sleep 0.1; done
  url=$(grep -o '"url":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4)
  export MAYAK_SERVER=$url
}

cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / hz}' "/proc/$1/stat"; }

mayak_metric() { curl -sf "$url/metrics" | awk -v m="$1" '$1 == m {printf "%.0f\n", $2}'; }

mayak_load() {
  local t0; t0=$(now_ms)
  "$mayak" ingest -q "$1" 2>"$work/ingest.log"
  ingest_ms=$(( $(now_ms) - t0 ))
  mayak_settle mayak_storage
}

# Waits until the store whose gauges start with PREFIX (mayak_storage,
# mayak_spans_storage) has flushed its memtable to segments (the WAL shrinks
# to its header) and its background merges settled: none running, twice
# 10 s apart (at most 10 minutes).
mayak_settle() {
  for _ in $(seq 600); do
    [ "$(mayak_metric "$1_wal_bytes")" -lt 100000 ] && break
    sleep 0.2
  done
  for _ in $(seq 60); do
    [ "$(mayak_metric "$1_merging_segments")" = 0 ] && sleep 10 &&
      [ "$(mayak_metric "$1_merging_segments")" = 0 ] && break
    sleep 2
  done
}

# The columns of the generated logs, a sensible ORDER BY: table NAME.
clickhouse_logs_table() {
  clickhouse_query "CREATE TABLE IF NOT EXISTS $1 (
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
}

# FILE inserted into `logs` by ClickHouse's own client, which parses the
# rows on its side ($ch_ingest_ms), and the merges settled.
clickhouse_load() {
  clickhouse_start "$work/clickhouse"
  clickhouse_logs_table logs
  local t0; t0=$(now_ms)
  clickhouse_insert logs JSONEachRow <"$1"
  ch_ingest_ms=$(( $(now_ms) - t0 ))
  clickhouse_settle
}

# FILE inserted over HTTP, where ClickHouse's server parses the rows as
# Mayak's does ($ch_http_ingest_ms), into a scratch table dropped after.
clickhouse_time_http_insert() {
  clickhouse_logs_table logs_http
  local t0; t0=$(now_ms)
  clickhouse_insert_http logs_http JSONEachRow "$1"
  ch_http_ingest_ms=$(( $(now_ms) - t0 ))
  clickhouse_query "DROP TABLE logs_http"
}

query() {
  bench_curl -sfG "$url/api/v1/query" --data-urlencode "q=$1" -d "limit=${2:-100}" \
    --data-urlencode "from=${3:-0}" --data-urlencode "to=${4:-now+3650d}"
}
ch() { clickhouse_query "$1"; }
