#include "common/config_options.h"

namespace mayak::options {

constexpr int64_t kMiB = int64_t{1024} * 1024;
constexpr int64_t kSecond = 1'000'000'000;

const OptionSpec kDataDir{
    "server", "data_dir", OptionType::kString, "./data",
    "Directory of the embedded store: the write-ahead log and data files. Created if missing; "
    "one server at a time may use it."};
const OptionSpec kIoThreads{
    "server",
    "io_threads",
    OptionType::kInt,
    "2",
    "Threads that serve HTTP connections. One per core is plenty: request work is short and "
    "disk waits happen on the WAL writer thread.",
    {},
    1,
    256};
const OptionSpec kShutdownTimeout{
    "server",
    "shutdown_timeout",
    OptionType::kDuration,
    "10s",
    "On SIGTERM or SIGINT, how long in-flight requests may take to finish before the server "
    "exits anyway. Acknowledged records are durable either way.",
    {},
    0,
    3600 * kSecond};
const OptionSpec kLogLevel{"server",
                           "log_level",
                           OptionType::kChoice,
                           "info",
                           "Least severity of the server's own events (JSON lines on stderr).",
                           "debug|info|warn|error"};

const OptionSpec kListenApi{"listeners", "api", OptionType::kListenAddress, "127.0.0.1:7011",
                            "Mayak HTTP API (ingest, search, health, metrics). HOST:PORT or off; "
                            "port 0 picks a free port and logs it."};
const OptionSpec kListenElasticsearch{
    "listeners", "elasticsearch", OptionType::kListenAddress, "127.0.0.1:9200",
    "Elasticsearch-compatible API: _bulk, _doc and the start-up checks of Elasticsearch "
    "clients and shippers (docs/elasticsearch.md)."};
const OptionSpec kListenOtlpHttp{
    "listeners", "otlp_http", OptionType::kListenAddress, "127.0.0.1:4318",
    "OpenTelemetry OTLP over HTTP: POST /v1/logs, protobuf or JSON (docs/opentelemetry.md)."};
const OptionSpec kListenOtlpGrpc{
    "listeners", "otlp_grpc", OptionType::kListenAddress, "127.0.0.1:4317",
    "OpenTelemetry OTLP over gRPC: LogsService/Export (docs/opentelemetry.md)."};
const OptionSpec kListenZipkin{
    "listeners", "zipkin", OptionType::kListenAddress, "127.0.0.1:9411",
    "Zipkin v2 span ingest: POST /api/v2/spans with JSON (docs/tracing.md)."};
const OptionSpec kListenJaeger{
    "listeners", "jaeger", OptionType::kListenAddress, "127.0.0.1:16686",
    "Jaeger's query API (/api/services, /api/traces, ...; docs/tracing.md), for the Jaeger "
    "UI and Grafana's Jaeger data source. Also served under /jaeger/api on the api listener."};
const OptionSpec kListenSyslog{
    "listeners", "syslog", OptionType::kListenAddress, "127.0.0.1:5514",
    "Syslog over UDP and TCP on the same port (RFC 5424 and RFC 3164; TCP framed by octet "
    "counting or newlines; docs/syslog.md)."};

const OptionSpec kMaxBody{
    "limits",
    "max_body",
    OptionType::kByteSize,
    "100MB",
    "Largest request body, after decompression. A larger body gets 413 and is not read further.",
    {},
    1024,
    4096 * kMiB};
const OptionSpec kMaxLine{"limits",
                          "max_line",
                          OptionType::kByteSize,
                          "1MiB",
                          "Largest single NDJSON record; a longer line is rejected on its own.",
                          {},
                          256,
                          64 * kMiB};
const OptionSpec kMaxSearchHits{"limits",
                                "max_search_hits",
                                OptionType::kInt,
                                "10000",
                                "Most hits one search may return (its `limit`).",
                                {},
                                1,
                                1000000};
const OptionSpec kQueryTimeout{
    "limits",
    "query_timeout",
    OptionType::kDuration,
    "30s",
    "A search, count or piped query still reading segments after this long is stopped and "
    "answered 504 `query_timeout`: narrow its time range or filter.",
    {},
    kSecond / 1000,
    3600 * kSecond};
const OptionSpec kQueryMemory{
    "limits",
    "query_memory",
    OptionType::kByteSize,
    "512MiB",
    "Memory one query may take for its groups (`| stats ... by`, `| top`, `| timechart`, "
    "`| patterns`), estimated as it reads. A query that needs more is stopped and answered "
    "422 `query_too_large`: group by fewer fields or narrow its time range.",
    {},
    kMiB,
    1024 * 1024 * kMiB};
const OptionSpec kMaxTails{"limits",
                           "max_tails",
                           OptionType::kInt,
                           "100",
                           "Live tails (GET /api/v1/tail, `mayak tail`) open at once; one more "
                           "gets 429 `too_many_tails`.",
                           {},
                           1,
                           10000};
const OptionSpec kTailBacklog{
    "limits",
    "tail_backlog",
    OptionType::kByteSize,
    "8MiB",
    "How far a live tail's reader may fall behind, in bytes not yet taken. A slower reader "
    "gets a `dropped` event and its tail ends; ingest never waits for it.",
    {},
    64 * 1024,
    1024 * kMiB};
const OptionSpec kDedupWindow{
    "limits",
    "dedup_window",
    OptionType::kInt,
    "1000000",
    "How many of the newest event ids (`_id`, sent by `mayak agent` and Elasticsearch clients) "
    "ingest remembers: a record whose id is among them is a resend and is not stored again. "
    "About 40 bytes of memory an id, and 8 to 16 bytes of disk in DATA_DIR/dedup-ids, which "
    "keeps the window across restarts and crashes.",
    {},
    1,
    100000000};
const OptionSpec kIdleTimeout{"limits",
                              "idle_timeout",
                              OptionType::kDuration,
                              "60s",
                              "A keep-alive connection with no request for this long is closed.",
                              {},
                              kSecond,
                              3600 * kSecond};

const OptionSpec kWalFileSize{
    "wal",
    "file_size",
    OptionType::kByteSize,
    "64MiB",
    "The write-ahead log starts a new file past this size, so that old files can be dropped "
    "once their records are in data files.",
    {},
    int64_t{64} * 1024,
    4096 * kMiB};

const OptionSpec kMemtableSize{
    "storage",
    "memtable_size",
    OptionType::kByteSize,
    "128MiB",
    "Records collect in memory (and the WAL) until they take this much memory, then are written "
    "out "
    "as columnar segments. Larger means fewer, better-compressed segments and more memory.",
    {},
    int64_t{64} * 1024,
    4096 * kMiB};
const OptionSpec kFlushInterval{
    "storage",
    "flush_interval",
    OptionType::kDuration,
    "1m",
    "Records older than this in memory are written out to segments even if the memtable is "
    "not full, which keeps the WAL to replay at start-up short.",
    {},
    kSecond,
    int64_t{24} * 3600 * kSecond};
const OptionSpec kRowGroupRows{
    "storage",
    "row_group_rows",
    OptionType::kInt,
    "16384",
    "Rows per row group in a segment: the unit that time and index checks skip or decode.",
    {},
    128,
    1 << 20};
const OptionSpec kScanThreads{
    "storage",
    "scan_threads",
    OptionType::kInt,
    "0",
    "Threads one search or count reads row groups with (as ClickHouse's max_threads). 0: one "
    "per CPU core.",
    {},
    0,
    64};
const OptionSpec kMergeMinSegments{
    "storage",
    "merge_min_segments",
    OptionType::kInt,
    "8",
    "A background merge combines a partition's segments of about the same size once there "
    "are this many, keeping segments per partition few. Fewer rewrites each record more "
    "often; more leaves more segments for searches to open. 0 turns merging off.",
    {},
    0,
    1000};
const OptionSpec kMergeMaxSegmentSize{"storage",
                                      "merge_max_segment_size",
                                      OptionType::kByteSize,
                                      "2GiB",
                                      "Segments this large are not merged further.",
                                      {},
                                      kMiB,
                                      int64_t{1024} * 1024 * kMiB};
const OptionSpec kMergeWriteRate{
    "storage",
    "merge_write_rate",
    OptionType::kByteSize,
    "100MB",
    "At most this many bytes a second written by merges, leaving the disk to ingest and "
    "searches. 0 means no limit.",
    {},
    0,
    int64_t{1024} * 1024 * kMiB};

const OptionSpec kHotDays{
    "retention",
    "hot_days",
    OptionType::kInt,
    "30",
    "Days a system's records stay searchable on local disk. A retention run drops every UTC "
    "day partition wholly older than this.",
    {},
    1,
    36500};
const OptionSpec kArchiveDays{
    "retention",
    "archive_days",
    OptionType::kInt,
    "365",
    "Days archived partitions are kept in object storage: a retention run deletes those "
    "whose day ended longer ago.",
    {},
    1,
    36500};
const OptionSpec kRestoredDays{
    "retention",
    "restored_days",
    OptionType::kInt,
    "7",
    "Days a partition restored from the archive (mayak archive restore) stays searchable "
    "before retention drops it again; it is not archived a second time.",
    {},
    1,
    36500};
const OptionSpec kCap{
    "retention",
    "cap",
    OptionType::kByteSize,
    "100GB",
    "Most segment bytes one system may keep on local disk. Over it, the system's oldest "
    "partitions go first; its newest partition always stays.",
    {},
    kMiB,
    INT64_MAX};
const OptionSpec kRetentionInterval{"retention",
                                    "check_interval",
                                    OptionType::kDuration,
                                    "1m",
                                    "How often retention checks ages and caps.",
                                    {},
                                    kSecond,
                                    int64_t{24} * 3600 * kSecond};
const OptionSpec kRetentionSystems{
    "retention",
    "systems",
    OptionType::kOverrides,
    "{}",
    "Per-system hot_days, archive_days and cap, overriding the defaults above, for example "
    "{shop: {cap: 50GB, hot_days: 14}}. In the environment as YAML: "
    "MAYAK_RETENTION_SYSTEMS='{shop: {cap: 50GB}}'.",
    "hot_days|archive_days|cap"};

const OptionSpec kTracesHotDays{
    "traces",
    "hot_days",
    OptionType::kInt,
    "7",
    "Days a system's spans stay searchable on local disk (spans are kept apart from logs, "
    "under <data_dir>/traces). A retention run drops (archives first, with archive.s3 set) "
    "every UTC day partition of spans wholly older than this.",
    {},
    1,
    36500};
const OptionSpec kTracesArchiveDays{
    "traces",
    "archive_days",
    OptionType::kInt,
    "30",
    "Days archived partitions of spans are kept in object storage (with archive.s3 set, "
    "spans are archived under its prefix + spans/ before retention drops them).",
    {},
    1,
    36500};
const OptionSpec kTracesCap{
    "traces",
    "cap",
    OptionType::kByteSize,
    "20GB",
    "Most bytes of spans one system may keep on local disk; over it, its oldest partitions of "
    "spans go first.",
    {},
    kMiB,
    INT64_MAX};

const OptionSpec kElasticsearchIndexSystems{
    "elasticsearch", "index_systems", OptionType::kList,
    R"(["logs-<system>-*", "filebeat-*", "logstash-*", "<system>-*"])",
    "Which system a document sent to an Elasticsearch index goes to: index name patterns, "
    "tried in order, where <system> captures the system's name (up to the next '-') and * "
    "matches anything. Where the first matching pattern has no <system>, or none matches, "
    "the document's own system field names the system, then its service.name, else default. "
    "The defaults route data streams (logs-shop-default) and daily indices (shop-2026.11.25) "
    "by name, and leave Filebeat's and Logstash's own indices to the documents."};

const OptionSpec kPipelineExpandJson{
    "pipeline", "expand_json_messages", OptionType::kBool, "true",
    "A message that is itself a JSON object (an app's JSON log inside a container's line) "
    "becomes fields: its message or msg the message, its level the level when the record has "
    "none, its other fields attributes (the record's own stay)."};
const OptionSpec kPipelineRoutes{
    "pipeline",
    "routes",
    OptionType::kNamedMaps,
    "{}",
    "Rules that set a record's system, tried in the order written; the first whose field's "
    "value matches its pattern (* wildcards) wins, over what the protocol chose. For example "
    "{pg: {field: service.name, pattern: 'postgres*', system: postgres}, mes: {field: "
    "host.name, pattern: 'plant-*'}} (system defaults to the rule's name).",
    "field|pattern|system"};

const OptionSpec kRedactionSecretKeys{
    "redaction", "secret_keys", OptionType::kList,
    "[password, passwd, pwd, secret, token, access_token, refresh_token, api_key, apikey, "
    "authorization, proxy-authorization, cookie, set-cookie, x-api-key, cvv, cvc, client_secret, "
    "private_key]",
    "Keys whose values never reach storage: as fields (user.password), and inside any text as "
    "key=value, key: value, \"key\":\"value\" or key%3Dvalue, the value becomes [REDACTED]. "
    "Compared without case, '_' and '-' (apiKey, API-KEY and api_key are one key); keys ending "
    "in password, passwd, secret, token, apikey or privatekey count too (db_password)."};
const OptionSpec kRedactionCards{
    "redaction", "cards", OptionType::kBool, "true",
    "Mask card numbers (13-19 digits, grouped as cards are printed, Luhn-valid) to their last "
    "four digits: **** **** **** 1111. Numbers that fail Luhn, such as order ids, stay."};
const OptionSpec kRedactionEmails{"redaction", "emails", OptionType::kBool, "true",
                                  "Mask email addresses: jane@example.com becomes "
                                  "j***@example.com."};
const OptionSpec kRedactionRules{
    "redaction",
    "rules",
    OptionType::kNamedMaps,
    "{}",
    "Extra rules, each a regular expression (RE2 syntax) and its replacement (\\1 for a "
    "group; default [REDACTED]), applied to every text value, for example {iban: {pattern: "
    "'[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}', replacement: '[IBAN]'}}. Records changed by any rule "
    "list the rules in their field redacted.",
    "pattern|replacement"};

const OptionSpec kArchiveEndpoint{
    "archive.s3", "endpoint", OptionType::kString, "",
    "S3-compatible object storage that partitions are archived to before retention drops "
    "them, for example https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000 "
    "(MinIO). "
    "Empty: no archive, dropped partitions are deleted."};
const OptionSpec kArchiveRegion{"archive.s3", "region", OptionType::kString, "us-east-1",
                                "The region requests are signed for (SigV4)."};
const OptionSpec kArchiveBucket{"archive.s3", "bucket", OptionType::kString, "mayak-archive",
                                "The bucket; it must exist."};
const OptionSpec kArchivePrefix{
    "archive.s3", "prefix", OptionType::kString, "logs/",
    "Prepended to every object key: PREFIX<system>/<YYYY-MM-DD>/<segment>."};
const OptionSpec kArchiveAccessKey{
    "archive.s3", "access_key", OptionType::kString, "",
    "Access key id. Better given in the environment: MAYAK_ARCHIVE_S3_ACCESS_KEY."};
const OptionSpec kArchiveSecretKey{
    "archive.s3", "secret_key", OptionType::kString, "",
    "Secret access key. Better given in the environment: MAYAK_ARCHIVE_S3_SECRET_KEY."};

}  // namespace mayak::options

