// The foundation's LogStore: the write-ahead log is the durable copy, and an
// in-memory table of every record serves searches. Replaying the log at
// start-up rebuilds the table. The storage engine (columnar segments) takes
// its place behind the same interface; this one stays as the reference
// implementation for tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "storage/env.h"
#include "storage/log_store.h"
#include "storage/wal_writer.h"

namespace mayak {

struct WalLogStoreOptions {
  Env* env = Env::Default();
  std::string dir;  // the data directory; the WAL lives in dir/wal
  uint64_t wal_file_size = 64ull << 20;
};

class WalLogStore final : public LogStore {
 public:
  // Replays the WAL, then opens it for appending.
  static absl::StatusOr<std::unique_ptr<WalLogStore>> Open(const WalLogStoreOptions& options,
                                                           MetricsRegistry* metrics);
  ~WalLogStore() override;

  void Append(std::vector<LogRecord> records, AppendDone done) override;
  absl::StatusOr<SearchResult> Search(const SearchRequest& request) const override;
  StoreStats Stats() const override;
  void Close() override;

 private:
  WalLogStore() = default;

  std::unique_ptr<WalWriter> wal_;
  mutable absl::Mutex mu_;
  std::vector<LogRecord> records_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mayak
