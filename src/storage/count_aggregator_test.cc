#include "storage/count_aggregator.h"

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/strings.h"
#include "gtest/gtest.h"
#include "storage/batch_filter.h"
#include "storage/segment_reader.h"
#include "storage/segment_writer.h"
#include "support/temp_dir.h"
#include "support/varied_records.h"

namespace mayak {
namespace {

constexpr int64_t kMinute = 60'000'000'000;

class CountAggregatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    records_ = testing::VariedRecords(4000);
    path_ = temp_.path() + "/counts.seg";
    ASSERT_TRUE(WriteSegment(Env::Default(), path_, records_, {300, 3}).ok());
    auto reader = SegmentReader::Open(Env::Default(), path_);
    ASSERT_TRUE(reader.ok()) << reader.status();
    reader_ = *std::move(reader);
  }

  // Counts record by record, then column-wise from the segment, and expects
  // the same groups; returns them.
  CountResult ExpectSameCounts(std::vector<std::string> by, int64_t bucket_ns,
                               std::string_view query = "",
                               const std::vector<Aggregation>& aggregations = {},
                               bool patterns = false) {
    auto filter = Filter::Parse(query);
    EXPECT_TRUE(filter.ok());
    CountAggregator by_record(by, bucket_ns, aggregations, patterns);
    for (const LogRecord& r : records_) {
      if (filter->Matches(r)) by_record.Add(r);
    }
    CountAggregator by_column(by, bucket_ns, aggregations, patterns);
    std::vector<std::string> columns = by;
    for (std::string& f : by_column.AggregatedFields()) columns.push_back(std::move(f));
    for (const FilterTerm& t : filter->terms()) {
      columns.push_back(t.field.empty() ? std::string(field::kMessage) : t.field);
    }
    for (size_t g = 0; g < reader_->footer().row_groups.size(); ++g) {
      auto batch = reader_->ReadColumns(g, &columns);
      EXPECT_TRUE(batch.ok());
      if (!batch.ok()) break;
      std::vector<uint8_t> match(batch->rows, 1);
      ApplyFilter(*filter, *batch, &match);
      by_column.Add(*batch, match);
    }
    CountResult expected = std::move(by_record).Finish();
    CountResult actual = std::move(by_column).Finish();
    EXPECT_EQ(actual.total, expected.total);
    EXPECT_EQ(actual.groups, expected.groups) << "by " << Join(by, ",") << " | " << query;
    // Every aggregation of every group alike (sums of doubles to rounding).
    EXPECT_EQ(actual.states.size(), aggregations.empty() ? 0 : expected.groups.size());
    for (auto& [key, states] : expected.states) {
      auto it = actual.states.find(key);
      EXPECT_NE(it, actual.states.end());
      if (it == actual.states.end()) continue;
      for (size_t i = 0; i < aggregations.size(); ++i) {
        const std::optional<AttributeValue> want = states[i].Result(aggregations[i]);
        const std::optional<AttributeValue> got = it->second[i].Result(aggregations[i]);
        EXPECT_EQ(want.has_value(), got.has_value()) << aggregations[i].name;
        if (!want || !got) continue;
        if (std::holds_alternative<double>(*want) && std::holds_alternative<double>(*got)) {
          EXPECT_NEAR(std::get<double>(*got), std::get<double>(*want),
                      1e-9 * (1 + std::abs(std::get<double>(*want))))
              << aggregations[i].name;
        } else {
          EXPECT_EQ(*got, *want) << aggregations[i].name;
        }
      }
    }
    return actual;
  }

  testing::TempDir temp_;
  std::string path_;
  std::vector<LogRecord> records_;
  std::unique_ptr<SegmentReader> reader_;
};

TEST_F(CountAggregatorTest, ColumnsCountAsRecordsDo) {
  // No field: one group with every row.
  CountResult all = ExpectSameCounts({}, 0);
  ASSERT_EQ(all.groups.size(), 1u);
  EXPECT_EQ(all.groups.begin()->second, records_.size());

  CountResult by_service = ExpectSameCounts({"service.name"}, 0);
  uint64_t with_service = 0;
  for (const auto& [key, count] : by_service.groups) {
    EXPECT_NE(std::get<std::string>(key.values[0]), "") << "empty service means none";
    with_service += count;
  }
  EXPECT_LT(with_service, records_.size());
  EXPECT_EQ(by_service.groups.size(), 2u);

  EXPECT_EQ(ExpectSameCounts({"log.level"}, 0).groups.size(), 6u) << "unset levels left out";
  // A field stored as strings in some records and integers in others keeps
  // the two apart.
  CountResult users = ExpectSameCounts({"user.id"}, 0);
  bool strings = false;
  bool ints = false;
  for (const auto& [key, count] : users.groups) {
    strings |= std::holds_alternative<std::string>(key.values[0]);
    ints |= std::holds_alternative<int64_t>(key.values[0]);
  }
  EXPECT_TRUE(strings && ints);

  ExpectSameCounts({"system", "service.name", "log.level"}, 0);
  ExpectSameCounts({"order.id", "cached"}, 0, "deadlock");
  ExpectSameCounts({"ratio"}, 0);
  ExpectSameCounts({"token"}, 0);              // plain (high-cardinality) strings
  ExpectSameCounts({"order.id", "token"}, 0);  // too many keys for an array: a hash map
  ExpectSameCounts({"path", "order.id", "user.id", "token"}, 0);  // too many to pack
  ExpectSameCounts({"no.such.field"}, 0);
}

