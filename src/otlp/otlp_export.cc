#include "otlp/otlp_export.h"

#include <utility>

#include "otlp/otlp_logs.h"
#include "otlp/otlp_traces.h"

namespace mayak {

absl::StatusOr<OtlpExport> DecodeOtlpExport(OtlpSignal signal, bool json, std::string_view body,
                                            int64_t received_ns) {
  OtlpExport out;
  if (signal == OtlpSignal::kLogs) {
    auto batch =
        json ? DecodeOtlpLogsJson(body, received_ns) : DecodeOtlpLogsProtobuf(body, received_ns);
    if (!batch.ok()) return batch.status();
    out.rows = std::move(batch->records);
    out.rejected = batch->rejected;
    out.first_error = std::move(batch->first_error);
    return out;
  }
  auto batch = json ? DecodeOtlpTracesJson(body) : DecodeOtlpTracesProtobuf(body);
  if (!batch.ok()) return batch.status();
  out.rows.reserve(batch->spans.size());
  for (Span& span : batch->spans) out.rows.push_back(SpanToRecord(std::move(span), received_ns));
  out.rejected = batch->rejected;
  out.first_error = std::move(batch->first_error);
  return out;
}

LogStore* OtlpStore(OtlpSignal signal, const ServerState& state) {
  if (state.phase.load() != ServerPhase::kReady) return nullptr;
  return signal == OtlpSignal::kLogs ? state.store.load() : state.spans.load();
}

IngestCounters OtlpCounters(OtlpSignal signal, MetricsRegistry* metrics) {
  return signal == OtlpSignal::kLogs ? GetIngestCounters(metrics) : GetSpanIngestCounters(metrics);
}

std::string EncodeOtlpExportResponse(OtlpSignal signal, bool json, uint64_t rejected,
                                     std::string_view why) {
  if (signal == OtlpSignal::kLogs) {
    return json ? EncodeExportLogsResponseJson(rejected, why)
                : EncodeExportLogsResponseProtobuf(rejected, why);
  }
  return json ? EncodeExportTracesResponseJson(rejected, why)
              : EncodeExportTracesResponseProtobuf(rejected, why);
}

}  // namespace mayak
