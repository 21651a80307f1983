#include "api/server.h"

#include <unistd.h>  // environ

#include <chrono>
#include <csignal>
#include <future>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api/http_server.h"
#include "api/routes.h"
#include "api/server_state.h"
#include "archive/archive_config.h"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/signal_set.hpp"
#include "common/allocator_tuning.h"
#include "common/config_options.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "elastic/elastic_routes.h"
#include "jaeger/jaeger_routes.h"
#include "otlp/otlp_grpc_server.h"
#include "otlp/otlp_routes.h"
#include "pipeline/dedup_log_store.h"
#include "pipeline/pipeline_store.h"
#include "query/tail_log_store.h"
#include "storage/data_dir_lock.h"
#include "storage/embedded_log_store.h"
#include "syslog/syslog_server.h"
#include "zipkin/zipkin_routes.h"

namespace mayak {
namespace {

namespace net = boost::asio;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "mayak";
  return name;
}

absl::StatusOr<std::unique_ptr<IngestPipeline>> PipelineFromConfig(const Config& config) {
  PipelineOptions pipeline;
  pipeline.expand_json_messages = config.GetBool(options::kPipelineExpandJson);
  for (const auto& [name, values] : config.GetNamedMaps(options::kPipelineRoutes)) {
    SystemRoute route{name, "", "", ""};
    if (auto it = values.find("field"); it != values.end()) route.field = it->second;
    if (auto it = values.find("pattern"); it != values.end()) route.pattern = it->second;
    if (auto it = values.find("system"); it != values.end()) route.system = it->second;
    pipeline.routes.push_back(std::move(route));
  }
  RedactionOptions& options = pipeline.redaction;
  options.secret_keys = config.GetList(options::kRedactionSecretKeys);
  options.cards = config.GetBool(options::kRedactionCards);
  options.emails = config.GetBool(options::kRedactionEmails);
  for (const auto& [name, values] : config.GetNamedMaps(options::kRedactionRules)) {
    RedactionRule rule{name, "", std::string(Redactor::kRedacted)};
    if (auto it = values.find("pattern"); it != values.end()) rule.pattern = it->second;
    if (auto it = values.find("replacement"); it != values.end()) rule.replacement = it->second;
    if (rule.pattern.empty()) {
      return absl::InvalidArgumentError(
          StrCat("redaction.rules: rule '", name, "' needs a pattern"));
    }
    options.rules.push_back(std::move(rule));
  }
  return IngestPipeline::Create(std::move(pipeline));
}

// The store of spans: the logs' storage settings, its own directory
// (<data_dir>/traces), retention, archive (`archive`, may be null) and
// pipeline.
absl::StatusOr<std::unique_ptr<EmbeddedLogStore>> OpenSpanStore(
    const Config& config, const EmbeddedLogStoreOptions& log_options,
    const PartitionArchive* archive, MetricsRegistry* metrics) {
  EmbeddedLogStoreOptions options = log_options;
  options.dir = StrCat(log_options.dir, "/traces");
  options.kind = "spans";
  options.retention = {config.GetInt(options::kTracesHotDays),
                       config.GetByteSize(options::kTracesCap),
                       config.GetInt(options::kRestoredDays)};
  options.retention_by_system.clear();
  options.archive = nullptr;
  options.expire_archive = nullptr;
  options.archived_counts = nullptr;
  if (archive != nullptr) {
    options.archive = [archive, dir = options.dir](const std::string& system, int64_t day,
                                                   const std::vector<SegmentEntry>& segments) {
      return archive->Archive(Env::Default(), dir, system, day, segments,
                              absl::ToUnixNanos(absl::Now()));
    };
    options.archived_counts = [archive] { return archive->CountBySystem(); };
    options.expire_archive = [archive,
                              days = config.GetInt(options::kTracesArchiveDays)](int64_t now_ns) {
      return archive->DeleteExpired([days](const std::string&) { return days; }, now_ns);
    };
  }
  return EmbeddedLogStore::Open(options, metrics);
}

// The gauges of one store: NAME_records, NAME_wal_bytes, NAME_bytes,
// NAME_segments, NAME_merging_segments (`what` is "Records" or "Spans").
void AddStoreGauges(MetricsRegistry* metrics, std::string_view name, std::string_view what,
                    const LogStore* store) {
  const auto gauge = [&](std::string_view suffix, std::string help,
                         std::function<double(const StoreStats&)> value) {
    metrics->AddCallbackGauge(StrCat(name, suffix), help,
                              [store, value] { return value(store->Stats()); });
  };
  gauge("_records", StrCat(what, " in the store."),
        [](const StoreStats& s) { return static_cast<double>(s.records); });
  gauge("_wal_bytes", "Bytes of the write-ahead log on disk.",
        [](const StoreStats& s) { return static_cast<double>(s.wal_bytes); });
  gauge("_bytes", "Bytes of the columnar segments on disk (the WAL apart).",
        [](const StoreStats& s) { return static_cast<double>(s.segment_bytes); });
  gauge("_segments", "Live segments.",
        [](const StoreStats& s) { return static_cast<double>(s.segments); });
  gauge("_merging_segments", "Segments being merged right now (0: no merge running).",
        [](const StoreStats& s) { return static_cast<double>(s.merging_segments); });
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

absl::Status CheckServerConfig(const Config& config) {
  RETURN_IF_ERROR(PipelineFromConfig(config).status());
  return IndexRouting::Create(config.GetList(options::kElasticsearchIndexSystems)).status();
}

int RunServer(const Config& config) {
  const auto started = std::chrono::steady_clock::now();
  TuneAllocatorForServer();  // query buffers kept for reuse (common/allocator_tuning.h)
  LogSeverity severity = LogSeverity::kInfo;
  ParseLogSeverity(config.GetString(options::kLogLevel), &severity);
  SetMinLogSeverity(severity);

  // What the configuration's parser cannot check (patterns that must
  // compile) stops the server before it listens.
  auto pipeline = PipelineFromConfig(config);
  if (!pipeline.ok()) {
    LogError("cannot start", {{"error", std::string(StatusMessage(pipeline.status()))}});
    return 1;
  }
  auto archive = ArchiveFromConfig(config);
  if (!archive.ok()) {
    LogError("cannot start: the archive settings are incomplete",
             {{"error", std::string(StatusMessage(archive.status()))}});
    return 1;
  }
  const std::string& data_dir = config.GetString(options::kDataDir);
  auto lock = DataDirLock::Acquire(data_dir);
  if (!lock.ok()) {
    LogError("cannot start", {{"error", std::string(StatusMessage(lock.status()))}});
    return 1;
  }

  MetricsRegistry metrics;
  ServerState state;
  ApiLimits limits;
  limits.max_body_bytes = static_cast<uint64_t>(config.GetByteSize(options::kMaxBody));
  limits.max_line_bytes = static_cast<uint64_t>(config.GetByteSize(options::kMaxLine));
  limits.max_search_hits = static_cast<uint64_t>(config.GetInt(options::kMaxSearchHits));
  limits.query_timeout_ns = config.GetDurationNanos(options::kQueryTimeout);
  limits.query_memory_bytes = static_cast<uint64_t>(config.GetByteSize(options::kQueryMemory));
  limits.tail_backlog_bytes = static_cast<uint64_t>(config.GetByteSize(options::kTailBacklog));
  // Before the HTTP servers: their streams end tails as they close.
  LiveTailOptions tail_options;
  tail_options.max_tails = static_cast<size_t>(config.GetInt(options::kMaxTails));
  LiveTail live_tail(tail_options, &metrics);
  Router router([](int status, std::string_view code, std::string_view message) {
    return JsonError(status, code,
                     status == 404 ? StrCat(message, " (the API is described in docs/http-api.md)")
                                   : std::string(message));
  });
  AddStatusRoutes(&router, &state, &metrics);
  AddIngestRoutes(&router, &state, limits, &metrics);
  AddSearchRoutes(&router, &state, limits);
  AddExploreRoutes(&router, &state, limits);
  AddTailRoutes(&router, &state, &live_tail, limits);
  AddContextRoutes(&router, &state, limits);
  AddStorageRoutes(&router, &state);
  JobThread restores;  // archive restores, off the HTTP threads
  AddArchiveRoutes(&router, &state, archive->archive.get(), archive->spans.get(), &restores);
  AddTraceRoutes(&router, &state, limits);
  AddJaegerRoutes(&router, "/jaeger/api", &state, limits);

  // The Elasticsearch-compatible API: its own router (its error shape) and
  // listener, the same store.
  auto index_routing = IndexRouting::Create(config.GetList(options::kElasticsearchIndexSystems));
  if (!index_routing.ok()) {
    LogError("cannot start", {{"error", std::string(StatusMessage(index_routing.status()))}});
    return 1;
  }
  auto elastic_metadata = MetadataStore::Open(Env::Default(), StrCat(data_dir, "/elasticsearch"));
  if (!elastic_metadata.ok()) {
    LogError("cannot start", {{"error", std::string(StatusMessage(elastic_metadata.status()))}});
    return 1;
  }
  ElasticContext elastic{&state, limits, *std::move(index_routing), elastic_metadata->get(),
                         HostName()};
  Router otlp_router;
  AddOtlpRoutes(&otlp_router, &state, limits, &metrics);
  Router elastic_router = MakeElasticRouter();
  AddElasticRoutes(&elastic_router, &elastic, &metrics);
  // Jaeger's query API on its own port, where Jaeger's UI and Grafana's
  // Jaeger data source expect it.
  Router jaeger_router = MakeJaegerRouter();
  AddJaegerRoutes(&jaeger_router, "/api", &state, limits);
  // Zipkin's span intake on its own port, where Zipkin libraries send.
  Router zipkin_router = MakeZipkinRouter();
  AddZipkinRoutes(&zipkin_router, &state, limits, &metrics);

  net::io_context io;
  auto work = net::make_work_guard(io);
  const HttpServerOptions http_options{limits.max_body_bytes,
                                       config.GetDurationNanos(options::kIdleTimeout)};
  HttpServer http(io, &router, http_options, &metrics);
  HttpServer elastic_http(io, &elastic_router, http_options, &metrics);
  SyslogServer syslog(io, &state, &metrics, limits.max_line_bytes);
  HttpServer otlp_http(io, &otlp_router, http_options, &metrics);
  HttpServer jaeger_http(io, &jaeger_router, http_options, &metrics);
  HttpServer zipkin_http(io, &zipkin_router, http_options, &metrics);
  OtlpGrpcServer otlp_grpc(&state, limits, &metrics);

  // Signals are watched before anything slow starts, so that SIGTERM during
  // the WAL replay still ends the server cleanly.
  std::promise<int> stop_requested;
  std::future<int> stop_signal = stop_requested.get_future();
  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&stop_requested](const boost::system::error_code& ec, int signal_number) {
    if (!ec) stop_requested.set_value(signal_number);
  });
  std::signal(SIGPIPE, SIG_IGN);

