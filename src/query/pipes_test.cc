#include "query/pipes.h"

#include <limits>

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "gtest/gtest.h"
#include "query/kql.h"

namespace mayak {
namespace {

using Fn = Aggregation::Fn;
using Kind = PipeStage::Kind;

PipedQuery Parsed(std::string_view query) {
  auto q = ParsePipes(query);
  EXPECT_TRUE(q.ok()) << query << ": " << q.status();
  return q.ok() ? *std::move(q) : PipedQuery{};
}

TEST(PipesTest, FilterAloneHasNoPipe) {
  const PipedQuery q = Parsed("service.name:shop and \"a | b\"");
  EXPECT_EQ(q.filter, "service.name:shop and \"a | b\"");
  EXPECT_TRUE(q.stages.empty());
}

TEST(PipesTest, StatsWithEveryAggregation) {
  const PipedQuery q = Parsed(
      "log.level:error | stats count(), count(user.id), count_distinct(user.id), sum(bytes), "
      "avg(event.duration) as mean, min(a), max(a), p50(d), p99(d), p99.9(d), median(d) "
      "by service.name, http.response.status_code");
  EXPECT_EQ(q.filter, "log.level:error ");
  ASSERT_EQ(q.stages.size(), 1u);
  const PipeStage& s = q.stages[0];
  EXPECT_EQ(s.kind, Kind::kStats);
  EXPECT_EQ(s.by, (std::vector<std::string>{"service.name", "http.response.status_code"}));
  ASSERT_EQ(s.aggregations.size(), 11u);
  const std::vector<std::string> names = {"count()",    "count(user.id)", "count_distinct(user.id)",
                                          "sum(bytes)", "mean",           "min(a)",
                                          "max(a)",     "p50(d)",         "p99(d)",
                                          "p99.9(d)",   "p50(d)"};
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(s.aggregations[i].name, names[i]);
  EXPECT_TRUE(s.aggregations[0].CountsRows());
  EXPECT_FALSE(s.aggregations[1].CountsRows());
  EXPECT_EQ(s.aggregations[2].fn, Fn::kCountDistinct);
  EXPECT_EQ(s.aggregations[4].fn, Fn::kAvg);
  EXPECT_EQ(s.aggregations[4].field, "event.duration");
  EXPECT_EQ(s.aggregations[9].percentile, 99.9);
  EXPECT_EQ(s.aggregations[10].percentile, 50);
}

TEST(PipesTest, SpellingsOperatorsKnow) {
  // Splunk's bare count and dc(), upper case, `by` fields without commas.
  const PipedQuery q = Parsed("|STATS COUNT, DC(user.id) BY a, b");
  ASSERT_EQ(q.stages.size(), 1u);
  EXPECT_EQ(q.filter, "");
  EXPECT_EQ(q.stages[0].aggregations[0].name, "count()");
  EXPECT_EQ(q.stages[0].aggregations[1].fn, Fn::kCountDistinct);
  EXPECT_EQ(q.stages[0].by, (std::vector<std::string>{"a", "b"}));
}

TEST(PipesTest, Timechart) {
  const PipedQuery q = Parsed("* | timechart span=5m p95(event.duration) by log.level");
  ASSERT_EQ(q.stages.size(), 1u);
  EXPECT_EQ(q.stages[0].kind, Kind::kTimechart);
  EXPECT_EQ(q.stages[0].span_ns, 300 * kNanosPerSecond);
  EXPECT_EQ(q.stages[0].by, std::vector<std::string>{"log.level"});
  EXPECT_EQ(q.stages[0].aggregations[0].name, "p95(event.duration)");
  EXPECT_EQ(Parsed("| timechart count()").stages[0].span_ns, 0);
}

TEST(PipesTest, TopRareSortFieldsHeadWhere) {
  const PipedQuery q = Parsed(
      "status >= 500 | stats count() as n, avg(d) by url.path | where n > 10 and not url.path:/x "
      "| sort -n, url.path | fields url.path, n | head 5");
  ASSERT_EQ(q.stages.size(), 5u);
  EXPECT_EQ(q.stages[1].kind, Kind::kWhere);
  EXPECT_EQ(q.stages[1].where, "n > 10 and not url.path:/x ");
  EXPECT_EQ(q.stages[2].sort, (std::vector<SortKey>{{"n", true}, {"url.path", false}}));
  EXPECT_EQ(q.stages[3].fields, (std::vector<std::string>{"url.path", "n"}));
  EXPECT_EQ(q.stages[4].count, 5u);

  const PipedQuery top = Parsed("x | top client.ip");
  EXPECT_EQ(top.stages[0].kind, Kind::kTop);
  EXPECT_EQ(top.stages[0].count, 10u) << "ten by default";
  EXPECT_EQ(top.stages[0].by, std::vector<std::string>{"client.ip"});
  const PipedQuery rare = Parsed("x | rare 3 url.path | head");
  EXPECT_EQ(rare.stages[0].kind, Kind::kRare);
  EXPECT_EQ(rare.stages[0].count, 3u);
  EXPECT_EQ(rare.stages[1].count, 10u);
  const PipedQuery sort = Parsed("x | stats count() by a | sort -count(), +a");
  EXPECT_EQ(sort.stages[1].sort, (std::vector<SortKey>{{"count()", true}, {"a", false}}));
  // A quoted `|` is part of the filter or of where's filter.
  const PipedQuery quoted = Parsed("\"a|b\" | fields message | where message:\"x|y\"");
  ASSERT_EQ(quoted.stages.size(), 2u);
  EXPECT_EQ(quoted.stages[1].where, "message:\"x|y\"");
}

TEST(PipesTest, ErrorsSayWhatAndWhere) {
  const auto error = [](std::string_view query) {
    auto q = ParsePipes(query);
    EXPECT_FALSE(q.ok()) << query;
    if (q.ok()) return std::string();
    EXPECT_GE(kql::SyntaxPosition(q.status()), 0) << q.status();
    return std::string(StatusMessage(q.status()));
  };
  EXPECT_EQ(error("a | chart x"),
            "unknown pipe command 'chart': expected stats, timechart, top, rare, patterns, sort, "
            "fields, head or where at position 4");
  EXPECT_EQ(
      error("a |"),
      "expected a pipe command (stats, timechart, top, rare, patterns, sort, fields, head, where) "
      "after '|', found the end of the query at position 3");
  EXPECT_EQ(error("a | stats total(x)"),
            "expected an aggregation (count(), count_distinct(f), sum(f), avg(f), min(f), "
            "max(f), p50(f) .. p99(f)), found 'total' at position 10");
  EXPECT_EQ(error("a | stats sum()"),
            "sum() needs a field, e.g. sum(event.duration) at position 10");
  EXPECT_EQ(error("a | stats avg x"),
            "expected '(' and a field after avg, e.g. avg(event.duration) at position 14");
  EXPECT_EQ(error("a | stats sum(x"),
            "expected ')' after sum(x, found the end of the query at "
            "position 15");
  EXPECT_EQ(error("a | stats count() over x"),
            "unexpected 'over' after the stats stage at position 18");
  EXPECT_EQ(error("a | stats count() by"),
            "expected a field name after `by`, found the end of the query at position 20");
  EXPECT_EQ(error("a | timechart span=soon count()"),
            "span 'soon' is not a positive duration such as 30s, 1m or 1h at position 19");
  EXPECT_EQ(error("a | timechart count() by x, y"),
            "timechart splits by one field at most at position 4");
  EXPECT_EQ(error("a | stats count() | top x"),
            "stats, timechart, top, rare and patterns aggregate the matching records: each comes "
            "right after the filter, once at position 20");
  EXPECT_EQ(error("a | head 0"), "expected a count from 1 to 1000000, found '0' at position 9");
  EXPECT_EQ(error("a | top 5"),
            "expected a field name after top, found the end of the query "
            "at position 9");
  EXPECT_EQ(error("a | where"), "expected a filter after where, e.g. count() > 10 at position 9");
  EXPECT_EQ(error("a | sort"),
            "expected a column to sort by, found the end of the query at position 8");
  EXPECT_EQ(error("a | stats p101(x)"),
            "expected an aggregation (count(), count_distinct(f), sum(f), avg(f), min(f), "
            "max(f), p50(f) .. p99(f)), found 'p101' at position 10");
}

TEST(PipesTest, BucketsStartAtMultiplesOfTheSpan) {
  EXPECT_EQ(BucketStart(125, 60), 120);
  EXPECT_EQ(BucketStart(120, 60), 120);
  EXPECT_EQ(BucketStart(-1, 60), -60) << "floor before 1970";
  EXPECT_EQ(BucketStart(-60, 60), -60);
  EXPECT_EQ(BucketStart(125, 60, 30), 90) << "buckets start 30 before the multiples";
  EXPECT_EQ(BucketStart(125, 60, -30), 90);
  EXPECT_EQ(BucketStart(89, 60, 30), 30);
  EXPECT_EQ(BucketStart(-1, 60, 30), -30);
  // Times at the ends of the range, with an offset: no overflow; the lowest
  // bucket starts at the lowest time.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMinute = 60 * kNanosPerSecond;
  EXPECT_EQ(BucketStart(kMax, kMinute, 13 * kNanosPerSecond),
            kMax - (kMax % kMinute + 13 * kNanosPerSecond) % kMinute);
  EXPECT_EQ(BucketStart(kMin, kMinute), kMin);
  EXPECT_EQ(BucketStart(kMin + 5, kMinute, -kNanosPerSecond), kMin);
  EXPECT_EQ(BucketStart(kMax, kMax, kMax), kMax - kMax % kMax);
}

TEST(PipesTest, AutoSpanKeepsBucketsFew) {
  constexpr int64_t kHour = 3600 * kNanosPerSecond;
  EXPECT_EQ(AutoSpan(0, 15 * 60 * kNanosPerSecond), 5 * kNanosPerSecond);
  EXPECT_EQ(AutoSpan(0, kHour), 30 * kNanosPerSecond);
  EXPECT_EQ(AutoSpan(0, 24 * kHour), 600 * kNanosPerSecond);
  EXPECT_EQ(AutoSpan(0, 30 * 24 * kHour), 43200 * kNanosPerSecond);
  EXPECT_EQ(AutoSpan(0, 365 * 24 * kHour), kNanosPerDay);
  EXPECT_EQ(AutoSpan(INT64_MIN, INT64_MAX), kNanosPerDay) << "no overflow";
}

}  // namespace
}  // namespace mayak
