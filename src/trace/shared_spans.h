// Zipkin's shared spans: a client and the server it called may report one
// span id (B3 propagation's default), so a trace read back holds two spans
// with that id. As Jaeger does when it shows such a trace, the server span
// gets an id of its own (the shared id plus one, or the next unused) and
// becomes the client span's child; nothing stored changes.
#pragma once

#include <vector>

#include "model/span.h"

namespace mayak {

// Rewrites the server halves of shared span ids in `spans` (one trace).
// Returns how many it rewrote.
size_t SeparateSharedSpans(std::vector<Span>* spans);

}  // namespace mayak
