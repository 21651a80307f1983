// Runs a filter and its pipes against storage: the aggregating stage
// (stats, timechart, top, rare) as one Count in storage, column-wise, and the
// stages after it on the table that comes out; without an aggregation, the
// stages work on the newest matching records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "query/filter.h"
#include "query/pipes.h"
#include "query/table.h"
#include "storage/log_store.h"

namespace mayak {

struct PipedQueryOptions {
  size_t max_records = 10'000;    // records the stages of a non-aggregating query see
  uint64_t max_buckets = 10'000;  // timechart buckets over the time range
  QueryBudget budget;
  // Aligns timechart buckets to its midnights and labels them with its offset.
  absl::TimeZone time_zone = absl::UTCTimeZone();
};

struct PipedResult {
  Table table;
  uint64_t total = 0;  // records matching the filter in the time range
  // Without an aggregation: more records matched than the stages saw
  // (max_records, the newest).
  bool truncated = false;
  std::vector<std::string> approximate;  // columns holding estimates (count_distinct)
  ScanPlan plan;
};

// `stages` must not be empty. Bad input (an unknown column, too many
// buckets) is InvalidArgument.
absl::StatusOr<PipedResult> RunPipedQuery(const LogStore& store, const Filter& filter,
                                          const std::vector<PipeStage>& stages, int64_t from_ns,
                                          int64_t to_ns, const PipedQueryOptions& limits);

}  // namespace mayak