// The aggregations of `| stats` over every kind of column, by each way of
// grouping (one group, array, hash map, row by row, time buckets).
std::vector<Aggregation> EveryAggregation() {
  using Fn = Aggregation::Fn;
  std::vector<Aggregation> all;
  const auto add = [&all](Fn fn, std::string field, double p = 0) {
    Aggregation a{fn, std::move(field), p, ""};
    a.name = DefaultAggregationName(a);
    all.push_back(a);
  };
  add(Fn::kCount, "");
  for (const char* f : {"order.id", "ratio", "user.id", "token", "cached", "log.level",
                        "service.name", "@timestamp", "no.such.field"}) {
    add(Fn::kCount, f);
    add(Fn::kCountDistinct, f);
    add(Fn::kSum, f);
    add(Fn::kAvg, f);
    add(Fn::kMin, f);
    add(Fn::kMax, f);
    add(Fn::kPercentile, f, 95);
  }
  add(Fn::kPercentile, "order.id", 50);
  add(Fn::kPercentile, "ratio", 99.9);
  return all;
}

TEST_F(CountAggregatorTest, ColumnsAggregateAsRecordsDo) {
  const std::vector<Aggregation> all = EveryAggregation();
  const CountResult one = ExpectSameCounts({}, 0, "", all);
  ExpectSameCounts({"service.name"}, 0, "deadlock or order", all);
  ExpectSameCounts({"order.id", "token"}, 0, "", all);                     // a hash map
  ExpectSameCounts({"path", "order.id", "user.id", "token"}, 0, "", all);  // row by row
  ExpectSameCounts({"log.level"}, 1'000'000, "", all);                     // time buckets
  // And against the records themselves, for one group.
  int64_t sum = 0;
  int64_t max = INT64_MIN;
  int64_t present = 0;
  std::set<int64_t> distinct;
  for (const LogRecord& r : records_) {
    if (const AttributeValue* v = r.FindAttribute("order.id")) {
      sum += std::get<int64_t>(*v);
      max = std::max(max, std::get<int64_t>(*v));
      distinct.insert(std::get<int64_t>(*v));
      ++present;
    }
  }
  AggregationStates states = one.states.begin()->second;
  EXPECT_EQ(states[1].Result(all[1]), AttributeValue(present));  // count(order.id)
  EXPECT_EQ(states[2].Result(all[2]), AttributeValue(static_cast<int64_t>(distinct.size())));
  EXPECT_EQ(states[3].Result(all[3]), AttributeValue(sum));
  EXPECT_EQ(states[6].Result(all[6]), AttributeValue(max));
  EXPECT_FALSE(states[all.size() - 6].Result(all[all.size() - 6]).has_value())
      << "avg of a field no record has";
}

TEST_F(CountAggregatorTest, PatternsGroupAlikeFromColumnsAndRecords) {
  // Messages (plain chunks) and paths and tokens (dictionaries and numbers).
  const CountResult messages = ExpectSameCounts({"message"}, 0, "", {}, true);
  bool masked = false;
  for (const auto& [key, count] : messages.groups) {
    const auto& text = std::get<std::string>(key.values[0]);
    EXPECT_EQ(text.find("42"), std::string::npos) << text;
    masked |= text.find("<num>") != std::string::npos;
  }
  EXPECT_TRUE(masked);
  ExpectSameCounts({"path", "service.name"}, 0, "", {}, true);
  ExpectSameCounts({"token"}, 0, "order", EveryAggregation(), true);
  const CountResult tokens = ExpectSameCounts({"token"}, 0, "", {}, true);
  ASSERT_EQ(tokens.groups.size(), 1u) << "every token is a number";
  EXPECT_EQ(tokens.groups.begin()->first.values[0], AttributeValue(std::string("<num>")));
}

