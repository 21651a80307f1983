#!/usr/bin/env bash
# File -> network throughput of `mayak agent`, pinned to one core, against
# rsyslog's imfile -> omfwd (the log shipper Debian ships) in the same run,
# on the same files: plain lines (nginx's access log, not parsed), JSON lines
# (parsed), and multiline events (Java stack traces). Both send to a sink on the other core that only
# acknowledges, so that the shipper is what is measured.
#   bench/agent.sh [LINES] [REPEATS]     (defaults 1000000 and 3)
# Prints Markdown rows for docs/benchmarks.md: throughput (median, min-max),
# CPU seconds, MB per CPU-second and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
repeats=${2:-3}
mayak=${MAYAK_BIN:-build/mayak}
[ -x "$mayak" ] || { echo "build first: make build" >&2; exit 1; }
scripts/bootstrap rsyslog
command -v python3 >/dev/null || { echo "bench/agent.sh needs python3 for its sinks" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

# --- the data ---------------------------------------------------------------
echo "generating $lines lines of each kind" >&2
# JSON: the company's logs (NDJSON); plain: nginx access log lines, text as
# most plain logs are (read as plain lines, no parsing).
"$mayak" bench gen --records "$lines" --start now-1h -o "$work/json.log"
"$mayak" bench gen --records "$lines" --start now-1h --format nginx -o "$work/plain.log"
# Java-style events: a header line and 0-8 "at ..." lines after it.
awk -v n="$lines" 'BEGIN { srand(7); e = 0;
  while (c < n) { printf "2026-12-07 10:%02d:%02d.%03d ERROR [worker-%d] order %d failed: stock below zero\n", int(e/60)%60, e%60, e%1000, e%8, 100000+e; c++; e++;
    k = int(rand()*9); for (i = 0; i < k && c < n; i++) { printf "\tat shop.orders.Stock.take(Stock.java:%d)\n", 40+i; c++ } } 
  print e > "/dev/stderr" }' >"$work/multiline.log" 2>"$work/multiline.events"
multiline_events=$(cat "$work/multiline.events")

# --- the sinks ----------------------------------------------------------------
# HTTP: answers every batch as Mayak does, without storing it.
cat >"$work/http_sink.py" <<'PY'
import http.server, socket, sys
BODY = b'{"accepted":0,"rejected":0,"errors":[]}'
REPLY = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
         % len(BODY)) + BODY
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def setup(self):
        super().setup()
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self.wfile.write(REPLY)  # one write: no wait on a delayed ACK
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
# TCP: counts lines; exits when it has seen N.
cat >"$work/tcp_sink.py" <<'PY'
import socket, sys
port, want = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(4)
seen = 0
while seen < want:
    c, _ = s.accept()
    while seen < want:
        b = c.recv(1 << 20)
        if not b: break
        seen += b.count(b"\n")
PY

cpu_seconds() {  # utime + stime of PID, in seconds
  awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"
}
peak_rss_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# --- one run of each shipper: prints "ms cpu_s rss_mb" -----------------------
# Runs the agent on $work/agent.yaml, pinned to core 0, until it has sent
# EVENTS: sets agent_pid (still running) and agent_ms (from start to then).
ship_and_wait() {  # EVENTS
  local events=$1 metrics_port sent
  metrics_port=$(free_port)
  rm -rf "$work/agent-data"
  local t0; t0=$(now_ms)
  taskset -c 0 "$mayak" agent --config "$work/agent.yaml" --data-dir "$work/agent-data" \
    --metrics "127.0.0.1:$metrics_port" 2>"$work/agent.log" &
  agent_pid=$!; pids+=($agent_pid)
  while true; do
    sent=$(curl -sf "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null |
           awk '$1 == "mayak_agent_events_sent_total" {print $2}')
    [ "${sent:-0}" -ge "$events" ] && break
    sleep 0.02
  done
  agent_ms=$(( $(now_ms) - t0 ))
}

