// A LogStore in front of another that redacts every record before passing
// it on, so that no ingest path — native, Elasticsearch, and the protocols
// to come — can store what the Redactor takes out: it runs before the
// write-ahead log sees a byte. Counts, per rule, the records it changed
// (`mayak_redactions_total{rule="..."}`).
#pragma once

#include <memory>
#include <vector>

#include "common/metrics.h"
#include "pipeline/redaction.h"
#include "storage/log_store.h"

namespace mayak {

class RedactingLogStore : public LogStore {
 public:
  // `inner` and `metrics` must outlive this store.
  RedactingLogStore(LogStore* inner, std::unique_ptr<Redactor> redactor, MetricsRegistry* metrics);

  void Append(std::vector<LogRecord> records, AppendDone done) override;
  absl::StatusOr<SearchResult> Search(const SearchRequest& request) const override {
    return inner_->Search(request);
  }
  absl::StatusOr<CountResult> Count(const CountRequest& request) const override {
    return inner_->Count(request);
  }
  StoreStats Stats() const override { return inner_->Stats(); }
  std::vector<SystemUsage> Usage() const override { return inner_->Usage(); }
  absl::Status RestorePartition(const std::string& system, int64_t day,
                                const std::vector<SegmentFetch>& segments) override {
    return inner_->RestorePartition(system, day, segments);
  }
  void Close() override { inner_->Close(); }

 private:
  LogStore* inner_;
  std::unique_ptr<Redactor> redactor_;
  std::vector<Counter*> hits_;  // by rule bit
};

}  // namespace mayak
