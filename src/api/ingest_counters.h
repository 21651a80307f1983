// The counters every ingest path adds to, whatever its protocol: one
// declaration, so that the native API, Elasticsearch, OTLP and syslog count
// into the same series with the same help text.
#pragma once

#include "common/metrics.h"

namespace mayak {

struct IngestCounters {
  Counter* records;   // stored (acknowledged)
  Counter* bytes;     // uncompressed request bytes whose records were stored
  Counter* rejected;  // refused at ingest (bad lines, documents, messages)
};

inline IngestCounters GetIngestCounters(MetricsRegistry* metrics) {
  return {
      metrics->GetCounter("mayak_ingested_records_total", "Records stored (acknowledged)."),
      metrics->GetCounter("mayak_ingested_bytes_total",
                          "Uncompressed bytes of the request bodies whose records were stored."),
      metrics->GetCounter("mayak_rejected_records_total",
                          "Records refused at ingest (bad lines or documents).")};
}

// Spans (OTLP traces, Zipkin) count apart from records.
inline IngestCounters GetSpanIngestCounters(MetricsRegistry* metrics) {
  return {metrics->GetCounter("mayak_ingested_spans_total", "Spans stored (acknowledged)."),
          metrics->GetCounter("mayak_ingested_span_bytes_total",
                              "Uncompressed bytes of the request bodies whose spans were stored."),
          metrics->GetCounter("mayak_rejected_spans_total",
                              "Spans refused at ingest (bad ids or times).")};
}

}  // namespace mayak
