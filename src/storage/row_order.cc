#include "storage/row_order.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "common/string_hash.h"

namespace mayak {
namespace {

// Sorted by keys gathered in one pass: comparing the rows themselves would
// read two of them, scattered in memory, for every comparison.
struct Key {
  int64_t group_time;  // kTrace: the trace's first start; kServiceTime: 0
  uint32_t group;      // the service's rank by name, or the trace's number
  uint32_t position;
  int64_t time;
};

}  // namespace

std::vector<uint32_t> OrderRows(RowOrder order, size_t n,
                                absl::FunctionRef<std::string_view(size_t)> group_of,
                                absl::FunctionRef<int64_t(size_t)> time_of) {
  absl::flat_hash_map<std::string_view, uint32_t, StringHash, StringEq> group_ids;
  std::vector<std::string_view> groups;
  std::vector<int64_t> first_time;  // by group
  std::vector<Key> keys(n);
  std::string_view last_group;
  uint32_t last_id = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view group = group_of(i);
    const int64_t time = time_of(i);
    // Rows of one service or trace often come in runs: a run costs one hash.
    if (i == 0 || group != last_group) {
      if (order == RowOrder::kTrace && group.empty()) {
        last_id = static_cast<uint32_t>(groups.size());
        groups.push_back(group);
        first_time.push_back(time);
      } else {
        const auto [it, added] = group_ids.try_emplace(group, static_cast<uint32_t>(groups.size()));
        if (added) {
          groups.push_back(group);
          first_time.push_back(std::numeric_limits<int64_t>::max());
        }
        last_id = it->second;
      }
      last_group = group;
    }
    first_time[last_id] = std::min(first_time[last_id], time);
    keys[i] = {0, last_id, static_cast<uint32_t>(i), time};
  }
  if (order == RowOrder::kServiceTime) {
    std::vector<uint32_t> by_name(groups.size());
    std::iota(by_name.begin(), by_name.end(), 0u);
    std::sort(by_name.begin(), by_name.end(),
              [&groups](uint32_t a, uint32_t b) { return groups[a] < groups[b]; });
    std::vector<uint32_t> rank(groups.size());
    for (uint32_t k = 0; k < by_name.size(); ++k) rank[by_name[k]] = k;
    for (Key& key : keys) key.group = rank[key.group];
  } else {
    for (Key& key : keys) key.group_time = first_time[key.group];
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    if (a.group_time != b.group_time) return a.group_time < b.group_time;
    if (a.group != b.group) return a.group < b.group;
    if (a.time != b.time) return a.time < b.time;
    return a.position < b.position;  // stable: equal rows keep their order
  });
  std::vector<uint32_t> positions(n);
  for (size_t i = 0; i < n; ++i) positions[i] = keys[i].position;
  return positions;
}

}  // namespace mayak
