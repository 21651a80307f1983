// The analytics pipes that may follow a filter. So far the counting ones:
//   <filter> | stats count() [by f1, f2, ...]
//   <filter> | timechart [span=1m] count() [by f]
// The full pipe language (sums, percentiles, top, sort, ...) builds on this
// (docs/http-api.md lists what is there today).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace mayak {

struct CountPipe {
  bool timechart = false;
  int64_t span_ns = 0;  // timechart bucket; 0: chosen from the time range
  std::vector<std::string> by;
};

struct PipedQuery {
  std::string filter;  // the text before the first `|`
  std::optional<CountPipe> count;
};

// Errors name the position (0-based) in `query` and what was expected.
absl::StatusOr<PipedQuery> ParsePipes(std::string_view query);

// A timechart bucket that gives at most about `max_buckets` buckets over
// [from, to]: 1s, 5s, 10s, 30s, 1m, 5m, 10m, 30m, 1h, 3h, 12h or 1d.
int64_t AutoSpan(int64_t from_ns, int64_t to_ns, int64_t max_buckets = 200);

}  // namespace mayak
