// A LogStore that passes every call on to another: the base of the stores
// in front of the engine that change one thing (PipelineLogStore rewrites
// what is appended, TailLogStore shows it to live tails).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "storage/log_store.h"

namespace mayak {

class ForwardingLogStore : public LogStore {
 public:
  // `inner` must outlive this store.
  explicit ForwardingLogStore(LogStore* inner) : inner_(inner) {}

  void Append(std::vector<LogRecord> records, AppendDone done) override {
    inner_->Append(std::move(records), std::move(done));
  }
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

 protected:
  LogStore* inner() const { return inner_; }

 private:
  LogStore* inner_;
};

}  // namespace mayak
