// The time of every stage of a trace (the logging plan's "per-stage
// timing"): each span's self time (its duration less the time its children
// ran) and the critical path, the chain of span segments that determined
// the trace's end-to-end time. Shortening a span off the critical path does
// not make the request faster; shortening one on it may.
//
// The path is found backwards from the end of the span that finished last
// (with asynchronous work, such as a message consumed after the request
// was answered, that is not the root): within a span, the child that
// finished last before the cursor owns the time back to its own start
// (recursively, through its children), the span owns the gaps between
// children; a child running past the cursor is clipped to it. From a span
// the path goes on to its parent, or, for a span without one in the trace,
// to the span it links to (a consumer linked to its producer). Time between
// a predecessor's end and a span's start (a message waiting in its queue)
// is a waiting segment of the later span.
#pragma once

#include <cstdint>
#include <vector>

#include "model/span.h"

namespace mayak {

struct CriticalSegment {
  size_t span = 0;  // index into the trace's spans
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool waiting = false;  // before the span started: queued or not yet scheduled
};

struct StageTimes {
  // By span index: duration less the union of its children's time within it.
  std::vector<int64_t> self_ns;
  // By span index: its time on the critical path (0 when off it), waiting
  // apart.
  std::vector<int64_t> critical_ns;
  // The path in time order; consecutive segments of one span are merged.
  std::vector<CriticalSegment> path;
  size_t root = 0;  // the span the path starts from
};

// `spans` is one trace; empty gives empty results.
StageTimes ComputeStageTimes(const std::vector<Span>& spans);

}  // namespace mayak
