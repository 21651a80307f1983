// A LogStore in front of another that runs the ingest pipeline (JSON
// messages expanded, routing rules, redaction) on every record before
// passing it on, so that no ingest path — native, Elasticsearch, OTLP,
// syslog — can skip it: it runs before the write-ahead log sees a byte.
// Counts, per redaction rule, the records it changed
// (`mayak_redactions_total{rule="..."}`).
#pragma once

#include <memory>
#include <vector>

#include "common/metrics.h"
#include "pipeline/ingest_pipeline.h"
#include "storage/forwarding_log_store.h"

namespace mayak {

class PipelineLogStore : public ForwardingLogStore {
 public:
  // `inner` and `metrics` must outlive this store.
  PipelineLogStore(LogStore* inner, std::unique_ptr<IngestPipeline> pipeline,
                   MetricsRegistry* metrics);

  void Append(std::vector<LogRecord> records, AppendDone done) override;

 private:
  std::unique_ptr<IngestPipeline> pipeline_;
  std::vector<Counter*> hits_;  // by rule bit
};

}  // namespace mayak
