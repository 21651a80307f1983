#!/usr/bin/env bash
# Ingest pipeline throughput, one thread: Mayak's NDJSON decoding +
# normalization and its redaction (`mayak bench pipeline`), against a peer
# redactor on the same file: perl with regular expressions for the same three
# rules (secret keys, card-like numbers, emails), the classic Logstash-gsub
# style. Perl does less (no Luhn check, no JSON), so the ratio flatters it.
#
#   bench/pipeline.sh [RECORDS] [REPEATS]      (defaults: 1000000 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
repeats=${2:-5}
mayak=${MAYAK_BIN:-build/mayak}
[ -x "$mayak" ] || { echo "build first: make build" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$mayak" bench gen --records "$records" --output "$work/logs.ndjson"
bytes=$(stat -c %s "$work/logs.ndjson")
echo "## $records records, $((bytes / records)) bytes a line, $(date -u +%F)"
echo
echo '```'
"$mayak" bench pipeline "$work/logs.ndjson" --repeats "$repeats"
echo '```'

perl_redact='s/((?:password|passwd|pwd|secret|token|api[_-]?key|authorization|cookie|cvv|cvc)["'"'"']?\s*[:=]\s*["'"'"']?)[^"'"'"'\s&,;}]+/$1[REDACTED]/gi; s/\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}\b/****/g; s/\b([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/$1***\@$2/g'
times=()
for _ in $(seq "$repeats"); do
  t0=$(date +%s%N)
  perl -pe "$perl_redact" "$work/logs.ndjson" >/dev/null
  times+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
median=$(echo "$sorted" | sed -n "$(( (repeats + 1) / 2 ))p")
echo
echo "perl redaction (same three rules as regexes, no Luhn): $(awk -v b="$bytes" -v ms="$median" \
  'BEGIN { printf "%.1f", b / 1e6 / (ms / 1000) }') MB/s (median of $repeats; $(echo "$sorted" | head -1)-$(echo "$sorted" | tail -1) ms)"
