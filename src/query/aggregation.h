// The aggregations of `| stats` and `| timechart`: count(), count(f),
// count_distinct(f), sum, avg, min, max and percentiles (p50, p90, p95,
// p99, or pN) of a field, and the state each keeps per group while rows are
// added (from records or from decoded columns), merged across scan workers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "model/log_record.h"

namespace mayak {

struct Aggregation {
  enum class Fn : uint8_t { kCount, kCountDistinct, kSum, kAvg, kMin, kMax, kPercentile };
  Fn fn = Fn::kCount;
  std::string field;      // empty for count()
  double percentile = 0;  // kPercentile: 0 < p <= 100
  std::string name;       // the result column: `as name`, else e.g. "p95(event.duration)"

  bool operator==(const Aggregation&) const = default;
  // Whether it reads no field values (count()).
  bool CountsRows() const { return fn == Fn::kCount && field.empty(); }
};

// The column name an aggregation gets without `as`: count(), avg(f), p95(f).
std::string DefaultAggregationName(const Aggregation& aggregation);

// count_distinct is exact up to this many distinct values of a group, then
// estimated (HyperLogLog, 2^16 registers: about 0.4% standard error) and
// marked approximate.
inline constexpr size_t kExactDistinctValues = 100'000;

// What one aggregation holds for one group.
class AggregationState {
 public:
  // A value of the field: numbers feed sums, extremes and percentiles;
  // every value feeds count(f) and count_distinct(f).
  void AddInteger(const Aggregation& a, int64_t value);
  void AddDouble(const Aggregation& a, double value);
  void AddText(const Aggregation& a, std::string_view text);
  void AddBool(const Aggregation& a, bool value);
  void Add(const Aggregation& a, const AttributeValue& value);
  void Merge(const Aggregation& a, AggregationState&& other);

  // The result: an integer where every input was one (count, sums and
  // extremes of integers), a double otherwise; nullopt when the group had
  // no value to aggregate (avg of nothing).
  std::optional<AttributeValue> Result(const Aggregation& a);
  // count_distinct only: whether Result is an estimate.
  bool approximate() const { return !registers_.empty(); }

 private:
  void AddHash(uint64_t hash);

  // Integers are kept exact (ids and nanosecond times exceed 2^53) while
  // every value is one; doubles alongside.
  uint64_t count_ = 0;    // values seen (numbers only, for the numeric ones)
  uint64_t doubles_ = 0;  // of them doubles
  double sum_ = 0;
  int64_t int_sum_ = 0;
  bool int_sum_exact_ = true;  // no overflow
  int64_t int_min_ = 0;
  int64_t int_max_ = 0;
  double min_ = 0;
  double max_ = 0;
  std::vector<double> values_;            // percentiles
  absl::flat_hash_set<uint64_t> hashes_;  // count_distinct, exact
  std::vector<uint8_t> registers_;        // count_distinct, estimated (2^16)
};

// A group's states, one per aggregation of the request.
using AggregationStates = std::vector<AggregationState>;

}  // namespace mayak
