#include "api/piped_query.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "common/units.h"

namespace mayak {
namespace {

using Kind = PipeStage::Kind;

// Each group's row: the time bucket (timechart), the group-by values, then
// each aggregation's result.
std::vector<TableCell> GroupRow(const PipeStage& stage, GroupKey&& key, uint64_t count,
                                AggregationStates* states, std::set<std::string>* approximate,
                                const absl::TimeZone& zone) {
  std::vector<TableCell> row;
  if (stage.kind == Kind::kTimechart) row.emplace_back(FormatRfc3339In(key.bucket_ns, zone));
  for (AttributeValue& v : key.values) row.emplace_back(std::move(v));
  for (size_t i = 0; i < stage.aggregations.size(); ++i) {
    const Aggregation& a = stage.aggregations[i];
    if (a.CountsRows()) {
      row.emplace_back(static_cast<int64_t>(count));
    } else if (states == nullptr || states->empty()) {
      // No state: a bucket or group no row with the field fell in.
      if (a.fn == Aggregation::Fn::kCount || a.fn == Aggregation::Fn::kCountDistinct) {
        row.emplace_back(int64_t{0});
      } else {
        row.emplace_back();  // no value
      }
    } else {
      row.push_back((*states)[i].Result(a));
      if ((*states)[i].approximate()) approximate->insert(a.name);
    }
  }
  return row;
}

// The groups, their keys moved out of the map: a query of many groups
// (`stats count() by url.path` over thousands of paths) would otherwise copy
// every key's values.
std::vector<std::pair<GroupKey, uint64_t>> TakeGroups(std::map<GroupKey, uint64_t>* groups) {
  std::vector<std::pair<GroupKey, uint64_t>> out;
  out.reserve(groups->size());
  while (!groups->empty()) {
    auto node = groups->extract(groups->begin());
    out.emplace_back(std::move(node.key()), node.mapped());
  }
  return out;
}

// Each value of the one group-by field with its count (CountResult::values,
// or its groups), most frequent first (`most_first`; else least), ties in
// value order; at most `most` of them.
std::vector<std::pair<AttributeValue, uint64_t>> RankValues(CountResult* counted, bool most_first,
                                                            size_t most) {
  std::vector<std::pair<AttributeValue, uint64_t>> values = std::move(counted->values);
  for (auto& [key, count] : TakeGroups(&counted->groups)) {
    if (key.values.size() == 1) values.emplace_back(std::move(key.values[0]), count);
  }
  const auto before = [most_first](const auto& a, const auto& b) {
    if (a.second != b.second) return most_first ? a.second > b.second : a.second < b.second;
    return a.first < b.first;
  };
  if (most < values.size()) {
    const auto end = values.begin() + static_cast<ptrdiff_t>(most);
    std::partial_sort(values.begin(), end, values.end(), before);
    values.erase(end, values.end());
  } else {
    std::sort(values.begin(), values.end(), before);
  }
  return values;
}

absl::StatusOr<PipedResult> Aggregate(const LogStore& store, const Filter& filter,
                                      const PipeStage& stage, int64_t from_ns, int64_t to_ns,
                                      const PipedQueryOptions& limits) {
  CountRequest request;
  request.filter = &filter;
  request.from_ns = from_ns;
  request.to_ns = to_ns;
  request.group_by = stage.by;
  request.aggregations = stage.aggregations;
  request.group_by_patterns = stage.kind == Kind::kPatterns;
  request.budget = limits.budget;
  request.bucket_offset_ns = UtcOffsetNanos(limits.time_zone, from_ns);
  // One field's counts and nothing else: no map of groups needed.
  request.flat_values =
      (stage.kind == Kind::kTop || stage.kind == Kind::kRare || stage.kind == Kind::kStats) &&
      stage.by.size() == 1 &&
      std::ranges::all_of(stage.aggregations, [](const Aggregation& a) { return a.CountsRows(); });
  if (stage.kind == Kind::kTimechart) {
    request.bucket_ns = stage.span_ns > 0 ? stage.span_ns : AutoSpan(from_ns, to_ns);
    // Unsigned: the range of from <= to always fits.
    const uint64_t range = static_cast<uint64_t>(to_ns) - static_cast<uint64_t>(from_ns);
    if (to_ns != INT64_MAX &&
        range / static_cast<uint64_t>(request.bucket_ns) > limits.max_buckets) {
      return absl::InvalidArgumentError(
          StrCat("span ", FormatDuration(request.bucket_ns), " makes more than ",
                 limits.max_buckets, " buckets over the time range: choose a larger span"));
    }
  }
  auto counted = store.Count(request);
  if (!counted.ok()) return counted.status();
  PipedResult result;
  result.total = counted->total;
  result.plan = counted->plan;
  Table& table = result.table;
  if (stage.kind == Kind::kTop || stage.kind == Kind::kRare || stage.kind == Kind::kPatterns) {
    // Values (or patterns) by how often they occur; patterns lists all.
    table.columns = {stage.kind == Kind::kPatterns ? "pattern" : stage.by[0], "count", "percent"};
    std::vector<std::pair<AttributeValue, uint64_t>> values =
        RankValues(&*counted, stage.kind != Kind::kRare,
                   stage.kind == Kind::kPatterns ? SIZE_MAX : stage.count);
    table.rows.reserve(values.size());
    for (auto& [value, count] : values) {
      const double percent = counted->total == 0 ? 0
                                                 : 100.0 * static_cast<double>(count) /
                                                       static_cast<double>(counted->total);
      table.rows.push_back({std::move(value), static_cast<int64_t>(count), percent});
    }
    return result;
  }
  if (stage.kind == Kind::kTimechart) table.columns.emplace_back("_time");
  for (const std::string& f : stage.by) table.columns.push_back(f);
  for (const Aggregation& a : stage.aggregations) table.columns.push_back(a.name);
  if (request.flat_values) {
    // Largest groups first; each aggregation is count().
    std::vector<std::pair<AttributeValue, uint64_t>> values = RankValues(&*counted, true, SIZE_MAX);
    table.rows.reserve(values.size());
    for (auto& [value, count] : values) {
      std::vector<TableCell>& row = table.rows.emplace_back();
      row.reserve(1 + stage.aggregations.size());
      row.emplace_back(std::move(value));
      for (size_t i = 0; i < stage.aggregations.size(); ++i) {
        row.emplace_back(static_cast<int64_t>(count));
      }
    }
    return result;
  }

  std::vector<std::pair<GroupKey, uint64_t>> groups = TakeGroups(&counted->groups);
  if (stage.kind == Kind::kTimechart && stage.by.empty() && to_ns != INT64_MAX) {
    // Every bucket of the range, so a chart shows gaps (as zero counts).
    std::vector<std::pair<GroupKey, uint64_t>> filled;
    const int64_t span = request.bucket_ns;
    int64_t bucket = BucketStart(from_ns, span, request.bucket_offset_ns);
    size_t k = 0;
    for (; bucket <= to_ns; bucket += span) {
      if (k < groups.size() && groups[k].first.bucket_ns == bucket) {
        filled.push_back(std::move(groups[k++]));
      } else {
        GroupKey key;
        key.bucket_ns = bucket;
        filled.emplace_back(key, 0);
      }
    }
    groups = std::move(filled);
  }
  if (stage.kind == Kind::kStats) {
    // Largest groups first.
    std::ranges::stable_sort(groups,
                             [](const auto& a, const auto& b) { return a.second > b.second; });
    if (groups.empty() && stage.by.empty()) groups.emplace_back(GroupKey{}, 0);  // count() is 0
  }
  std::set<std::string> approximate;
  for (auto& [key, count] : groups) {
    auto it = counted->states.find(key);
    table.rows.push_back(GroupRow(stage, std::move(key), count,
                                  it == counted->states.end() ? nullptr : &it->second, &approximate,
                                  limits.time_zone));
  }
  result.approximate.assign(approximate.begin(), approximate.end());
  return result;
}

}  // namespace

absl::StatusOr<PipedResult> RunPipedQuery(const LogStore& store, const Filter& filter,
                                          const std::vector<PipeStage>& stages, int64_t from_ns,
                                          int64_t to_ns, const PipedQueryOptions& limits) {
  PipedResult result;
  size_t next = 0;
  if (stages[0].Aggregates()) {
    auto aggregated = Aggregate(store, filter, stages[0], from_ns, to_ns, limits);
    if (!aggregated.ok()) return aggregated.status();
    result = *std::move(aggregated);
    next = 1;
  } else {
    SearchRequest search;
    search.filter = &filter;
    search.from_ns = from_ns;
    search.to_ns = to_ns;
    search.limit = limits.max_records;
    search.budget = limits.budget;
    auto found = store.Search(search);
    if (!found.ok()) return found.status();
    result.table = TableOfRecords(found->hits);
    result.total = found->total;
    result.truncated = found->total > found->hits.size();
    result.plan = found->plan;
  }
  for (size_t s = next; s < stages.size(); ++s) {
    RETURN_IF_ERROR(ApplyTableStage(stages[s], &result.table));
  }
  return result;
}

}  // namespace mayak
