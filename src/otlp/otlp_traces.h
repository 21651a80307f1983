// OTLP traces (OpenTelemetry's ExportTraceServiceRequest), in its protobuf
// and JSON encodings, into canonical spans (model/span.h):
//   trace_id, span_id, parent_span_id -> lowercase hex (an all-zero or
//     wrongly sized id rejects the span)
//   name, kind, start_time_unix_nano, end - start -> name, kind, start,
//     duration (an end before the start rejects the span)
//   status {code, message} -> status, status message
//   attributes (and the scope's name and attributes) -> attributes; the
//     resource's -> resource; events and links with their attributes
//   resource service.name -> service
// The span's system is a `mayak.system` or `system` attribute (the span's,
// else the resource's), else the service's name when it is a valid system
// name, else default, as for logs. The fields read are written down in
// src/otlp/otlp_traces.proto.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/span.h"

namespace mayak {

struct OtlpTracesBatch {
  std::vector<Span> spans;
  uint64_t rejected = 0;    // spans that could not be taken
  std::string first_error;  // why the first of them was not
};

// A body that is not a well-formed request is an error naming the problem
// (and, for protobuf, the byte); a well-formed request's bad spans are
// counted in `rejected`.
absl::StatusOr<OtlpTracesBatch> DecodeOtlpTracesProtobuf(std::string_view body);
absl::StatusOr<OtlpTracesBatch> DecodeOtlpTracesJson(std::string_view body);

// ExportTraceServiceResponse: empty when nothing was rejected, else its
// partial_success with the count and the message.
std::string EncodeExportTracesResponseProtobuf(uint64_t rejected, std::string_view message);
std::string EncodeExportTracesResponseJson(uint64_t rejected, std::string_view message);

}  // namespace mayak
