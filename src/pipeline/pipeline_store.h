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
#include "storage/log_store.h"

namespace mayak {

class PipelineLogStore : public LogStore {
 public:
  // `inner` and `metrics` must outlive this store.
  PipelineLogStore(LogStore* inner, std::unique_ptr<IngestPipeline> pipeline,
                   MetricsRegistry* metrics);

  void Append(std::vector<LogRecord> records, AppendDone done) override;
  absl::StatusOr<SearchResult> Search(const SearchRequest& request) const override {
    return inner_->Search(request);
  }
  absl::StatusOr<CountResult> Count(const CountRequest& request) const override {
    return inner_->Count(request);
  }
  StoreStats Stats() const override { return inner_->Stats(); }
  std::vector<SystemUsage> Usage() const override { return inner_->Usage(); }
  FieldTypes Fields(int64_t from_ns, int64_t to_ns) const override {
    return inner_->Fields(from_ns, to_ns);
  }
  absl::Status RestorePartition(const std::string& system, int64_t day,
                                const std::vector<SegmentFetch>& segments) override {
    return inner_->RestorePartition(system, day, segments);
  }
  void Close() override { inner_->Close(); }

 private:
  LogStore* inner_;
  std::unique_ptr<IngestPipeline> pipeline_;
  std::vector<Counter*> hits_;  // by rule bit
};

}  // namespace mayak
