#include "query/table.h"

#include "common/status_macros.h"
#include "common/strings.h"
#include "gtest/gtest.h"
#include "query/kql.h"

namespace mayak {
namespace {

Table Sample() {
  Table t;
  t.columns = {"url.path", "count()", "avg(d)"};
  t.rows = {{std::string("/b"), int64_t{5}, 2.5},
            {std::string("/a"), int64_t{50}, std::nullopt},
            {std::string("/c"), int64_t{5}, 0.5},
            {std::nullopt, int64_t{7}, 10.0}};
  return t;
}

PipeStage Stage(std::string_view pipe) {
  auto q = ParsePipes(StrCat("x | stats count() | ", pipe));
  EXPECT_TRUE(q.ok()) << q.status();
  return q.ok() ? q->stages[1] : PipeStage{};
}

std::vector<TableCell> Column(const Table& t, size_t c) {
  std::vector<TableCell> out;
  for (const auto& row : t.rows) out.push_back(row[c]);
  return out;
}

TEST(TableTest, SortsByColumnsWithMissingValuesLast) {
  Table t = Sample();
  ASSERT_TRUE(ApplyTableStage(Stage("sort -count(), url.path"), &t).ok());
  EXPECT_EQ(Column(t, 0), (std::vector<TableCell>{std::string("/a"), std::nullopt,
                                                  std::string("/b"), std::string("/c")}));
  ASSERT_TRUE(ApplyTableStage(Stage("sort avg(d)"), &t).ok());
  EXPECT_EQ(Column(t, 2), (std::vector<TableCell>{0.5, 2.5, 10.0, std::nullopt}));
  ASSERT_TRUE(ApplyTableStage(Stage("sort -avg(d)"), &t).ok());
  EXPECT_EQ(Column(t, 2), (std::vector<TableCell>{10.0, 2.5, 0.5, std::nullopt}))
      << "missing values last either way";
}

TEST(TableTest, NumbersOfBothTypesCompareByValue) {
  EXPECT_LT(CompareCells(int64_t{2}, 2.5), 0);
  EXPECT_GT(CompareCells(3.5, int64_t{3}), 0);
  EXPECT_EQ(CompareCells(int64_t{3}, 3.0), 0);
  EXPECT_LT(CompareCells(int64_t{100}, std::string("2")), 0) << "numbers before text";
  EXPECT_LT(CompareCells(std::string("a"), std::nullopt), 0);
}

TEST(TableTest, FieldsHeadAndWhere) {
  Table t = Sample();
  ASSERT_TRUE(ApplyTableStage(Stage("where count() >= 7"), &t).ok());
  ASSERT_EQ(t.rows.size(), 2u);
  t = Sample();
  ASSERT_TRUE(ApplyTableStage(Stage("where url.path:/b or avg\\(d\\) < 1"), &t).ok());
  EXPECT_EQ(Column(t, 0), (std::vector<TableCell>{std::string("/b"), std::string("/c")}));
  t = Sample();
  ASSERT_TRUE(ApplyTableStage(Stage("where not url.path:*"), &t).ok());
  EXPECT_EQ(t.rows.size(), 1u) << "the row without a path";
  ASSERT_TRUE(ApplyTableStage(Stage("fields count(), url.path"), &t).ok());
  EXPECT_EQ(t.columns, (std::vector<std::string>{"count()", "url.path"}));
  EXPECT_EQ(t.rows[0], (std::vector<TableCell>{int64_t{7}, std::nullopt}));
  t = Sample();
  ASSERT_TRUE(ApplyTableStage(Stage("head 2"), &t).ok());
  EXPECT_EQ(t.rows.size(), 2u);
}

TEST(TableTest, ErrorsNameTheColumnAndWhere) {
  Table t = Sample();
  const absl::Status missing = ApplyTableStage(Stage("sort -n"), &t);
  EXPECT_EQ(StatusMessage(missing),
            "no column 'n' in the table (its columns: url.path, count(), avg(d)) at position 20");
  const absl::Status unclosed = ApplyTableStage(Stage("where (count() > 1"), &t);
  EXPECT_EQ(StatusMessage(unclosed),
            "expected ')' to close the '(' at position 26 but found the end of the query at "
            "position 38");
  const absl::Status bad = ApplyTableStage(Stage("where count() >"), &t);
  EXPECT_EQ(kql::SyntaxPosition(bad), 35) << bad << " (the end of the whole query, shifted)";
}

TEST(TableTest, RecordsBecomeRows) {
  LogRecord r;
  r.timestamp_ns = 1'000'000'000;
  r.level = Level::kError;
  r.system = "shop";
  r.service = "shop-api";
  r.message = "boom";
  r.attributes = {{"order.id", int64_t{7}}};
  LogRecord s;
  s.attributes = {{"user.id", std::string("u1")}};
  const Table t = TableOfRecords({r, s});
  EXPECT_EQ(t.columns,
            (std::vector<std::string>{"@timestamp", "log.level", "system", "service.name",
                                      "message", "order.id", "user.id"}));
  EXPECT_EQ(t.rows[0][0], TableCell(std::string("1970-01-01T00:00:01Z")));
  EXPECT_EQ(t.rows[0][1], TableCell(std::string("ERROR")));
  EXPECT_EQ(t.rows[0][5], TableCell(int64_t{7}));
  EXPECT_EQ(t.rows[1][1], std::nullopt);
  EXPECT_EQ(t.rows[1][6], TableCell(std::string("u1")));
}

}  // namespace
}  // namespace mayak
