#include "storage/retention.h"

#include <algorithm>
#include <map>

#include "common/timestamps.h"

namespace mayak {

std::vector<PartitionDrop> PlanRetention(
    std::vector<PartitionUsage> partitions,
    const std::function<RetentionPolicy(const std::string& system)>& policy_for, int64_t now_ns) {
  std::map<std::string, std::vector<PartitionUsage>> by_system;
  for (PartitionUsage& p : partitions) by_system[p.system].push_back(std::move(p));
  std::vector<PartitionDrop> drops;
  for (auto& [system, list] : by_system) {
    const RetentionPolicy policy = policy_for(system);
    std::sort(list.begin(), list.end(),
              [](const PartitionUsage& a, const PartitionUsage& b) { return a.day < b.day; });
    // Partitions whose day ended more than hot_days ago.
    const int64_t cutoff_ns = now_ns - policy.hot_days * kNanosPerDay;
    size_t kept_from = 0;
    while (kept_from < list.size() && (list[kept_from].day + 1) * kNanosPerDay <= cutoff_ns) {
      drops.push_back({list[kept_from++], "age"});
    }
    uint64_t bytes = 0;
    for (size_t i = kept_from; i < list.size(); ++i) bytes += list[i].bytes;
    while (bytes > static_cast<uint64_t>(policy.cap_bytes) && list.size() - kept_from > 1) {
      bytes -= list[kept_from].bytes;
      drops.push_back({list[kept_from++], "cap"});
    }
  }
  return drops;
}

}  // namespace mayak
