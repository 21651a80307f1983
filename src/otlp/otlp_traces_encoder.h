// Spans as an OTLP ExportTraceServiceRequest in protobuf: what an SDK
// sends. For the benchmarks' load generator and tests; the inverse of
// DecodeOtlpTracesProtobuf (otlp_traces.h) for the fields it reads.
#pragma once

#include <string>
#include <vector>

#include "model/span.h"

namespace mayak {

// Consecutive spans of one service and resource share a ResourceSpans.
std::string EncodeOtlpTracesProtobuf(const std::vector<Span>& spans);

}  // namespace mayak
