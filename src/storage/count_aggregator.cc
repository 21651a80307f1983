#include "storage/count_aggregator.h"

#include <algorithm>
#include <climits>
#include <optional>
#include <type_traits>

#include "absl/container/flat_hash_map.h"
#include "model/level.h"
#include "query/patterns.h"
#include "query/pipes.h"

namespace mayak {
namespace {

using segment::ColumnType;

constexpr uint32_t kNoValue = UINT32_MAX;
constexpr uint32_t kNoSlot = UINT32_MAX;
using segment::kServiceColumn;  // "" there means the record has no service

// One group-by field's value for each row of a batch, as a code into
// `values` (kNoValue when the row lacks the field).
struct FieldCodes {
  std::vector<uint32_t> codes;
  std::vector<AttributeValue> values;
};

// Gives each distinct key a code the first time it is seen.
template <typename Key>
class Coder {
 public:
  // `expected`: how many distinct keys there may be (room made up front).
  explicit Coder(FieldCodes* out, size_t expected = 0) : out_(out) {
    index_.reserve(std::min<size_t>(expected, 1 << 16));
  }
  template <typename MakeValue>
  uint32_t Code(const Key& key, MakeValue&& make_value) {
    auto [it, added] = index_.try_emplace(key, 0);
    if (added) {
      it->second = static_cast<uint32_t>(out_->values.size());
      out_->values.push_back(make_value());
    }
    return it->second;
  }

