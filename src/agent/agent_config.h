// The configuration of `mayak agent`: a Filebeat-like YAML of inputs (files,
// PostgreSQL logs, RabbitMQ dead-letter queues) and one output (Mayak's API
// or an Elasticsearch `_bulk` endpoint). docs/agent.md documents every key.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config.h"

namespace mayak::agent {

// How lines that belong together (a stack trace) become one event: a line
// matching `start` begins an event, or a line matching `continuation`
// continues the previous one. At most one of the two is set.
struct MultilineConfig {
  std::string start;
  std::string continuation;
  size_t max_lines = 500;
  int64_t timeout_ns = 1'000'000'000;  // a last event waits this long for more lines
};

enum class LineFormat { kPlain, kJson, kLogfmt, kRegex, kNginx, kPostgresql, kRabbitmq };

// What the PostgreSQL module needs to understand the server's log.
struct PostgresqlConfig {
  enum class Format { kStderr, kCsvlog } format = Format::kStderr;
  // PostgreSQL's log_line_prefix for the stderr format (its escapes %m %t %p
  // %u %d %a %h %e %l %c %q ... are understood).
  std::string log_line_prefix = "%m [%p] ";
  int64_t slow_query_ms = 500;
};

struct FileInputConfig {
  std::string name;                  // "inputs[N]" or its `id`: what logs and metrics call it
  std::vector<std::string> paths;    // globs
  std::vector<std::string> exclude;  // globs matched against the whole path
  // Added to every event; they override fields of the same name in a line.
  std::vector<std::pair<std::string, std::string>> fields;
  bool start_at_end = false;  // for files present at the first scan only
  LineFormat format = LineFormat::kPlain;
  std::string pattern;  // kRegex: RE2 with named groups
  MultilineConfig multiline;
  PostgresqlConfig postgresql;
  size_t max_line_bytes = 512 * 1024;          // longer lines are cut (log.flags: truncated)
  int64_t close_inactive_ns = 10'000'000'000;  // a rotated-away file idle this long is closed
};

struct RabbitmqInputConfig {
  std::string name;
  std::string url;  // amqp://user:pass@host:port/vhost
  std::vector<std::string> queues;
  std::vector<std::pair<std::string, std::string>> fields;
  size_t max_body_bytes = 4096;  // of the body excerpt kept in the record
  // Once stored, each message is published to this queue (then acked), so
  // that operators can still inspect and drain dead letters; empty: consumed.
  std::string republish_to;
};

struct OutputConfig {
  enum class Kind { kMayak, kElasticsearch } kind = Kind::kMayak;
  std::string url;                 // http(s)://host:port
  std::string api_key;             // Mayak: "Authorization: ApiKey ..."; ES: the same header
  std::string username, password;  // Elasticsearch basic authentication
  std::string index =
      "logs-%{system}-default";  // Elasticsearch (a data stream name); %{field} from the input
  enum class Compression { kNone, kGzip, kZstd } compression = Compression::kZstd;
  std::string ca_file;     // TLS: trust this CA bundle instead of the system's
  bool verify_tls = true;  // false only for tests with self-signed certificates
  int64_t timeout_ns = 30'000'000'000;
  size_t batch_bytes = 1 << 20;
  size_t batch_events = 5000;
  int64_t batch_wait_ns =
      500'000'000;  // a batch is sent at the latest this long after its first event
  int64_t backoff_min_ns = 250'000'000;
  int64_t backoff_max_ns = 30'000'000'000;
};

struct AgentConfig {
  std::string data_dir;  // the registry of offsets and the disk buffer
  std::vector<FileInputConfig> files;
  std::vector<RabbitmqInputConfig> rabbitmq;
  OutputConfig output;
  // Events read and not yet acknowledged, in memory; reading pauses beyond.
  size_t queue_bytes = 8 << 20;
  // The disk buffer for batches the output does not take (0: none).
  uint64_t buffer_bytes = 1ull << 30;
  int64_t scan_interval_ns = 1'000'000'000;  // how often globs are matched again
  // How long an acknowledged offset may wait before the registry is written
  // (0: after every batch). A crash replays at most this much, and the
  // server drops the replayed ids.
  int64_t registry_flush_ns = 1'000'000'000;
  ListenAddress metrics;  // /metrics and /health; "off" by choice
};

// Parses the YAML text of a configuration. Errors name the key and say
// what is expected ("inputs[1].parser: 'xml' is not a parser; use json,
// logfmt, regex, nginx or plain").
absl::StatusOr<AgentConfig> ParseAgentConfig(std::string_view yaml_text);

// Reads and parses the file at `path`.
absl::StatusOr<AgentConfig> LoadAgentConfig(const std::string& path);

}  // namespace mayak::agent
