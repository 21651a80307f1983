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
    // Partitions whose day ended more than hot_days ago, or restored ones
    // whose restored_days are over.
    const int64_t cutoff_ns = now_ns - policy.hot_days * kNanosPerDay;
    std::vector<PartitionUsage> kept;
    for (PartitionUsage& p : list) {
      if (p.restored_at_ns > 0) {
        if (p.restored_at_ns + policy.restored_days * kNanosPerDay <= now_ns) {
          drops.push_back({std::move(p), "restored"});
          continue;
        }
      } else if ((p.day + 1) * kNanosPerDay <= cutoff_ns) {
        drops.push_back({std::move(p), "age"});
        continue;
      }
      kept.push_back(std::move(p));
    }
    uint64_t bytes = 0;
    for (const PartitionUsage& p : kept) bytes += p.bytes;
    for (size_t i = 0; bytes > static_cast<uint64_t>(policy.cap_bytes) && i + 1 < kept.size();
         ++i) {
      bytes -= kept[i].bytes;
      drops.push_back({std::move(kept[i]), "cap"});
    }
  }
  return drops;
}

}  // namespace mayak