  // Opens one listener by its option; false (logged) when it cannot. The API
  // comes first: scripts read its address from the first "listening" line.
  const auto listen = [&config](const OptionSpec& option, std::string_view name, const auto& bind,
                                bool http_url = true) {
    const ListenAddress& address = config.GetListenAddress(option);
    if (!address.enabled) return true;
    absl::StatusOr<std::string> bound = bind(address);
    if (!bound.ok()) {
      LogError("cannot start", {{"listener", std::string(name)},
                                {"error", std::string(StatusMessage(bound.status()))}});
      return false;
    }
    if (http_url) {
      LogInfo("listening", {{"listener", std::string(name)},
                            {"address", *bound},
                            {"url", StrCat("http://", *bound)}});
    } else {
      LogInfo("listening", {{"listener", std::string(name)}, {"address", *bound}});
    }
    return true;
  };
  const auto on = [](HttpServer& server) {
    return [&server](const ListenAddress& address) { return server.Listen(address); };
  };
  if (!listen(options::kListenApi, "api", on(http)) ||
      !listen(options::kListenElasticsearch, "elasticsearch", on(elastic_http)) ||
      !listen(options::kListenOtlpHttp, "otlp_http", on(otlp_http)) ||
      !listen(options::kListenJaeger, "jaeger", on(jaeger_http)) ||
      !listen(options::kListenZipkin, "zipkin", on(zipkin_http)) ||
      !listen(
          options::kListenOtlpGrpc, "otlp_grpc",
          [&otlp_grpc](const ListenAddress& address) { return otlp_grpc.Listen(address); },
          /*http_url=*/false) ||
      !listen(
          options::kListenSyslog, "syslog",
          [&syslog](const ListenAddress& address) { return syslog.Listen(address); },
          /*http_url=*/false)) {
    return 1;
  }
  if (!config.GetListenAddress(options::kListenApi).enabled) {
    LogWarn("the api listener is off: nothing can ingest or search");
  }

