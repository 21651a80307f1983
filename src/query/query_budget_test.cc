#include "query/query_budget.h"

#include <thread>

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(QueryBudgetTest, UnlimitedByDefault) {
  const QueryBudget budget;
  budget.Charge(1ull << 40);
  EXPECT_TRUE(budget.Check().ok());
}

TEST(QueryBudgetTest, MemoryOverTheLimitStopsEveryCopy) {
  const QueryBudget budget(0, 1000, nullptr);
  const QueryBudget copy = budget;  // a scan worker's
  copy.Charge(600);
  EXPECT_TRUE(budget.Check().ok());
  budget.Charge(600);
  EXPECT_TRUE(absl::IsResourceExhausted(copy.Check())) << copy.Check();
  EXPECT_NE(copy.Check().message().find("limits.query_memory"), std::string::npos);
}

TEST(QueryBudgetTest, DeadlinePasses) {
  const QueryBudget budget(1'000'000, 0, nullptr);  // 1 ms
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(absl::IsDeadlineExceeded(budget.Check())) << budget.Check();
  EXPECT_NE(budget.Check().message().find("limits.query_timeout"), std::string::npos);
}

TEST(QueryBudgetTest, ClientGoneCancels) {
  auto gone = std::make_shared<std::atomic<bool>>(false);
  const QueryBudget budget(0, 0, gone);
  EXPECT_TRUE(budget.Check().ok());
  gone->store(true);
  EXPECT_TRUE(absl::IsCancelled(budget.Check())) << budget.Check();
}

}  // namespace
}  // namespace mayak