 private:
  FieldCodes* out_;
  // Texts by XXH3 (Debian's Abseil hashes them through std::hash).
  using Hash =
      std::conditional_t<std::is_same_v<Key, std::string_view> || std::is_same_v<Key, std::string>,
                         StringHash, typename absl::flat_hash_map<Key, uint32_t>::hasher>;
  using Eq =
      std::conditional_t<std::is_same_v<Key, std::string_view> || std::is_same_v<Key, std::string>,
                         StringEq, typename absl::flat_hash_map<Key, uint32_t>::key_equal>;
  absl::flat_hash_map<Key, uint32_t, Hash, Eq> index_;
};

// Codes the rows of `column` that match and have a value: `value_of(v)` is
// the value at index v as a Key, or nullopt to leave the row without one.
template <typename Key, typename ValueOf>
void CodeRows(const DecodedColumn& column, const std::vector<uint8_t>& match, ValueOf&& value_of,
              FieldCodes* out) {
  Coder<Key> coder(out, match.size() / 4);
  for (size_t r = 0; r < match.size(); ++r) {
    const uint32_t v = column.ValueIndex(r);
    if (!match[r] || v == DecodedColumn::kNull) continue;
    const std::optional<Key> key = value_of(v);
    if (!key) continue;
    out->codes[r] = coder.Code(*key, [&key] {
      if constexpr (std::is_same_v<Key, std::string_view>) {
        return AttributeValue(std::string(*key));
      } else {
        return AttributeValue(*key);
      }
    });
  }
}

// Codes a string column by the patterns of its values (| patterns).
void CodePatterns(const DecodedColumn& column, const std::vector<uint8_t>& match, FieldCodes* out) {
  Coder<std::string> coder(out);
  // A dictionary's entries are masked once each.
  std::vector<uint32_t> by_entry(column.strings.codes.empty() ? 0 : column.strings.values.size(),
                                 kNoValue);
  // Without a dictionary, texts that repeat within the row group (the same
  // error, again and again) are masked once each too: hashing a text costs
  // far less than finding its pattern.
  absl::flat_hash_map<std::string_view, uint32_t, StringHash, StringEq> by_text;
  for (size_t r = 0; r < match.size(); ++r) {
    const uint32_t v = column.ValueIndex(r);
    if (!match[r] || v == DecodedColumn::kNull) continue;
    const std::string_view s = column.strings.Get(v);
    if (column.column == kServiceColumn && s.empty()) continue;
    uint32_t* cached = nullptr;
    if (!by_entry.empty()) {
      cached = &by_entry[column.strings.codes[v]];
    } else {
      cached = &by_text.try_emplace(s, kNoValue).first->second;
    }
    if (*cached != kNoValue) {
      out->codes[r] = *cached;
      continue;
    }
    std::string pattern = MessagePattern(s);
    out->codes[r] = coder.Code(pattern, [&pattern] { return AttributeValue(pattern); });
    *cached = out->codes[r];
  }
}

void CodeColumn(const DecodedColumn& column, const std::vector<uint8_t>& match, bool patterns,
                FieldCodes* out) {
  switch (column.type) {
    case ColumnType::kString: {
      if (patterns) return CodePatterns(column, match, out);
      // "" in service.name means none.
      const bool service = column.column == kServiceColumn;
      if (!column.strings.codes.empty()) {
        // Dictionary: code by entry, with no hashing per row.
        std::vector<uint32_t> by_entry(column.strings.values.size(), kNoValue);
        for (size_t r = 0; r < match.size(); ++r) {
          const uint32_t v = column.ValueIndex(r);
          if (!match[r] || v == DecodedColumn::kNull) continue;
          const uint32_t entry = column.strings.codes[v];
          const std::string_view s = column.strings.values[entry];
          if (service && s.empty()) continue;
          if (by_entry[entry] == kNoValue) {
            by_entry[entry] = static_cast<uint32_t>(out->values.size());
            out->values.emplace_back(std::string(s));
          }
          out->codes[r] = by_entry[entry];
        }
        return;
      }
      CodeRows<std::string_view>(
          column, match,
          [&column, service](uint32_t v) -> std::optional<std::string_view> {
            const std::string_view s = column.strings.Get(v);
            if (service && s.empty()) return std::nullopt;
            return s;
          },
          out);
      return;
    }
    case ColumnType::kLevel: {
      CodeRows<std::string_view>(
          column, match,
          [&column](uint32_t v) -> std::optional<std::string_view> {
            const auto level = static_cast<Level>(column.ints[v]);
            if (level == Level::kUnset) return std::nullopt;
            return LevelName(level);
          },
          out);
      return;
    }
    case ColumnType::kTimestamp:
    case ColumnType::kObserved:
    case ColumnType::kInt:
      CodeRows<int64_t>(
          column, match, [&column](uint32_t v) { return std::optional(column.ints[v]); }, out);
      return;
    case ColumnType::kDouble:
      CodeRows<double>(
          column, match, [&column](uint32_t v) { return std::optional(column.doubles[v]); }, out);
      return;
    case ColumnType::kBool:
      CodeRows<bool>(
          column, match, [&column](uint32_t v) { return std::optional(column.bools[v] != 0); },
          out);
      return;
  }
}

// Feeds row r's value of `column` (a column of the aggregated field) to
// `state`.
void AddColumnValue(const Aggregation& a, const DecodedColumn& column, uint32_t v,
                    AggregationState* state) {
  switch (column.type) {
    case ColumnType::kString: {
      const std::string_view s = column.strings.Get(v);
      if (column.column == kServiceColumn && s.empty()) return;  // no service
      return state->AddText(a, s);
    }
    case ColumnType::kLevel: {
      const auto level = static_cast<Level>(column.ints[v]);
      if (level != Level::kUnset) state->AddText(a, LevelName(level));
      return;
    }
    case ColumnType::kTimestamp:
    case ColumnType::kObserved:
    case ColumnType::kInt:
      return state->AddInteger(a, column.ints[v]);
    case ColumnType::kDouble:
      return state->AddDouble(a, column.doubles[v]);
    case ColumnType::kBool:
      return state->AddBool(a, column.bools[v] != 0);
  }
}

}  // namespace

void MergeCountResults(const std::vector<Aggregation>& aggregations, CountResult&& from,
                       CountResult* into) {
  into->total += from.total;
  for (auto& [key, count] : from.groups) into->groups[key] += count;
  for (auto& [key, states] : from.states) {
    AggregationStates& target = into->states[key];
    if (target.empty()) {
      target = std::move(states);
      continue;
    }
    for (size_t i = 0; i < aggregations.size(); ++i) {
      target[i].Merge(aggregations[i], std::move(states[i]));
    }
  }
}

CountAggregator::CountAggregator(std::vector<std::string> group_by, int64_t bucket_ns,
                                 std::vector<Aggregation> aggregations, bool patterns,
                                 int64_t bucket_offset_ns)
    : group_by_(std::move(group_by)),
      bucket_ns_(bucket_ns),
      bucket_offset_ns_(bucket_offset_ns),
      patterns_(patterns) {
  // count() is each group's count; only aggregations of fields keep state.
  if (std::ranges::any_of(aggregations, [](const Aggregation& a) { return !a.CountsRows(); })) {
    aggregations_ = std::move(aggregations);
  }
}

std::vector<std::string> CountAggregator::AggregatedFields() const {
  std::vector<std::string> fields;
  for (const Aggregation& a : aggregations_) {
    if (!a.field.empty()) fields.push_back(a.field);
  }
  return fields;
}

void CountAggregator::AddStates(const ColumnBatch& batch, const std::vector<uint8_t>& match,
                                const std::vector<uint32_t>& slot_of_row,
                                std::vector<GroupKey> slot_keys) {
  std::vector<AggregationStates> slots(slot_keys.size(), AggregationStates(aggregations_.size()));
  for (size_t i = 0; i < aggregations_.size(); ++i) {
    const Aggregation& a = aggregations_[i];
    if (a.CountsRows()) continue;
    if (a.field == field::kTimestamp) {
      for (size_t r = 0; r < batch.rows && r < batch.timestamps.size(); ++r) {
        if (match[r] && slot_of_row[r] != kNoSlot) {
          slots[slot_of_row[r]][i].AddInteger(a, batch.timestamps[r]);
        }
      }
      continue;
    }
    for (const DecodedColumn* column : batch.Find(a.field)) {
      for (size_t r = 0; r < batch.rows; ++r) {
        const uint32_t v = column->ValueIndex(r);
        if (!match[r] || slot_of_row[r] == kNoSlot || v == DecodedColumn::kNull) continue;
        AddColumnValue(a, *column, v, &slots[slot_of_row[r]][i]);
      }
    }
  }
  CountResult part;
  for (size_t k = 0; k < slot_keys.size(); ++k) {
    part.states.emplace(std::move(slot_keys[k]), std::move(slots[k]));
  }
  MergeCountResults(aggregations_, std::move(part), &result_);
}

void CountAggregator::Absorb(CountAggregator&& other) {
  if (by_value_.empty()) {
    by_value_.swap(other.by_value_);
  }
  for (auto& [value, count] : other.by_value_) by_value_[value] += count;
  if (by_text_.empty()) {
    by_text_.swap(other.by_text_);
  }
  for (auto& [text, count] : other.by_text_) by_text_[text] += count;
  MergeCountResults(aggregations_, std::move(other.result_), &result_);
}

CountResult CountAggregator::Finish() && {
  // Sorted first, so that the groups' map is built appending at its end.
  std::vector<std::pair<AttributeValue, uint64_t>> counts(by_value_.begin(), by_value_.end());
  by_value_.clear();
  counts.reserve(counts.size() + by_text_.size());
  for (auto& [text, count] : by_text_) {
    // A value both as dictionary entries and as plain text (row groups
    // stored either way) is merged below.
    counts.emplace_back(std::string(text), count);
  }
  by_text_.clear();
  std::sort(counts.begin(), counts.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const bool appending = result_.groups.empty();
  for (auto& [value, count] : counts) {
    GroupKey key;
    key.values.push_back(std::move(value));
    if (appending && (result_.groups.empty() ||
                      std::prev(result_.groups.end())->first.values[0] < key.values[0])) {
      result_.groups.emplace_hint(result_.groups.end(), std::move(key), count);
    } else {
      result_.groups[std::move(key)] += count;
    }
  }
  return std::move(result_);
}

CountResult CountAggregator::FinishValues() && {
  // One value can be counted three ways: as plain text, as a dictionary
  // entry and in a record from memory. Texts are gathered in by_text_, the
  // other values in by_value_, each value once.
  for (auto& [key, count] : result_.groups) {
    if (key.values.size() == 1) by_value_[key.values[0]] += count;
  }
  result_.groups.clear();
  result_.values.reserve(by_text_.size() + by_value_.size());
  for (auto& [value, count] : by_value_) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      by_text_[*text] += count;
    } else {
      result_.values.emplace_back(value, count);
    }
  }
  by_value_.clear();
  for (auto& [text, count] : by_text_) result_.values.emplace_back(text, count);
  by_text_.clear();
  return std::move(result_);
}

