// The Mayak HTTP API's routes (docs/http-api.md).
#pragma once

#include <cstdint>

#include "api/router.h"
#include "api/server_state.h"
#include "archive/partition_archive.h"
#include "common/job_thread.h"
#include "common/metrics.h"
#include "query/live_tail.h"

namespace mayak {

struct ApiLimits {
  uint64_t max_body_bytes = 100ull << 20;
  uint64_t max_line_bytes = 1ull << 20;
  uint64_t max_search_hits = 10000;
  int64_t query_timeout_ns = 30'000'000'000;
  uint64_t query_memory_bytes = 512ull << 20;
  uint64_t tail_backlog_bytes = 8ull << 20;
  uint64_t max_histogram_buckets = 1000;
};

// GET /health and GET /metrics.
void AddStatusRoutes(Router* router, const ServerState* state, MetricsRegistry* metrics);
// POST /api/v1/logs.
void AddIngestRoutes(Router* router, const ServerState* state, const ApiLimits& limits,
                     MetricsRegistry* metrics);
// GET|POST /api/v1/search and /api/v1/query (a filter, optionally piped to
// stats or timechart).
void AddSearchRoutes(Router* router, const ServerState* state, const ApiLimits& limits);

// GET|POST /api/v1/histogram (counts by log.level over time) and
// /api/v1/fields (field names, types and top values).
void AddExploreRoutes(Router* router, const ServerState* state, const ApiLimits& limits);

// GET /api/v1/tail (live tails as Server-Sent Events) on `tail`.
void AddTailRoutes(Router* router, const ServerState* state, LiveTail* tail,
                   const ApiLimits& limits);

// GET /api/v1/context (the records around one, by its _id).
void AddContextRoutes(Router* router, const ServerState* state, const ApiLimits& limits);

// GET /api/v1/storage.
void AddStorageRoutes(Router* router, const ServerState* state);

// POST /api/v1/archive/restore (kind=logs, the default, or spans); the
// archives may be null (none configured). Restores run on `jobs`.
void AddArchiveRoutes(Router* router, const ServerState* state, const PartitionArchive* archive,
                      const PartitionArchive* spans_archive, JobThread* jobs);

// GET /api/v1/traces/{id} (one trace with its stages' times and critical
// path; ?logs=true adds the log records that carry its trace.id).
void AddTraceRoutes(Router* router, const ServerState* state, const ApiLimits& limits);

// The store when the server is ready; otherwise responds 503 and returns null.
LogStore* ReadyStoreOrRespond(const ServerState* state, const Respond& respond);

}  // namespace mayak
