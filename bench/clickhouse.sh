# A throwaway ClickHouse server (Debian's clickhouse-server) for benchmarks:
# data under DIR, listening on 127.0.0.1 at free ports, parts compressed with
# zstd. Source this file, then:
#   clickhouse_start DIR     starts it and waits until it answers
#   clickhouse_query SQL     runs SQL over HTTP and prints the result
#   clickhouse_insert TABLE FORMAT < FILE        (its native client)
#   clickhouse_insert_http TABLE FORMAT FILE     (its HTTP interface)
#   clickhouse_settle        waits for its background merges
#   clickhouse_stop
clickhouse_pid=""
clickhouse_http=""
clickhouse_tcp=""

# A TCP port on 127.0.0.1 that nothing listens on.
clickhouse_free_port() {
  local port
  while :; do
    port=$(shuf -i 20000-60000 -n 1)
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

clickhouse_start() {
  local dir=$1
  command -v clickhouse-server >/dev/null || [ -x /usr/sbin/clickhouse-server ] ||
    apt-get install -y -qq --no-install-recommends clickhouse-server clickhouse-client >&2
  mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas"
  local http tcp
  http=$(clickhouse_free_port)
  tcp=$(clickhouse_free_port)
  cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/server.log</log><errorlog>$dir/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>536870912</mark_cache_size>
  <compression><case><method>zstd</method></case></compression>
</yandex>
XML
  /usr/sbin/clickhouse-server --config-file="$dir/config.xml" >"$dir/stdout.log" 2>&1 &
  clickhouse_pid=$!
  clickhouse_http="http://127.0.0.1:$http/"
  clickhouse_tcp=$tcp
  # Up to a minute: it starts slowly on a machine busy with merges.
  for _ in $(seq 300); do
    curl -sf "$clickhouse_http" --data-binary "SELECT 1" >/dev/null 2>&1 && return 0
    kill -0 "$clickhouse_pid" 2>/dev/null || break
    sleep 0.2
  done
  echo "clickhouse-server did not start:" >&2
  tail -n 20 "$dir/error.log" "$dir/stdout.log" >&2 2>/dev/null
  return 1
}

# curl, but with `timing` set the body is dropped and the request's own
# time (connect to last byte, without curl's start-up, which costs 5-35 ms
# on a busy machine) is appended in seconds to $timing.
bench_curl() {
  if [ -n "${timing:-}" ]; then
    curl -o /dev/null -w '%{time_total}\n' "$@" >>"$timing"
  else
    curl "$@"
  fi
}

clickhouse_query() {
  bench_curl -sf "$clickhouse_http" --data-binary "$1"
}

# Streams stdin with ClickHouse's own client (native protocol), as its users
# load files.
clickhouse_insert() {
  clickhouse-client --host 127.0.0.1 --port "$clickhouse_tcp" \
    --input_format_skip_unknown_fields=1 --date_time_input_format=best_effort \
    --query "INSERT INTO $1 FORMAT $2"
}

# Sends FILE to ClickHouse's HTTP interface, where the server itself
# parses the rows (as Mayak's server does), not a client beside it.
# curl streams the file (-T) instead of reading it into memory first.
clickhouse_insert_http() {
  local sql="INSERT INTO $1 FORMAT $2"
  curl -sf -X POST -T "$3" \
    "${clickhouse_http}?input_format_skip_unknown_fields=1&date_time_input_format=best_effort&query=${sql// /%20}"
}

# Waits until ClickHouse's background merges settle: none running for 10 s
# in a row (at most a few minutes).
clickhouse_settle() {
  for _ in $(seq 60); do
    [ "$(clickhouse_query "SELECT count() FROM system.merges")" = 0 ] && sleep 10 &&
      [ "$(clickhouse_query "SELECT count() FROM system.merges")" = 0 ] && break
    sleep 2
  done
}

clickhouse_stop() {
  [ -n "$clickhouse_pid" ] || return 0
  kill "$clickhouse_pid" 2>/dev/null && wait "$clickhouse_pid" 2>/dev/null
  clickhouse_pid=""
}
