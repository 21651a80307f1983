// Which partitions a retention run drops, decided from sizes and ages alone
// (the store applies the plan). Per system:
//   - age: a UTC day partition whose whole day lies more than `hot_days`
//     before now goes, whatever its size;
//   - cap: while the system's remaining partitions hold more than `cap_bytes`,
//     the oldest goes; the newest partition always stays, so a system over
//     its cap keeps its latest data rather than nothing;
//   - restored: a partition restored from the archive stays `restored_days`
//     after its restore, whatever its age (the cap still applies).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mayak {

struct RetentionPolicy {
  int64_t hot_days = 30;
  int64_t cap_bytes = 100'000'000'000;
  int64_t restored_days = 7;
};

struct PartitionUsage {
  std::string system;
  int64_t day = 0;  // UTC days since the epoch
  uint64_t bytes = 0;
  uint64_t records = 0;
  int64_t restored_at_ns = 0;  // when restored from the archive; 0 if not
};

struct PartitionDrop {
  PartitionUsage partition;
  std::string reason;  // "age", "cap" or "restored" (its restored_days are over)
};

std::vector<PartitionDrop> PlanRetention(
    std::vector<PartitionUsage> partitions,
    const std::function<RetentionPolicy(const std::string& system)>& policy_for, int64_t now_ns);

}  // namespace mayak
