#!/usr/bin/env bash
# Storage and search benchmark: Mayak against ripgrep over the raw NDJSON file
# and zstd over the same file, in one run, on the same generated data.
#
#   bench/storage.sh [RECORDS] [REPEATS]      (defaults: 1000000 and 5)
#
# Needs the Release build (make build) and Debian's ripgrep and zstd
# (installed here when missing). Prints a Markdown table for
# docs/benchmarks.md: medians over REPEATS runs with the min-max spread.
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
repeats=${2:-5}
mayak=build/mayak
[ -x "$mayak" ] || { echo "build first: make build" >&2; exit 1; }
for tool in rg zstd; do
  command -v "$tool" >/dev/null || apt-get install -y -qq --no-install-recommends \
    "$([ "$tool" = rg ] && echo ripgrep || echo zstd)" >&2
done

work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
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
row() {  # name, mayak "median min max", peer name, peer "median min max"
  read -r m mlo mhi <<<"$2"; read -r p plo phi <<<"$4"
  awk -v n="$1" -v m="$m" -v mlo="$mlo" -v mhi="$mhi" -v pn="$3" -v p="$p" -v plo="$plo" -v phi="$phi" \
    'BEGIN { r = (m > 0) ? p / m : 0;
             printf "| %s | %d ms (%d-%d) | %s %d ms (%d-%d) | %.1fx |\n", n, m, mlo, mhi, pn, p, plo, phi, r }'
}

echo "generating $records records..." >&2
"$mayak" bench gen --records "$records" --output "$work/logs.ndjson"
raw_bytes=$(stat -c %s "$work/logs.ndjson")

MAYAK_STORAGE_FLUSH_INTERVAL=2s "$mayak" server --data-dir "$work/data" --listen 127.0.0.1:0 --es-listen off --otlp-http-listen off \
  --otlp-grpc-listen off --zipkin-listen off --jaeger-listen off --syslog-listen off \
  2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do grep -q '"msg":"ready"' "$work/server.log" && break; sleep 0.1; done
url=$(grep -o '"url":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4)
export MAYAK_SERVER=$url

echo "ingesting into mayak..." >&2
t0=$(now_ms)
"$mayak" ingest -q "$work/logs.ndjson" 2>"$work/ingest.log"
ingest_ms=$(( $(now_ms) - t0 ))
# Wait until the memtable is flushed to segments (the WAL shrinks to its header).
metric() { curl -sf "$url/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
for _ in $(seq 300); do
  [ "$(metric mayak_storage_wal_bytes | cut -d. -f1)" -lt 100000 ] && break
  sleep 0.2
done
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status")
mayak_bytes=$(metric mayak_storage_bytes | cut -d. -f1)
zstd_bytes=$(zstd -q -19 -T2 -c "$work/logs.ndjson" | wc -c)

# A needle: an order id that occurs a few times; a rare word from a stack trace.
order_id=$(grep -o '"order.id":[0-9]*' "$work/logs.ndjson" | sed -n '1000p' | cut -d: -f2)
# search QUERY [LIMIT]
search() { curl -sf "$url/api/v1/search?from=0&to=now%2B3650d&limit=${2:-100}&q=$1"; }
needle_mayak=$(measure search "order.id:$order_id")
needle_rg=$(measure rg -c "\"order.id\":$order_id[,}]" "$work/logs.ndjson")
word_mayak=$(measure search "deadlock")
word_rg=$(measure rg -c -i '\bdeadlock\b' "$work/logs.ndjson")
count_mayak=$(measure search "http.response.status_code:500" 0)
count_rg=$(measure rg -c '"http.response.status_code":500[,}]' "$work/logs.ndjson")

# Both sides must find the same records, or the times compare nothing.
total() { search "$1" | grep -o '"total":[0-9]*' | cut -d: -f2; }
check() {
  local ours theirs; ours=$(total "$1"); theirs=$(rg -c "$2" "$work/logs.ndjson" || echo 0)
  [ "$ours" = "$theirs" ] || echo "warning: $1: Mayak found $ours, ripgrep $theirs" >&2
  echo "$ours"
}
needle_hits=$(check "order.id:$order_id" "\"order.id\":$order_id[,}]")
word_hits=$(check "deadlock" '(?i)"message":"[^"]*\bdeadlock\b')
count_hits=$(check "http.response.status_code:500" '"http.response.status_code":500[,}]')

echo "## $records records, $(( raw_bytes / records )) bytes a line, $(nproc) cores, $(date -u +%F)"
echo
echo "| measure | Mayak | peer | peer / Mayak |"
echo "|---|---|---|---|"
row "needle \`order.id:$order_id\` ($needle_hits hits)" "$needle_mayak" "ripgrep" "$needle_rg"
row "rare word \`deadlock\` ($word_hits hits)" "$word_mayak" "ripgrep" "$word_rg"
row "count \`http.response.status_code:500\` ($count_hits)" "$count_mayak" "ripgrep" "$count_rg"
echo
awk -v r="$records" -v ms="$ingest_ms" -v raw="$raw_bytes" -v mb="$mayak_bytes" -v zb="$zstd_bytes" \
    -v rss="$rss_kb" 'BEGIN {
  printf "- ingest over HTTP (mayak ingest, one client, 5000-line batches, fsync on): %.0f records/s\n", r / (ms / 1000)
  printf "- on disk: Mayak segments %.1f bytes/record; raw NDJSON %.1f; zstd -19 of the raw file %.1f (raw / Mayak %.2fx, zstd / Mayak %.2fx)\n", mb / r, raw / r, zb / r, raw / mb, zb / mb
  printf "- server RSS after ingest: %.0f MB\n", rss / 1024 }'
