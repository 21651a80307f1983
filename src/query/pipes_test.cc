#include "query/pipes.h"

#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(PipesTest, FilterAloneHasNoPipe) {
  auto q = ParsePipes("service.name:shop and \"a | b\"");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->filter, "service.name:shop and \"a | b\"");
  EXPECT_FALSE(q->count.has_value());
}

TEST(PipesTest, StatsCountBy) {
  auto q = ParsePipes("log.level:error | stats count() by service.name, http.response.status_code");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->filter, "log.level:error ");
  ASSERT_TRUE(q->count.has_value());
  EXPECT_FALSE(q->count->timechart);
  EXPECT_EQ(q->count->by, (std::vector<std::string>{"service.name", "http.response.status_code"}));

  auto spaces = ParsePipes("|STATS COUNT() BY a b");
  ASSERT_TRUE(spaces.ok()) << spaces.status();
  EXPECT_EQ(spaces->filter, "");
  EXPECT_EQ(spaces->count->by, (std::vector<std::string>{"a", "b"}));

  auto plain = ParsePipes("x | stats count()");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->count->by.empty());
}

TEST(PipesTest, Timechart) {
  auto q = ParsePipes("* | timechart span=5m count() by log.level");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_TRUE(q->count->timechart);
  EXPECT_EQ(q->count->span_ns, 300 * kNanosPerSecond);
  EXPECT_EQ(q->count->by, std::vector<std::string>{"log.level"});
  auto automatic = ParsePipes("| timechart count()");
  ASSERT_TRUE(automatic.ok());
  EXPECT_EQ(automatic->count->span_ns, 0);
}

TEST(PipesTest, ErrorsSayWhereAndWhat) {
  const auto error = [](std::string_view query) {
    auto q = ParsePipes(query);
    EXPECT_FALSE(q.ok()) << query;
    return q.ok() ? std::string() : std::string(StatusMessage(q.status()));
  };
  EXPECT_EQ(error("a | top 5 x"),
            "query syntax error at position 4: unknown pipe command 'top': expected stats or "
            "timechart");
  EXPECT_EQ(error("a |"),
            "query syntax error at position 3: expected stats or timechart after `|`");
  EXPECT_EQ(error("a | stats sum(x)"),
            "query syntax error at position 10: expected count() (the only aggregation so far)");
  EXPECT_EQ(error("a | stats count() over x"),
            "query syntax error at position 18: expected `by` after count(), found 'over'");
  EXPECT_EQ(error("a | stats count() by"),
            "query syntax error at position 20: expected a field name after `by`");
  EXPECT_EQ(error("a | timechart span=soon count()"),
            "query syntax error at position 19: span 'soon' is not a positive duration such as "
            "30s, 1m or 1h");
  EXPECT_EQ(error("a | timechart count() by x, y"),
            "query syntax error at position 28: timechart splits by one field at most");
  EXPECT_EQ(error("a | stats count() | stats count()"),
            "query syntax error at position 18: only one pipe stage (stats or timechart) is "
            "supported so far");
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