int64_t CountAggregator::BucketOf(int64_t timestamp_ns) const {
  return bucket_ns_ > 0 ? BucketStart(timestamp_ns, bucket_ns_, bucket_offset_ns_) : 0;
}

void CountAggregator::Add(const LogRecord& record) {
  ++result_.total;
  GroupKey key;
  key.bucket_ns = BucketOf(record.timestamp_ns);
  for (const std::string& field : group_by_) {
    std::optional<AttributeValue> value = GetFieldValue(record, field);
    if (!value) return;
    if (const auto* text = std::get_if<std::string>(&*value);
        patterns_ && key.values.empty() && text) {
      value = MessagePattern(*text);
    }
    key.values.push_back(*std::move(value));
  }
  ++result_.groups[key];
  if (aggregations_.empty()) return;
  AggregationStates& states = result_.states[key];
  states.resize(aggregations_.size());
  for (size_t i = 0; i < aggregations_.size(); ++i) {
    if (aggregations_[i].CountsRows()) continue;
    if (std::optional<AttributeValue> value = GetFieldValue(record, aggregations_[i].field)) {
      states[i].Add(aggregations_[i], *value);
    }
  }
}

bool CountAggregator::AddTexts(const ColumnBatch& batch, const std::vector<uint8_t>& match) {
  if (group_by_.size() != 1 || bucket_ns_ > 0 || !aggregations_.empty() || patterns_) return false;
  const std::vector<const DecodedColumn*> columns = batch.Find(group_by_[0]);
  if (columns.size() != 1 || columns[0]->type != ColumnType::kString ||
      !columns[0]->strings.codes.empty()) {
    return false;
  }
  const DecodedColumn& column = *columns[0];
  const bool service = column.column == kServiceColumn;  // "" there means none
  uint64_t matched = 0;
  for (size_t r = 0; r < batch.rows; ++r) {
    if (!match[r]) continue;
    ++matched;
    const uint32_t v = column.ValueIndex(r);
    if (v == DecodedColumn::kNull) continue;
    const std::string_view s = column.strings.Get(v);
    if (service && s.empty()) continue;
    if (auto it = by_text_.find(s); it != by_text_.end()) {
      ++it->second;
    } else {
      by_text_.emplace(std::string(s), 1);
    }
  }
  result_.total += matched;
  return true;
}

