#include "storage/retention.h"

#include "gtest/gtest.h"

namespace mayak {
namespace {

constexpr int64_t kDay = 86400LL * 1'000'000'000;
constexpr int64_t kNov24 = 20781;  // 2026-11-24 in days since the epoch

std::vector<std::string> Names(const std::vector<PartitionDrop>& drops) {
  std::vector<std::string> names;
  for (const PartitionDrop& d : drops) {
    names.push_back(d.partition.system + "/" + std::to_string(d.partition.day - kNov24) + "/" +
                    d.reason);
  }
  return names;
}

TEST(RetentionTest, DropsWholeDaysPastHotDaysPerSystem) {
  const std::vector<PartitionUsage> partitions = {
      {"shop", kNov24 - 31, 10}, {"shop", kNov24 - 30, 10}, {"shop", kNov24 - 29, 10},
      {"shop", kNov24, 10},      {"crm", kNov24 - 31, 10},  {"crm", kNov24 - 8, 10},
      {"crm", kNov24 - 6, 10},
  };
  const auto policy = [](const std::string& system) {
    RetentionPolicy p;
    if (system == "crm") p.hot_days = 7;
    return p;
  };
  // Noon on Nov 24: shop keeps 30 days, so the day that ended at midnight
  // 30 days ago (day -31) goes and day -30, which ended 29.5 days ago, stays.
  const int64_t now = kNov24 * kDay + kDay / 2;
  EXPECT_EQ(Names(PlanRetention(partitions, policy, now)),
            (std::vector<std::string>{"crm/-31/age", "crm/-8/age", "shop/-31/age"}));
  // A backfilled record's old partition goes at the next run like any other.
  EXPECT_TRUE(PlanRetention({{"shop", kNov24 - 2, 10}}, policy, now).empty());
}

TEST(RetentionTest, OverTheCapTheOldestGoFirstAndTheNewestStays) {
  const auto policy = [](const std::string& system) {
    RetentionPolicy p;
    p.cap_bytes = system == "mes" ? 100 : 1000;
    return p;
  };
  const int64_t now = kNov24 * kDay;
  std::vector<PartitionUsage> partitions = {
      {"mes", kNov24 - 1, 60}, {"mes", kNov24 - 3, 60}, {"mes", kNov24 - 2, 30},
      {"mes", kNov24, 20},     {"shop", kNov24, 900},   {"shop", kNov24 - 1, 90},
  };
  // mes holds 170 bytes over a cap of 100: days -3 (60) then -2 (30) go.
  EXPECT_EQ(Names(PlanRetention(partitions, policy, now)),
            (std::vector<std::string>{"mes/-3/cap", "mes/-2/cap"}));
  // One partition alone over the cap stays: it is the newest data.
  EXPECT_TRUE(PlanRetention({{"mes", kNov24, 5000}}, policy, now).empty());
}

TEST(RetentionTest, RestoredPartitionsStayTheirRestoredDays) {
  const auto policy = [](const std::string&) {
    RetentionPolicy p;
    p.hot_days = 30;
    p.restored_days = 7;
    return p;
  };
  const int64_t now = kNov24 * kDay;
  std::vector<PartitionUsage> partitions = {
      {"shop", kNov24 - 200, 10, 1, now - 6 * kDay},  // restored 6 days ago: stays
      {"shop", kNov24 - 100, 10, 1, now - 8 * kDay},  // restored 8 days ago: goes
  };
  EXPECT_EQ(Names(PlanRetention(partitions, policy, now)),
            (std::vector<std::string>{"shop/-100/restored"}));
}

}  // namespace
}  // namespace mayak
