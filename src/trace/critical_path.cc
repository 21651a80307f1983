#include "trace/critical_path.h"

#include <algorithm>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace mayak {
namespace {

// Deeper traces stop being followed here (no stack runs out on a trace
// that nests without end).
constexpr int kMaxDepth = 5000;

int64_t EndOf(const Span& s) { return s.start_ns + s.duration_ns; }

class PathWalker {
 public:
  PathWalker(const std::vector<Span>& spans, const std::vector<std::vector<size_t>>& children)
      : spans_(spans), children_(children), visited_(spans.size(), false) {}

  // Walks span `i` back from `cursor`, emitting segments latest first.
  void Walk(size_t i, int64_t cursor, int depth) {
    visited_[i] = true;
    const Span& span = spans_[i];
    int64_t c = std::min(cursor, EndOf(span));
    if (depth < kMaxDepth) {
      std::vector<size_t> order = children_[i];
      std::sort(order.begin(), order.end(),
                [this](size_t a, size_t b) { return EndOf(spans_[a]) > EndOf(spans_[b]); });
      for (size_t child : order) {
        if (c <= span.start_ns) break;
        if (visited_[child]) continue;  // a cycle of parents
        const Span& k = spans_[child];
        if (k.start_ns >= c) continue;  // starts after the cursor: off the path
        const int64_t child_end = std::min(EndOf(k), c);
        Emit(i, child_end, c);
        Walk(child, child_end, depth + 1);
        c = std::max(k.start_ns, span.start_ns);
      }
    }
    Emit(i, span.start_ns, c);
  }

  bool visited(size_t i) const { return visited_[i]; }

  // Time the span `i` waited before it started.
  void Wait(size_t i, int64_t start, int64_t end) {
    if (end > start) backwards_.push_back({i, start, end, true});
  }

  // The segments in time order, runs of one span merged.
  std::vector<CriticalSegment> Path() const {
    std::vector<CriticalSegment> path;
    for (auto it = backwards_.rbegin(); it != backwards_.rend(); ++it) {
      if (!path.empty() && path.back().span == it->span && path.back().end_ns == it->start_ns &&
          path.back().waiting == it->waiting) {
        path.back().end_ns = it->end_ns;
      } else {
        path.push_back(*it);
      }
    }
    return path;
  }

 private:
  void Emit(size_t span, int64_t start, int64_t end) {
    if (end > start) backwards_.push_back({span, start, end, false});
  }

  const std::vector<Span>& spans_;
  const std::vector<std::vector<size_t>>& children_;
  std::vector<bool> visited_;
  std::vector<CriticalSegment> backwards_;
};

// The time within [start, end] that `intervals` cover.
int64_t Covered(std::vector<std::pair<int64_t, int64_t>> intervals, int64_t start, int64_t end) {
  for (auto& [a, b] : intervals) {
    a = std::max(a, start);
    b = std::min(b, end);
  }
  std::sort(intervals.begin(), intervals.end());
  int64_t covered = 0;
  int64_t reach = start;
  for (const auto& [a, b] : intervals) {
    if (b <= a) continue;
    const int64_t from = std::max(a, reach);
    if (b > from) {
      covered += b - from;
      reach = b;
    }
  }
  return covered;
}

}  // namespace

StageTimes ComputeStageTimes(const std::vector<Span>& spans) {
  StageTimes out;
  const size_t n = spans.size();
  out.self_ns.assign(n, 0);
  out.critical_ns.assign(n, 0);
  if (n == 0) return out;
  std::unordered_map<std::string, size_t> by_id;
  for (size_t i = 0; i < n; ++i) by_id.emplace(spans[i].span_id, i);
  const auto find = [&by_id](const std::string& id) -> std::optional<size_t> {
    auto it = id.empty() ? by_id.end() : by_id.find(id);
    return it == by_id.end() ? std::nullopt : std::optional<size_t>(it->second);
  };
  std::vector<std::vector<size_t>> children(n);
  std::vector<std::optional<size_t>> parent(n);
  for (size_t i = 0; i < n; ++i) {
    parent[i] = find(spans[i].parent_span_id);
    if (parent[i] == i) parent[i].reset();
    if (parent[i]) children[*parent[i]].push_back(i);
  }
  for (size_t i = 0; i < n; ++i) {
    std::vector<std::pair<int64_t, int64_t>> intervals;
    for (size_t child : children[i]) {
      intervals.emplace_back(spans[child].start_ns, EndOf(spans[child]));
    }
    out.self_ns[i] =
        spans[i].duration_ns - Covered(std::move(intervals), spans[i].start_ns, EndOf(spans[i]));
  }
  // From the span that finished last (the earliest of those that did) back
  // through its predecessors: parents, else linked spans.
  size_t last = 0;
  for (size_t i = 1; i < n; ++i) {
    if (EndOf(spans[i]) > EndOf(spans[last]) ||
        (EndOf(spans[i]) == EndOf(spans[last]) && spans[i].start_ns < spans[last].start_ns)) {
      last = i;
    }
  }
  PathWalker walker(spans, children);
  size_t node = last;
  int64_t cursor = EndOf(spans[last]);
  for (size_t steps = 0; steps < n; ++steps) {
    walker.Walk(node, cursor, 0);
    std::optional<size_t> before = parent[node];
    for (size_t k = 0; !before && k < spans[node].links.size(); ++k) {
      if (spans[node].links[k].trace_id == spans[node].trace_id) {
        before = find(spans[node].links[k].span_id);
      }
    }
    if (!before || walker.visited(*before)) break;
    const int64_t start = spans[node].start_ns;
    const int64_t before_end = EndOf(spans[*before]);
    if (before_end < start) walker.Wait(node, before_end, start);
    cursor = std::min(before_end, start);
    node = *before;
  }
  out.path = walker.Path();
  if (!out.path.empty()) out.root = out.path.front().span;
  for (const CriticalSegment& s : out.path) {
    if (!s.waiting) out.critical_ns[s.span] += s.end_ns - s.start_ns;
  }
  return out;
}

}  // namespace mayak
