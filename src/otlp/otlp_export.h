// One OTLP Export call of either signal, logs or traces, whatever carries
// it (OTLP/HTTP or OTLP/gRPC): the request decoded into the rows to store
// (records, or spans as their rows), the store they go to, and the reply.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "api/ingest_counters.h"
#include "api/server_state.h"
#include "model/log_record.h"

namespace mayak {

enum class OtlpSignal { kLogs, kTraces };

struct OtlpExport {
  std::vector<LogRecord> rows;
  uint64_t rejected = 0;    // log records or spans not taken
  std::string first_error;  // why the first of them was not
};

// A body that is not a well-formed request is an error naming the problem.
absl::StatusOr<OtlpExport> DecodeOtlpExport(OtlpSignal signal, bool json, std::string_view body,
                                            int64_t received_ns);

// The store the signal's rows go to; null while the server is not ready.
LogStore* OtlpStore(OtlpSignal signal, const ServerState& state);

// The signal's counters (records or spans).
IngestCounters OtlpCounters(OtlpSignal signal, MetricsRegistry* metrics);

// The Export*ServiceResponse, with a partial success when some were rejected.
std::string EncodeOtlpExportResponse(OtlpSignal signal, bool json, uint64_t rejected,
                                     std::string_view why);

}  // namespace mayak
