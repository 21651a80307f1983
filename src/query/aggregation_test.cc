#include "query/aggregation.h"

#include <cmath>

#include "common/strings.h"
#include "gtest/gtest.h"

namespace mayak {
namespace {

using Fn = Aggregation::Fn;

Aggregation Of(Fn fn, double percentile = 0) { return Aggregation{fn, "f", percentile, ""}; }

std::optional<AttributeValue> Over(const Aggregation& a,
                                   const std::vector<AttributeValue>& values) {
  AggregationState state;
  for (const AttributeValue& v : values) state.Add(a, v);
  return state.Result(a);
}

TEST(AggregationTest, SumsAndExtremesKeepIntegersIntegers) {
  const std::vector<AttributeValue> ints = {int64_t{3}, int64_t{-1}, int64_t{10}};
  EXPECT_EQ(Over(Of(Fn::kSum), ints), AttributeValue(int64_t{12}));
  EXPECT_EQ(Over(Of(Fn::kMin), ints), AttributeValue(int64_t{-1}));
  EXPECT_EQ(Over(Of(Fn::kMax), ints), AttributeValue(int64_t{10}));
  EXPECT_EQ(Over(Of(Fn::kAvg), ints), AttributeValue(4.0));
  EXPECT_EQ(Over(Of(Fn::kCount), ints), AttributeValue(int64_t{3}));
  // A double among them makes the result a double; text is counted but not summed.
  const std::vector<AttributeValue> mixed = {int64_t{1}, 0.5, std::string("x")};
  EXPECT_EQ(Over(Of(Fn::kSum), mixed), AttributeValue(1.5));
  EXPECT_EQ(Over(Of(Fn::kCount), mixed), AttributeValue(int64_t{3}));
  EXPECT_EQ(Over(Of(Fn::kAvg), mixed), AttributeValue(0.75));
  // Sums past 2^53 stay exact in integers.
  const int64_t big = (int64_t{1} << 53) + 1;
  EXPECT_EQ(Over(Of(Fn::kSum), {AttributeValue(big), AttributeValue(int64_t{1})}),
            AttributeValue(big + 1));
  // Nothing to aggregate: no value, but counts of nothing are 0.
  EXPECT_FALSE(Over(Of(Fn::kAvg), {std::string("x")}).has_value());
  EXPECT_FALSE(Over(Of(Fn::kMax), {}).has_value());
  EXPECT_EQ(Over(Of(Fn::kCountDistinct), {}), AttributeValue(int64_t{0}));
}

TEST(AggregationTest, PercentilesInterpolateBetweenRanks) {
  std::vector<AttributeValue> values;
  for (int i = 100; i >= 1; --i) values.emplace_back(int64_t{i});  // 1..100, unsorted
  EXPECT_EQ(Over(Of(Fn::kPercentile, 50), values), AttributeValue(50.5));
  EXPECT_EQ(Over(Of(Fn::kPercentile, 100), values), AttributeValue(100.0));
  EXPECT_NEAR(std::get<double>(*Over(Of(Fn::kPercentile, 95), values)), 95.05, 1e-9);
  EXPECT_NEAR(std::get<double>(*Over(Of(Fn::kPercentile, 99), values)), 99.01, 1e-9);
  EXPECT_EQ(Over(Of(Fn::kPercentile, 90), {AttributeValue(7.0)}), AttributeValue(7.0));
}

TEST(AggregationTest, CountDistinctIsExactThenEstimatedWithinOnePercent) {
  const Aggregation a = Of(Fn::kCountDistinct);
  AggregationState state;
  for (int64_t i = 0; i < 1000; ++i) state.Add(a, AttributeValue(i % 300));
  state.Add(a, AttributeValue(std::string("7")));  // text "7" is not the number 7
  state.Add(a, AttributeValue(7.0));               // but the double 7 is
  EXPECT_EQ(state.Result(a), AttributeValue(int64_t{301}));
  EXPECT_FALSE(state.approximate());

  AggregationState exact;
  for (int64_t i = 0; i < static_cast<int64_t>(kExactDistinctValues); ++i) {
    exact.AddText(a, StrCat("user-", i));
  }
  EXPECT_EQ(exact.Result(a), AttributeValue(static_cast<int64_t>(kExactDistinctValues)));
  EXPECT_FALSE(exact.approximate());

  // Two workers' states of 600,000 distinct values, half of them shared.
  AggregationState left;
  AggregationState right;
  for (int64_t i = 0; i < 400'000; ++i) left.AddText(a, StrCat("v", i));
  for (int64_t i = 200'000; i < 600'000; ++i) right.AddText(a, StrCat("v", i));
  left.Merge(a, std::move(right));
  EXPECT_TRUE(left.approximate());
  const auto estimate = static_cast<double>(std::get<int64_t>(*left.Result(a)));
  EXPECT_NEAR(estimate, 600'000, 6'000) << "within 1%";
}

TEST(AggregationTest, MergedStatesEqualOneState) {
  for (Fn fn : {Fn::kCount, Fn::kSum, Fn::kAvg, Fn::kMin, Fn::kMax, Fn::kCountDistinct}) {
    const Aggregation a = Of(fn, 90);
    AggregationState whole;
    AggregationState first;
    AggregationState second;
    for (int64_t i = 0; i < 100; ++i) {
      whole.Add(a, AttributeValue(i * 7 % 31));
      (i < 40 ? first : second).Add(a, AttributeValue(i * 7 % 31));
    }
    first.Merge(a, std::move(second));
    EXPECT_EQ(first.Result(a), whole.Result(a)) << static_cast<int>(fn);
  }
  const Aggregation p = Of(Fn::kPercentile, 90);
  AggregationState empty;
  AggregationState some;
  some.Add(p, AttributeValue(int64_t{5}));
  empty.Merge(p, std::move(some));
  EXPECT_EQ(empty.Result(p), AttributeValue(5.0));
}

TEST(AggregationTest, DefaultNames) {
  EXPECT_EQ(DefaultAggregationName({Fn::kCount, "", 0, ""}), "count()");
  EXPECT_EQ(DefaultAggregationName({Fn::kPercentile, "d", 95, ""}), "p95(d)");
  EXPECT_EQ(DefaultAggregationName({Fn::kPercentile, "d", 99.9, ""}), "p99.9(d)");
  EXPECT_EQ(DefaultAggregationName({Fn::kCountDistinct, "u", 0, ""}), "count_distinct(u)");
}

}  // namespace
}  // namespace mayak
