// OTLP logs (OpenTelemetry's ExportLogsServiceRequest), in its protobuf and
// JSON encodings, into canonical records:
//   time_unix_nano (else observed_time_unix_nano, else the time received)
//     -> @timestamp
//   severity_number (1-4 TRACE ... 21-24 FATAL), else severity_text
//     -> log.level
//   body: a string -> message; a map -> its fields flattened (its message
//     or msg -> message); anything else -> message as text
//   attributes, and the resource's and scope's -> attributes, typed,
//     nested maps flattened with dots, arrays as JSON text, bytes as hex
//   resource service.name -> service.name; trace_id, span_id -> trace.id,
//     span.id (hex); event_name -> event.name
// The record's system is a `mayak.system` or `system` attribute (the
// record's, else the resource's), else the service's name when it is a
// valid system name, else default. The fields read are written down in
// src/otlp/otlp_logs.proto.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/log_record.h"

namespace mayak {

struct OtlpLogsBatch {
  std::vector<LogRecord> records;
  uint64_t rejected = 0;    // log records that could not be taken
  std::string first_error;  // why the first of them was not
};

// A body that is not a well-formed request is an error naming the problem
// (and, for protobuf, the byte); a well-formed request's bad records are
// counted in `rejected`.
absl::StatusOr<OtlpLogsBatch> DecodeOtlpLogsProtobuf(std::string_view body, int64_t received_ns);
absl::StatusOr<OtlpLogsBatch> DecodeOtlpLogsJson(std::string_view body, int64_t received_ns);

// ExportLogsServiceResponse: empty when nothing was rejected, else its
// partial_success with the count and the message.
std::string EncodeExportLogsResponseProtobuf(uint64_t rejected, std::string_view message);
std::string EncodeExportLogsResponseJson(uint64_t rejected, std::string_view message);

// google.rpc.Status {code, message}: the body of an OTLP/HTTP error reply
// in protobuf.
std::string EncodeRpcStatusProtobuf(int code, std::string_view message);

}  // namespace mayak
