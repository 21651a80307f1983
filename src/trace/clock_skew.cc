#include "trace/clock_skew.h"

#include <deque>
#include <unordered_map>

#include "common/strings.h"
#include "common/units.h"

namespace mayak {
namespace {

int64_t EndOf(const Span& s) { return s.start_ns + s.duration_ns; }

}  // namespace

std::vector<SkewAdjustment> AdjustClockSkew(std::vector<Span>* spans) {
  std::vector<Span>& all = *spans;
  const size_t n = all.size();
  std::unordered_map<std::string, size_t> by_id;
  for (size_t i = 0; i < n; ++i) by_id.emplace(all[i].span_id, i);
  std::vector<std::vector<size_t>> children(n);
  std::vector<size_t> order;  // parents before children
  std::vector<bool> queued(n, false);
  std::deque<size_t> queue;
  for (size_t i = 0; i < n; ++i) {
    auto parent = all[i].parent_span_id.empty() ? by_id.end() : by_id.find(all[i].parent_span_id);
    if (parent != by_id.end() && parent->second != i) {
      children[parent->second].push_back(i);
    } else {
      queue.push_back(i);
      queued[i] = true;
    }
  }
  while (!queue.empty()) {
    const size_t i = queue.front();
    queue.pop_front();
    order.push_back(i);
    for (size_t c : children[i]) {
      if (!queued[c]) {
        queued[c] = true;
        queue.push_back(c);
      }
    }
  }
  std::vector<SkewAdjustment> out;
  for (size_t i : order) {
    for (size_t c : children[i]) {
      const Span& parent = all[i];
      Span& child = all[c];
      if (child.service == parent.service) continue;         // one clock
      if (child.duration_ns > parent.duration_ns) continue;  // asynchronous
      if (child.start_ns >= parent.start_ns && EndOf(child) <= EndOf(parent)) continue;
      const int64_t latency = (parent.duration_ns - child.duration_ns) / 2;
      const int64_t shift = parent.start_ns + latency - child.start_ns;
      // The child and its descendants on the same clock move together.
      std::vector<size_t> moved = {c};
      for (size_t k = 0; k < moved.size(); ++k) {
        all[moved[k]].start_ns += shift;
        for (size_t d : children[moved[k]]) {
          if (all[d].service == child.service) moved.push_back(d);
        }
      }
      out.push_back({c, shift,
                     StrCat("clock skew adjustment: ", child.service.empty() ? "?" : child.service,
                            "'s clock is ", FormatDuration(shift < 0 ? -shift : shift),
                            shift < 0 ? " ahead of " : " behind ",
                            parent.service.empty() ? "?" : parent.service,
                            "'s; this span and its own children are shown moved by that")});
    }
  }
  return out;
}

}  // namespace mayak
