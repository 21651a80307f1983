// The analytics pipes that may follow a filter (docs/query-language.md):
//
//   <filter> | stats count(), avg(event.duration) as avg_ns by service.name
//   <filter> | timechart span=1m p95(event.duration) by service.name
//   <filter> | top 10 client.ip          <filter> | rare 5 url.path
//   log.level:error | patterns            (messages collapsed into templates)
//   ... | sort -count(), service.name  | fields a, b | head 20 | where count() > 100
//
// stats, timechart, top, rare and patterns aggregate in storage and come
// first (at most one of them); sort, fields, head and where work on the table that
// comes out (or, without an aggregation, on the matching records).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "query/aggregation.h"

namespace mayak {

struct SortKey {
  std::string column;
  bool descending = false;

  bool operator==(const SortKey&) const = default;
};

struct PipeStage {
  enum class Kind : uint8_t {
    kStats,
    kTimechart,
    kTop,
    kRare,
    kPatterns,
    kSort,
    kFields,
    kHead,
    kWhere
  };
  Kind kind = Kind::kStats;
  size_t position = 0;  // of the command, in the whole query

  std::vector<Aggregation> aggregations;  // stats, timechart
  std::vector<std::string> by;  // stats, timechart (one at most); top, rare, patterns: the field
  int64_t span_ns = 0;          // timechart; 0: chosen from the time range
  size_t count = 0;             // top, rare, head
  std::vector<SortKey> sort;    // sort
  std::vector<std::string> fields;  // fields
  std::string where;                // where: a filter on the table's columns
  size_t where_position = 0;        // where the filter starts in the whole query

  // Whether the stage aggregates in storage (stats, timechart, top, rare,
  // patterns).
  bool Aggregates() const { return kind <= Kind::kPatterns; }
};

struct PipedQuery {
  std::string filter;  // the text before the first `|`
  std::vector<PipeStage> stages;
};

// Errors are InvalidArgument, "query syntax error at position N: ..."
// (0-based, in the whole query; kql::SyntaxPosition reads N back).
absl::StatusOr<PipedQuery> ParsePipes(std::string_view query);

// A timechart bucket that gives at most about `max_buckets` buckets over
// [from, to]: 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 3h, 12h or 1d.
int64_t AutoSpan(int64_t from_ns, int64_t to_ns, int64_t max_buckets = 200);

// The start of the `span_ns` bucket `time_ns` falls in, buckets aligned to
// the Unix epoch (floor, also before 1970), or with `offset_ns` to the
// midnights of a zone that far east of UTC (`timezone`: a day is a local day).
// A bucket that would start before the lowest time (year 1677) starts there.
int64_t BucketStart(int64_t time_ns, int64_t span_ns, int64_t offset_ns = 0);

}  // namespace mayak