run_agent() {  # FILE PARSER EVENTS [MULTILINE]
  local file=$1 parser=$2 events=$3 multiline=${4:-} port
  port=$(free_port)
  taskset -c 1 python3 "$work/http_sink.py" "$port" & local sink=$!
  {
    echo "inputs:"
    echo "  - {type: file, paths: ['$file'], parser: $parser, fields: {system: bench}$multiline}"
    echo "output:"
    echo "  mayak: {url: 'http://127.0.0.1:$port'}"
    echo "  batch_wait: 100ms"
  } >"$work/agent.yaml"
  sleep 0.3
  ship_and_wait "$events"
  echo "$agent_ms $(cpu_seconds $agent_pid) $(peak_rss_mb $agent_pid)"
  kill "$agent_pid" "$sink"; wait "$agent_pid" "$sink" 2>/dev/null || true
}

run_rsyslog() {  # FILE KIND EVENTS   (KIND: plain, json, multiline)
  local file=$1 kind=$2 events=$3 port
  port=$(free_port)
  taskset -c 1 python3 "$work/tcp_sink.py" "$port" "$events" & local sink=$!
  rm -rf "$work/rs"; mkdir -p "$work/rs"
  local extra="" parse="" template='%msg%\n'
  [ "$kind" = multiline ] && extra='startmsg.regex="^[0-9]{4}-[0-9]{2}-[0-9]{2} " readTimeout="1"'
  if [ "$kind" = json ]; then
    parse='action(type="mmjsonparse" cookie="")'
    template='%$!all-json%\n'
  fi
  cat >"$work/rsyslog.conf" <<CONF
global(workDirectory="$work/rs" maxMessageSize="1m")
module(load="imfile" mode="inotify")
module(load="mmjsonparse")
template(name="out" type="string" string="$template")
input(type="imfile" File="$file" Tag="bench" ruleset="ship" freshStartTail="off" $extra)
ruleset(name="ship" queue.type="LinkedList" queue.size="200000") {
  $parse
  action(type="omfwd" target="127.0.0.1" port="$port" protocol="tcp" template="out")
}
CONF
  sleep 0.3
  local t0; t0=$(now_ms)
  taskset -c 0 rsyslogd -n -f "$work/rsyslog.conf" -i "$work/rs/pid" 2>"$work/rsyslog.log" &
  local pid=$!; pids+=($pid)
  # A run that has not delivered everything in 5 minutes is reported as such.
  for _ in $(seq 3000); do kill -0 "$sink" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$sink" 2>/dev/null; then
    echo "rsyslog did not deliver all $events events in 5 minutes" >&2
    kill "$sink" 2>/dev/null || true
  fi
  wait "$sink" 2>/dev/null || true
  local ms=$(( $(now_ms) - t0 ))
  echo "$ms $(cpu_seconds $pid) $(peak_rss_mb $pid)"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

# Median and spread of REPEATS runs: "ms_median ms_min ms_max cpu_median rss_max"
repeat_runs() {
  local runs=()
  for _ in $(seq "$repeats"); do runs+=("$("$@")"); done
  printf '%s\n' "${runs[@]}" | sort -n | awk '{ ms[NR]=$1; cpu[NR]=$2; if ($3 > rss) rss=$3 }
    END { m = int((NR+1)/2); printf "%d %d %d %.2f %d\n", ms[m], ms[1], ms[NR], cpu[m], rss }'
}

row() {  # NAME BYTES EVENTS "agent stats" "rsyslog stats"
  awk -v name="$1" -v bytes="$2" -v events="$3" -v a="$4" -v r="$5" 'BEGIN {
    split(a, A, " "); split(r, R, " "); mb = bytes / 1e6
    printf "| %s | %.0f MB/s (%.0f-%.0f) | %.0f k/s | %.1f | %.0f | %d MB | %.0f MB/s (%.0f-%.0f) | %.1f | %.0f | %d MB | %.2fx |\n",
      name, mb / (A[1]/1000), mb / (A[3]/1000), mb / (A[2]/1000), events / (A[1]/1000) / 1000,
      A[4], mb / A[4], A[5],
      mb / (R[1]/1000), mb / (R[3]/1000), mb / (R[2]/1000), R[4], mb / R[4], R[5],
      (R[1] / A[1]) }'
}