namespace mayak {

const std::vector<const OptionSpec*>& AllOptions() {
  using namespace options;  // NOLINT(google-build-using-namespace): a table of them
  static const std::vector<const OptionSpec*> kAll = {
      &kDataDir,
      &kIoThreads,
      &kShutdownTimeout,
      &kLogLevel,
      &kListenApi,
      &kListenElasticsearch,
      &kListenOtlpHttp,
      &kListenOtlpGrpc,
      &kListenZipkin,
      &kListenJaeger,
      &kListenSyslog,
      &kMaxBody,
      &kMaxLine,
      &kMaxSearchHits,
      &kQueryTimeout,
      &kQueryMemory,
      &kMaxTails,
      &kTailBacklog,
      &kIdleTimeout,
      &kDedupWindow,
      &kWalFileSize,
      &kMemtableSize,
      &kFlushInterval,
      &kRowGroupRows,
      &kScanThreads,
      &kMergeMinSegments,
      &kMergeMaxSegmentSize,
      &kMergeWriteRate,
      &kHotDays,
      &kArchiveDays,
      &kCap,
      &kRetentionInterval,
      &kRetentionSystems,
      &kRestoredDays,
      &kArchiveEndpoint,
      &kArchiveRegion,
      &kArchiveBucket,
      &kArchivePrefix,
      &kArchiveAccessKey,
      &kArchiveSecretKey,
      &kTracesHotDays,
      &kTracesArchiveDays,
      &kTracesCap,
      &kElasticsearchIndexSystems,
      &kPipelineExpandJson,
      &kPipelineRoutes,
      &kRedactionSecretKeys,
      &kRedactionCards,
      &kRedactionEmails,
      &kRedactionRules,
  };
  return kAll;
}

}  // namespace mayak