  const int io_threads = static_cast<int>(config.GetInt(options::kIoThreads));
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(io_threads));
  for (int i = 0; i < io_threads; ++i) threads.emplace_back([&io] { io.run(); });

  EmbeddedLogStoreOptions store_options;
  store_options.dir = data_dir;
  store_options.wal_file_size = static_cast<uint64_t>(config.GetByteSize(options::kWalFileSize));
  store_options.memtable_bytes = static_cast<uint64_t>(config.GetByteSize(options::kMemtableSize));
  store_options.flush_interval_ns = config.GetDurationNanos(options::kFlushInterval);
  store_options.row_group_rows = static_cast<size_t>(config.GetInt(options::kRowGroupRows));
  store_options.scan_threads = static_cast<size_t>(config.GetInt(options::kScanThreads));
  store_options.merge_min_segments = static_cast<size_t>(config.GetInt(options::kMergeMinSegments));
  store_options.merge_max_bytes =
      static_cast<uint64_t>(config.GetByteSize(options::kMergeMaxSegmentSize));
  store_options.merge_write_bytes_per_second =
      static_cast<uint64_t>(config.GetByteSize(options::kMergeWriteRate));
  store_options.retention = {config.GetInt(options::kHotDays), config.GetByteSize(options::kCap),
                             config.GetInt(options::kRestoredDays)};
  for (const auto& [system, values] : config.GetOverrides(options::kRetentionSystems)) {
    RetentionPolicy& policy = store_options.retention_by_system[system];
    policy = store_options.retention;
    if (auto it = values.find("hot_days"); it != values.end()) policy.hot_days = it->second;
    if (auto it = values.find("cap"); it != values.end()) policy.cap_bytes = it->second;
  }
  store_options.retention_interval_ns = config.GetDurationNanos(options::kRetentionInterval);
  if (const PartitionArchive* partitions = archive->archive.get(); partitions != nullptr) {
    store_options.archive = [partitions, data_dir](const std::string& system, int64_t day,
                                                   const std::vector<SegmentEntry>& segments) {
      return partitions->Archive(Env::Default(), data_dir, system, day, segments,
                                 absl::ToUnixNanos(absl::Now()));
    };
    store_options.archived_counts = [partitions] { return partitions->CountBySystem(); };
    std::map<std::string, int64_t> archive_days;
    for (const auto& [system, values] : config.GetOverrides(options::kRetentionSystems)) {
      if (auto it = values.find("archive_days"); it != values.end()) {
        archive_days[system] = it->second;
      }
    }
    const int64_t default_archive_days = config.GetInt(options::kArchiveDays);
    store_options.expire_archive = [partitions, archive_days,
                                    default_archive_days](int64_t now_ns) {
      return partitions->DeleteExpired(
          [&archive_days, default_archive_days](const std::string& system) {
            auto it = archive_days.find(system);
            return it != archive_days.end() ? it->second : default_archive_days;
          },
          now_ns);
    };
    LogInfo("archiving to S3 before retention drops partitions",
            {{"endpoint", config.GetString(options::kArchiveEndpoint)},
             {"bucket", config.GetString(options::kArchiveBucket)},
             {"prefix", config.GetString(options::kArchivePrefix)}});
  }
  std::unique_ptr<TailLogStore> tailed;
  std::unique_ptr<PipelineLogStore> pipelined;
  std::unique_ptr<DedupJournal> dedup_journal;
  std::unique_ptr<DedupLogStore> front;
  std::unique_ptr<PipelineLogStore> spans_front;
  auto store = EmbeddedLogStore::Open(store_options, &metrics);
  absl::StatusOr<std::unique_ptr<EmbeddedLogStore>> span_store =
      absl::FailedPreconditionError("not opened");
  if (store.ok()) {
    span_store = OpenSpanStore(config, store_options, archive->spans.get(), &metrics);
  }
  auto span_pipeline = PipelineFromConfig(config);  // checked above: the same configuration
  int exit_code = 0;
  if (!store.ok()) {
    LogError("cannot open the store",
             {{"data_dir", data_dir}, {"error", std::string(StatusMessage(store.status()))}});
    exit_code = 1;
  } else if (!span_store.ok() || !span_pipeline.ok()) {
    const absl::Status& why = span_store.ok() ? span_pipeline.status() : span_store.status();
    LogError("cannot open the store of spans", {{"data_dir", StrCat(data_dir, "/traces")},
                                                {"error", std::string(StatusMessage(why))}});
    exit_code = 1;
  } else {
    LogStore* raw_store = store->get();
    AddStoreGauges(&metrics, "mayak_storage", "Records", raw_store);
    AddStoreGauges(&metrics, "mayak_spans_storage", "Spans", span_store->get());
    // Every ingest path stores through the pipeline in front of the store;
    // live tails see what the store acknowledged, after the pipeline.
    tailed = std::make_unique<TailLogStore>(raw_store, &live_tail);
    pipelined = std::make_unique<PipelineLogStore>(tailed.get(), *std::move(pipeline), &metrics);
    // Resends (the same `_id`) are dropped before the pipeline spends work on them.
    const auto dedup_window = static_cast<size_t>(config.GetInt(options::kDedupWindow));
    auto journal = DedupJournal::Open(Env::Default(), StrCat(data_dir, "/dedup-ids"), dedup_window);
    if (journal.ok()) {
      dedup_journal = *std::move(journal);
    } else {
      LogWarn("cannot open the journal of event ids; resends after a restart may be stored twice",
              {{"error", std::string(StatusMessage(journal.status()))}});
    }
    front = std::make_unique<DedupLogStore>(pipelined.get(), dedup_window, &metrics,
                                            dedup_journal.get());
    spans_front =
        std::make_unique<PipelineLogStore>(span_store->get(), *std::move(span_pipeline), &metrics);
    state.store.store(front.get());
    state.spans.store(spans_front.get());
    state.phase.store(ServerPhase::kReady);
    LogInfo("ready", {{"data_dir", data_dir},
                      {"records", raw_store->Stats().records},
                      {"spans", (*span_store)->Stats().records},
                      {"startup_seconds", SecondsSince(started)}});
    const int signal_number = stop_signal.get();
    LogInfo("shutting down", {{"signal", signal_number == SIGTERM ? "SIGTERM" : "SIGINT"}});
  }

  // Drain: refuse new work, let in-flight requests finish, then flush.
  state.phase.store(ServerPhase::kStopping);
  http.StartDraining();
  elastic_http.StartDraining();
  otlp_http.StartDraining();
  jaeger_http.StartDraining();
  zipkin_http.StartDraining();
  syslog.Stop();
  otlp_grpc.Stop();
  restores.Stop();  // a restore under way gives up and answers 503
  const auto drain_start = std::chrono::steady_clock::now();
  const auto deadline =
      drain_start + std::chrono::nanoseconds(config.GetDurationNanos(options::kShutdownTimeout));
  const auto active = [&http, &elastic_http, &otlp_http, &jaeger_http, &zipkin_http] {
    return http.ActiveRequests() + elastic_http.ActiveRequests() + otlp_http.ActiveRequests() +
           jaeger_http.ActiveRequests() + zipkin_http.ActiveRequests();
  };
  while (active() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const int abandoned = active();
  if (abandoned > 0) {
    LogWarn("shutdown timeout: abandoning in-flight requests", {{"requests", abandoned}});
  }
  live_tail.Stop();
  if (store.ok()) (*store)->Close();
  if (span_store.ok()) (*span_store)->Close();
  signals.cancel();
  work.reset();
  io.stop();
  for (std::thread& t : threads) t.join();
  if (store.ok()) store->reset();
  if (span_store.ok()) span_store->reset();
  LogInfo("stopped", {{"drain_seconds", SecondsSince(drain_start)}});
  return exit_code;
}

}  // namespace mayak
