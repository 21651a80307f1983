// Counts the rows a search matches by the values of some fields and, when
// asked, by time bucket: what `| stats count() by f1, f2` and
// `| timechart span=1m count()` compute. Row groups are counted column-wise:
// each field's values get small codes, a row's codes combine into one
// integer key, and values become strings only once per distinct group.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "common/string_hash.h"
#include "model/log_record.h"
#include "storage/column_batch.h"
#include "storage/log_store.h"

namespace mayak {

class CountAggregator {
 public:
  // `bucket_ns` > 0 also groups by time (CountRequest); `aggregations`
  // are computed per group besides the count; `patterns` groups the first
  // field's text by its MessagePattern.
  CountAggregator(std::vector<std::string> group_by, int64_t bucket_ns,
                  std::vector<Aggregation> aggregations = {}, bool patterns = false,
                  int64_t bucket_offset_ns = 0);

  void Add(const LogRecord& record);
  // Counts the rows of `batch` whose `match` entry is set; the batch holds
  // the group-by columns. A batch without timestamps lies wholly in the
  // bucket of `any_time` (a time of its row group).
  void Add(const ColumnBatch& batch, const std::vector<uint8_t>& match, int64_t any_time = 0);
  // The start of the bucket `timestamp_ns` falls in (0 without buckets).
  int64_t BucketOf(int64_t timestamp_ns) const;

  // Adds what `other` counted (another scan worker's part of the query).
  void Absorb(CountAggregator&& other);
  CountResult Finish() &&;
  // What Finish counts, for one group-by field without time buckets or
  // aggregations of fields (FlatValuesApply), as CountResult::values.
  CountResult FinishValues() &&;
  bool FlatValuesApply() const {
    return group_by_.size() == 1 && bucket_ns_ == 0 && aggregations_.empty() && !patterns_;
  }
  size_t groups() const { return result_.groups.size() + by_value_.size() + by_text_.size(); }

  // What a group holds in memory, roughly (map node, key, count), and what
  // each aggregation adds to it: what a query's groups are charged to its
  // QueryBudget. Exact distinct counts and percentiles hold their values
  // besides, which this leaves out.
  static constexpr uint64_t kGroupBytes = 160;
  static constexpr uint64_t kAggregationBytes = 96;
  // The fields the aggregations read (for the columns to decode).
  std::vector<std::string> AggregatedFields() const;

 private:
  // Feeds the aggregations from the batch's columns: row r belongs to the
  // group slot_keys[slot_of_row[r]] (kNoSlot: to none).
  void AddStates(const ColumnBatch& batch, const std::vector<uint8_t>& match,
                 const std::vector<uint32_t>& slot_of_row, std::vector<GroupKey> slot_keys);

  std::vector<std::string> group_by_;
  int64_t bucket_ns_;
  int64_t bucket_offset_ns_;
  bool patterns_;
  std::vector<Aggregation> aggregations_;
  CountResult result_;
  // Grouped by one field alone (`| top 10 client.ip`, `stats count() by f`):
  // counts by value in a hash map, moved into result_ at Finish. A field of
  // many values makes thousands of groups a row group, and a sorted map of
  // GroupKeys costs an allocation and a tree walk for each.
  absl::flat_hash_map<AttributeValue, uint64_t> by_value_;
  // The same for a text field stored without a dictionary (client.ip,
  // user.id: nearly every row a new value), counted straight from the rows'
  // text: one hash a row.
  absl::flat_hash_map<std::string, uint64_t, StringHash, StringEq> by_text_;

  // Counts `batch` into by_text_ when the query and the column allow it.
  bool AddTexts(const ColumnBatch& batch, const std::vector<uint8_t>& match);
  // A timechart of counts alone (`| timechart span=1m count()`): rows by
  // their time bucket, no fields, no aggregations.
  void AddBuckets(const std::vector<int64_t>& timestamps, const std::vector<uint8_t>& match);
};

}  // namespace mayak