void CountAggregator::AddBuckets(const std::vector<int64_t>& timestamps,
                                 const std::vector<uint8_t>& match) {
  // Rows lie by time within a service, so a row mostly falls in the bucket
  // of the row before it: two compares, and the bucket counted in runs.
  // Only a row outside that bucket's span looks its bucket up.
  absl::flat_hash_map<int64_t, uint64_t> by_bucket;
  const auto width = static_cast<uint64_t>(bucket_ns_);
  int64_t start = 0;
  uint64_t run = 0;
  uint64_t matched = 0;
  // The lowest bucket BucketStart gives starts at the lowest time, off the
  // grid and short: its rows are looked up one by one.
  for (size_t r = 0; r < match.size(); ++r) {
    if (!match[r]) continue;
    const int64_t time = timestamps[r];
    if (run > 0 && start != INT64_MIN && time >= start &&
        static_cast<uint64_t>(time) - static_cast<uint64_t>(start) < width) {
      ++run;
      continue;
    }
    const int64_t bucket = BucketOf(time);
    if (run > 0 && bucket == start) {
      ++run;
      continue;
    }
    if (run > 0) by_bucket[start] += run;
    matched += run;
    start = bucket;
    run = 1;
  }
  if (run > 0) by_bucket[start] += run;
  matched += run;
  result_.total += matched;
  for (const auto& [bucket, count] : by_bucket) {
    GroupKey key;
    key.bucket_ns = bucket;
    result_.groups[key] += count;
  }
}

