#include "storage/row_order.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace mayak {
namespace {

std::vector<uint32_t> Order(RowOrder order,
                            const std::vector<std::pair<std::string, int64_t>>& rows) {
  return OrderRows(
      order, rows.size(), [&rows](size_t i) -> std::string_view { return rows[i].first; },
      [&rows](size_t i) { return rows[i].second; });
}

TEST(RowOrderTest, SpansOfATraceLieTogetherByTheTracesFirstStart) {
  // (trace.id, start): trace c starts first, then a, then the span without
  // a trace, then b; each trace's spans by their own start.
  const std::vector<std::pair<std::string, int64_t>> spans = {
      {"b", 50}, {"a", 10}, {"b", 20}, {"", 15}, {"a", 40}, {"c", 5}, {"a", 30}};
  EXPECT_EQ(Order(RowOrder::kTrace, spans), (std::vector<uint32_t>{5, 1, 6, 4, 3, 2, 0}));
}

TEST(RowOrderTest, SpansWithoutATraceAreEachTheirOwnAndEqualRowsKeepTheirOrder) {
  const std::vector<std::pair<std::string, int64_t>> spans = {
      {"", 20}, {"t", 10}, {"", 10}, {"t", 10}, {"", 10}};
  // t and the two spans at 10 without a trace start together: first seen
  // first; t's two equal spans keep their order.
  EXPECT_EQ(Order(RowOrder::kTrace, spans), (std::vector<uint32_t>{1, 3, 2, 4, 0}));
}

TEST(RowOrderTest, LogsLieByServiceNameThenTime) {
  const std::vector<std::pair<std::string, int64_t>> logs = {{"shop", 3}, {"crm", 9}, {"shop", 1},
                                                             {"crm", 2},  {"mes", 5}, {"shop", 1}};
  EXPECT_EQ(Order(RowOrder::kServiceTime, logs), (std::vector<uint32_t>{3, 1, 4, 2, 5, 0}));
}

}  // namespace
}  // namespace mayak
