// Clock skew between services, found and adjusted for display as Jaeger
// does, never silently: a span called from another service that starts
// before its parent or ends after it (impossible for a synchronous call on
// one clock) is moved, with its descendants of its own service, so that it
// sits in the middle of its parent, splitting the network time evenly. Each
// span moved gets a warning that says by how much. Stored spans do not
// change.
#pragma once

#include <string>
#include <vector>

#include "model/span.h"

namespace mayak {

struct SkewAdjustment {
  size_t span = 0;       // index of the span whose clock was off
  int64_t shift_ns = 0;  // added to it and its descendants of its service
  std::string warning;
};

// Adjusts `spans` (one trace) in place; returns what it moved. A child
// longer than its parent (an asynchronous call) is left as it is.
std::vector<SkewAdjustment> AdjustClockSkew(std::vector<Span>* spans);

}  // namespace mayak