void CountAggregator::Add(const ColumnBatch& batch, const std::vector<uint8_t>& match,
                          int64_t any_time) {
  if (AddTexts(batch, match)) return;
  if (group_by_.empty() && aggregations_.empty() && bucket_ns_ > 0 && !batch.timestamps.empty()) {
    return AddBuckets(batch.timestamps, match);
  }
  const size_t rows = batch.rows;
  std::vector<FieldCodes> fields(group_by_.size());
  for (size_t f = 0; f < group_by_.size(); ++f) {
    fields[f].codes.assign(rows, kNoValue);
    if (group_by_[f] == field::kTimestamp) {
      DecodedColumn timestamps;
      timestamps.type = ColumnType::kTimestamp;
      timestamps.ints = batch.timestamps;
      CodeColumn(timestamps, match, false, &fields[f]);
      continue;
    }
    for (const DecodedColumn* column : batch.Find(group_by_[f])) {
      CodeColumn(*column, match, patterns_ && f == 0, &fields[f]);
    }
  }
  // Each matching row's bucket, as an index from the first; empty when all
  // rows share one bucket (or there are no buckets): the batch may then
  // have no timestamps.
  std::vector<uint32_t> bucket_index;
  int64_t first_bucket = 0;
  uint64_t buckets = 1;
  uint64_t matched = 0;
  if (bucket_ns_ > 0 && batch.timestamps.empty()) {
    first_bucket = BucketOf(any_time);  // every row is in this bucket
  } else if (bucket_ns_ > 0) {
    int64_t min_ts = INT64_MAX;
    int64_t max_ts = INT64_MIN;
    for (size_t r = 0; r < rows; ++r) {
      if (!match[r]) continue;
      min_ts = std::min(min_ts, batch.timestamps[r]);
      max_ts = std::max(max_ts, batch.timestamps[r]);
    }
    if (min_ts > max_ts) return;  // no row matched
    first_bucket = BucketOf(min_ts);
    // Unsigned: the times may lie at both ends of the range.
    const uint64_t span = static_cast<uint64_t>(max_ts) - static_cast<uint64_t>(first_bucket);
    buckets = (static_cast<uint64_t>(BucketOf(max_ts)) - static_cast<uint64_t>(first_bucket)) /
                  static_cast<uint64_t>(bucket_ns_) +
              1;
    // (The lowest bucket is off the grid: row by row.)
    if (buckets > UINT32_MAX || span > (uint64_t{1} << 52) || first_bucket == INT64_MIN) {
      buckets = UINT64_MAX;  // counted row by row below
    } else {
      // Distances below 2^52 divide exactly enough in doubles: multiply by
      // the reciprocal, then correct by one. A division per row would cost
      // more than the rest of the count.
      const double reciprocal = 1.0 / static_cast<double>(bucket_ns_);
      bucket_index.assign(rows, 0);
      for (size_t r = 0; r < rows; ++r) {
        if (!match[r]) continue;
        const int64_t distance = batch.timestamps[r] - first_bucket;
        auto index = static_cast<int64_t>(static_cast<double>(distance) * reciprocal);
        if (index * bucket_ns_ > distance) --index;
        if ((index + 1) * bucket_ns_ <= distance) ++index;
        bucket_index[r] = static_cast<uint32_t>(index);
      }
    }
  }
  for (size_t r = 0; r < rows; ++r) matched += match[r];
  result_.total += matched;
  if (matched == 0) return;
  if (fields.empty() && buckets == 1) {
    // A plain count, or every row in one bucket: one group, known already.
    GroupKey key;
    key.bucket_ns = first_bucket;
    result_.groups[key] += matched;
    if (!aggregations_.empty()) {
      AddStates(batch, match, std::vector<uint32_t>(rows, 0), {std::move(key)});
    }
    return;
  }
  // A row's key: its bucket and field codes in mixed radix, one integer; the
  // radixes are at most the row count, so up to three fields fit 64 bits.
  std::vector<uint64_t> radix(fields.size());
  auto space = static_cast<long double>(buckets);
  for (size_t f = 0; f < fields.size(); ++f) {
    radix[f] = std::max<uint64_t>(fields[f].values.size(), 1);
    space *= static_cast<long double>(radix[f]);
  }
  if (space >= static_cast<long double>(UINT64_MAX)) {
    // Too many distinct values to pack: count row by row.
    std::vector<uint32_t> slot_of_row(aggregations_.empty() ? 0 : rows, kNoSlot);
    std::map<GroupKey, uint32_t> slots;
    for (size_t r = 0; r < rows; ++r) {
      if (!match[r]) continue;
      GroupKey key;
      key.bucket_ns = batch.timestamps.empty() ? first_bucket : BucketOf(batch.timestamps[r]);
      bool complete = true;
      for (size_t f = 0; f < fields.size() && complete; ++f) {
        complete = fields[f].codes[r] != kNoValue;
        if (complete) key.values.push_back(fields[f].values[fields[f].codes[r]]);
      }
      if (!complete) continue;
      ++result_.groups[key];
      if (!aggregations_.empty()) {
        slot_of_row[r] =
            slots.try_emplace(std::move(key), static_cast<uint32_t>(slots.size())).first->second;
      }
    }
    if (!aggregations_.empty()) {
      std::vector<GroupKey> slot_keys(slots.size());
      for (auto& [key, slot] : slots) slot_keys[slot] = key;
      AddStates(batch, match, slot_of_row, std::move(slot_keys));
    }
    return;
  }
  // The key of row r, or false when it lacks a field.
  const auto key_of = [&](size_t r, uint64_t* key) {
    *key = bucket_index.empty() ? 0 : bucket_index[r];
    for (size_t f = 0; f < fields.size(); ++f) {
      const uint32_t code = fields[f].codes[r];
      if (code == kNoValue) return false;
      *key = *key * radix[f] + code;
    }
    return true;
  };
  // Counts in an array when the keys are few (a timechart, a field of a few
  // values), else in a hash map; with aggregations, each row's group is
  // kept too.
  std::vector<std::pair<uint64_t, uint64_t>> counts;  // (key, count)
  std::vector<uint32_t> slot_of_row;
  if (!aggregations_.empty()) {
    slot_of_row.assign(rows, kNoSlot);
    absl::flat_hash_map<uint64_t, uint32_t> slot_of_key;
    uint64_t key = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (!match[r] || !key_of(r, &key)) continue;
      const auto [it, added] = slot_of_key.try_emplace(key, static_cast<uint32_t>(counts.size()));
      if (added) counts.emplace_back(key, 0);
      ++counts[it->second].second;
      slot_of_row[r] = it->second;
    }
  } else if (space <= static_cast<long double>(std::max<size_t>(rows, 4096))) {
    std::vector<uint64_t> dense(static_cast<size_t>(space), 0);
    uint64_t key = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (match[r] && key_of(r, &key)) ++dense[key];
    }
    for (size_t k = 0; k < dense.size(); ++k) {
      if (dense[k] > 0) counts.emplace_back(k, dense[k]);
    }
  } else {
    absl::flat_hash_map<uint64_t, uint64_t> sparse;
    uint64_t key = 0;
    for (size_t r = 0; r < rows; ++r) {
      if (match[r] && key_of(r, &key)) ++sparse[key];
    }
    counts.assign(sparse.begin(), sparse.end());
  }
  if (fields.size() == 1 && bucket_ns_ == 0 && aggregations_.empty()) {
    for (const auto& [key, count] : counts) {
      const AttributeValue& value = fields[0].values[key];
      if (auto it = by_value_.find(value); it != by_value_.end()) {
        it->second += count;
      } else {
        by_value_.emplace(value, count);
      }
    }
    return;
  }
  std::vector<GroupKey> slot_keys;
  for (const auto& [key, count] : counts) {
    GroupKey group;
    group.values.resize(fields.size());
    uint64_t rest = key;
    for (size_t f = fields.size(); f-- > 0;) {
      group.values[f] = fields[f].values[rest % radix[f]];
      rest /= radix[f];
    }
    group.bucket_ns = first_bucket + static_cast<int64_t>(rest) * bucket_ns_;
    result_.groups[group] += count;
    if (!aggregations_.empty()) slot_keys.push_back(std::move(group));
  }
  if (!aggregations_.empty()) AddStates(batch, match, slot_of_row, std::move(slot_keys));
}

}  // namespace mayak