# AGENT_BENCH_PARTS: which tables, "shippers" and/or "e2e" (both by default).
parts=${AGENT_BENCH_PARTS:-shippers e2e}
if [[ " $parts " == *" shippers "* ]]; then
echo "| input | agent | events/s | agent CPU s | agent MB per CPU-s | agent RSS | rsyslog | rsyslog CPU s | rsyslog MB per CPU-s | rsyslog RSS | agent speed vs rsyslog |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for kind in plain json multiline; do
  file="$work/$kind.log"
  bytes=$(stat -c %s "$file")
  events=$lines
  multiline=""
  parser=$kind
  if [ "$kind" = multiline ]; then
    events=$multiline_events
    parser=plain
    multiline=", multiline: {start: '^\d{4}-\d{2}-\d{2} '}"
  fi
  agent=$(repeat_runs run_agent "$file" "$parser" "$events" "$multiline")
  rsyslog=$(repeat_runs run_rsyslog "$file" "$kind" "$events")
  row "$kind ($(( bytes / lines )) B a line)" "$bytes" "$events" "$agent" "$rsyslog"
done
echo "($lines lines each; median of $repeats runs, min-max; shipper pinned to core 0, sinks on core 1; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
fi
[[ " $parts " == *" e2e "* ]] || exit 0

# --- end to end: the agent into a real Mayak server (stored, on core 1) -----
run_agent_server() {  # FILE EVENTS: prints "ms agent_cpu_s server_cpu_s"
  local file=$1 events=$2
  rm -rf "$work/server-data"
  taskset -c 1 "$mayak" server --data-dir "$work/server-data" --listen 127.0.0.1:0 \
    --es-listen off --otlp-http-listen off --otlp-grpc-listen off --zipkin-listen off \
    --jaeger-listen off --syslog-listen off 2>"$work/server.log" &
  local server=$!
  for _ in $(seq 100); do grep -q '"msg":"ready"' "$work/server.log" && break; sleep 0.1; done
  local url; url=$(grep -o '"url":"[^"]*"' "$work/server.log" | head -1 | cut -d'"' -f4)
  printf "inputs:\n  - {type: file, paths: ['%s'], parser: plain, fields: {system: bench}}\noutput:\n  mayak: {url: '%s'}\n  batch_wait: 100ms\n" \
    "$file" "$url" >"$work/agent.yaml"
  ship_and_wait "$events"
  echo "$agent_ms $(cpu_seconds $agent_pid) $(cpu_seconds $server)"
  kill "$agent_pid" "$server"; wait "$agent_pid" "$server" 2>/dev/null || true
}
bytes=$(stat -c %s "$work/plain.log")
# The median run by time, with its CPU figures; min and max of the times.
e2e=$(for _ in $(seq "$repeats"); do run_agent_server "$work/plain.log" "$lines"; done |
      sort -n | awk '{ ms[NR]=$1; a[NR]=$2; s[NR]=$3 }
        END { m = int((NR+1)/2); printf "%d %d %d %.1f %.1f\n", ms[m], ms[1], ms[NR], a[m], s[m] }')
echo
echo "| end to end: plain lines into \`mayak server\` (stored, fsynced) | throughput | lines/s | agent CPU s | server CPU s |"
echo "|---|---|---|---|---|"
awk -v bytes="$bytes" -v n="$lines" -v t="$e2e" 'BEGIN { split(t, A, " "); mb = bytes / 1e6;
  printf "| %d lines | %.0f MB/s (%.0f-%.0f) | %.0f k/s | %.1f | %.1f |\n", n, mb / (A[1]/1000),
    mb / (A[3]/1000), mb / (A[2]/1000), n / (A[1]/1000) / 1000, A[4], A[5] }'