TEST_F(CountAggregatorTest, BucketsByTimeAlignedToTheEpoch) {
  // The records are 1 µs apart: 4000 of them span 4 ms.
  CountResult ms = ExpectSameCounts({}, 1'000'000);
  ASSERT_GE(ms.groups.size(), 4u);
  for (const auto& [key, count] : ms.groups) EXPECT_EQ(key.bucket_ns % 1'000'000, 0);
  CountResult minute = ExpectSameCounts({"log.level"}, kMinute, "service.name:api");
  for (const auto& [key, count] : minute.groups) EXPECT_EQ(key.bucket_ns % kMinute, 0);
  ExpectSameCounts({"service.name"}, 7'777, "order");
}

TEST_F(CountAggregatorTest, RowGroupsWithinOneBucketNeedNoTimestamps) {
  constexpr int64_t kHour = 60 * kMinute;  // the 4 ms of records lie in one hour
  CountAggregator by_record({"service.name"}, kHour);
  for (const LogRecord& r : records_) by_record.Add(r);
  CountAggregator by_column({"service.name"}, kHour);
  const std::vector<std::string> columns = {"service.name"};
  for (size_t g = 0; g < reader_->footer().row_groups.size(); ++g) {
    ColumnBatch batch;
    ASSERT_TRUE(reader_->AddColumns(g, &columns, &batch, /*timestamps=*/false).ok());
    ASSERT_TRUE(batch.timestamps.empty());
    const std::vector<uint8_t> match(batch.rows, 1);
    by_column.Add(batch, match, reader_->footer().row_groups[g].min_ts);
  }
  const CountResult expected = std::move(by_record).Finish();
  const CountResult actual = std::move(by_column).Finish();
  EXPECT_EQ(actual.groups, expected.groups);
  EXPECT_EQ(actual.total, records_.size());
}

// Counts the rows of `match` by the buckets of their `times`, alone and by
// system (a field: the general way of counting), record by record and from
// columns, and expects the same groups; row r is the shop's when r % 7 is
// 0, else the CRM's. Returns how many groups there were.
size_t ExpectSameTimechart(const std::vector<int64_t>& times, const std::vector<uint8_t>& match,
                           int64_t bucket, int64_t offset) {
  const std::vector<std::string_view> systems = {"crm", "shop"};
  ColumnBatch batch;
  batch.rows = times.size();
  batch.timestamps = times;
  DecodedColumn& system = batch.columns.emplace_back();
  system.column = segment::kSystemColumn;
  system.name = field::kSystem;
  system.strings.values = systems;
  for (size_t r = 0; r < times.size(); ++r) system.strings.codes.push_back(r % 7 == 0);
  size_t groups = 0;
  for (const std::vector<std::string>& by :
       {std::vector<std::string>{}, std::vector<std::string>{"system"}}) {
    CountAggregator by_record(by, bucket, {}, false, offset);
    for (size_t r = 0; r < times.size(); ++r) {
      if (!match[r]) continue;
      LogRecord record;
      record.timestamp_ns = times[r];
      record.system = systems[r % 7 == 0];
      by_record.Add(record);
    }
    CountAggregator by_column(by, bucket, {}, false, offset);
    by_column.Add(batch, match);
    const CountResult expected = std::move(by_record).Finish();
    const CountResult actual = std::move(by_column).Finish();
    EXPECT_EQ(actual.total, expected.total) << bucket << " " << offset;
    EXPECT_EQ(actual.groups, expected.groups) << bucket << " " << offset << " " << by.size();
    if (by.empty()) groups = expected.groups.size();
  }
  return groups;
}

TEST(CountAggregatorBuckets, TimechartsCountRowsInAnyOrder) {
  // Times that go up, back, repeat, lie before 1970 and at the ends of the
  // range; the rows of every other third filtered out.
  std::mt19937_64 random(11);
  std::vector<int64_t> times;
  for (int i = 0; i < 3000; ++i) times.push_back(1'000 * kMinute + i * 997'000'003LL);
  for (int i = 0; i < 500; ++i) times.push_back(static_cast<int64_t>(random() % (50 * kMinute)));
  for (int i = 0; i < 200; ++i) times.push_back(-static_cast<int64_t>(random() % (9 * kMinute)));
  for (int64_t t : {INT64_MIN, INT64_MIN + 1, INT64_MAX, INT64_MAX - 1, int64_t{0}, int64_t{-1},
                    INT64_MAX - 10, INT64_MIN + 5, INT64_MIN + 1, INT64_MIN + 2'836'854'775'808,
                    INT64_MIN + 7'200'000'000'001}) {
    times.push_back(t);
  }
  for (int64_t bucket : {kMinute, 60 * kMinute, int64_t{7'777}, int64_t{1}}) {
    for (int64_t offset : {int64_t{0}, int64_t{13'000'000'000}}) {
      // Besides, times on and either side of each bucket's edges, going up.
      std::vector<int64_t> edges = times;
      for (int64_t j = 1; j <= 300; ++j) {
        for (int64_t d : {-1, 0, 1}) edges.push_back(j * bucket - offset + d);
      }
      std::vector<uint8_t> match(edges.size());
      for (size_t r = 0; r < match.size(); ++r) match[r] = (r / 3) % 2 == 0 || r >= times.size();
      EXPECT_GT(ExpectSameTimechart(edges, match, bucket, offset), 50u);
    }
  }
}

TEST(CountAggregatorBuckets, TheLowestBucketCountsAsRecordsDo) {
  // Times within a span of the lowest there is: their bucket would start
  // below it, so BucketStart starts it there, off the grid.
  constexpr int64_t kHour = 60 * kMinute;
  const std::vector<int64_t> times = {INT64_MIN + 1, INT64_MIN + 2'836'854'775'808,
                                      INT64_MIN + 7'200'000'000'001, INT64_MIN + 10 * kHour};
  EXPECT_EQ(ExpectSameTimechart(times, std::vector<uint8_t>(times.size(), 1), kHour, 0), 4u);
}

TEST(CountAggregatorBuckets, TimesBefore1970FallInTheBucketBelow) {
  CountAggregator counts({}, kMinute);
  LogRecord r;
  r.timestamp_ns = -1;
  counts.Add(r);
  const CountResult result = std::move(counts).Finish();
  ASSERT_EQ(result.groups.size(), 1u);
  EXPECT_EQ(result.groups.begin()->first.bucket_ns, -kMinute);
}

}  // namespace
}  // namespace mayak

namespace mayak {
namespace {

// Scan workers count row groups apart and are absorbed into one: the same
// groups as one aggregator counting all, for fields with and without a
// dictionary, records in memory included.
TEST_F(CountAggregatorTest, WorkersAbsorbedCountAsOne) {
  for (const char* field : {"token", "service.name", "order.id", "user.id"}) {
    CountAggregator one({field}, 0);
    CountAggregator first({field}, 0);
    CountAggregator second({field}, 0);
    std::vector<std::string> columns = {field};
    for (size_t g = 0; g < reader_->footer().row_groups.size(); ++g) {
      auto batch = reader_->ReadColumns(g, &columns);
      ASSERT_TRUE(batch.ok());
      const std::vector<uint8_t> match(batch->rows, 1);
      one.Add(*batch, match);
      (g % 2 == 0 ? first : second).Add(*batch, match);
    }
    for (size_t r = 0; r < 50; ++r) {
      one.Add(records_[r]);
      first.Add(records_[r]);
    }
    EXPECT_GT(first.groups(), 0u) << field;
    first.Absorb(std::move(second));
    const CountResult expected = std::move(one).Finish();
    const CountResult actual = std::move(first).Finish();
    EXPECT_EQ(actual.total, expected.total) << field;
    EXPECT_EQ(actual.groups, expected.groups) << field;
  }
}

// FinishValues counts as Finish does, each value once, whichever way its
// row groups store it (plain texts, dictionaries, integers, both types in
// one field) and with records from memory among them.
TEST_F(CountAggregatorTest, FlatValuesCountAsGroupsDo) {
  for (const char* field : {"token", "service.name", "order.id", "user.id", "no.such.field"}) {
    CountAggregator grouped({field}, 0);
    CountAggregator flat({field}, 0);
    ASSERT_TRUE(flat.FlatValuesApply());
    std::vector<std::string> columns = {field};
    for (size_t g = 0; g < reader_->footer().row_groups.size(); ++g) {
      auto batch = reader_->ReadColumns(g, &columns);
      ASSERT_TRUE(batch.ok());
      const std::vector<uint8_t> match(batch->rows, 1);
      grouped.Add(*batch, match);
      flat.Add(*batch, match);
    }
    for (size_t r = 0; r < 200; ++r) {
      grouped.Add(records_[r]);
      flat.Add(records_[r]);
    }
    const CountResult expected = std::move(grouped).Finish();
    const CountResult actual = std::move(flat).FinishValues();
    EXPECT_TRUE(actual.groups.empty()) << field;
    EXPECT_EQ(actual.total, expected.total) << field;
    std::map<GroupKey, uint64_t> regrouped;
    for (const auto& [value, count] : actual.values) {
      GroupKey key;
      key.values.push_back(value);
      EXPECT_TRUE(regrouped.emplace(std::move(key), count).second) << field << ": a value twice";
    }
    EXPECT_EQ(regrouped, expected.groups) << field;
  }
  EXPECT_FALSE(CountAggregator({"a", "b"}, 0).FlatValuesApply());
  EXPECT_FALSE(CountAggregator({"a"}, kMinute).FlatValuesApply());
  EXPECT_FALSE(CountAggregator({"a"}, 0, {}, /*patterns=*/true).FlatValuesApply());
}

}  // namespace
}  // namespace mayak
