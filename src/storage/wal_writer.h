// Appends entries to the write-ahead log with group commit: one thread writes
// whatever requests have queued while the previous fsync ran, syncs once, and
// then completes them all. Under load many requests share one fsync; when
// idle, a lone request is synced at once.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "storage/env.h"
#include "storage/wal_format.h"

namespace mayak {

struct WalWriterOptions {
  Env* env = Env::Default();
  std::string dir;
  uint64_t first_file_number = 1;  // always a new file: replay may have cut the last one
  uint64_t file_size_limit = 64ull << 20;
};

class WalWriter {
 public:
  // Called on the WAL thread once the entry is durable, or with the error that
  // kept it from being so (then nothing of it is left in the log).
  using Done = std::function<void(absl::Status)>;

  static absl::StatusOr<std::unique_ptr<WalWriter>> Open(const WalWriterOptions& options,
                                                         MetricsRegistry* metrics);
  ~WalWriter();
  WalWriter(const WalWriter&) = delete;
  WalWriter& operator=(const WalWriter&) = delete;

  void Append(wal::EntryType type, std::string payload, Done done);

  // Called on the WAL thread with the number of the file just closed, after
  // every entry appended before the Roll() call is durable and its Done has
  // run, and before any entry appended after it is written. The storage
  // engine swaps its memtable here, so that the closed files hold exactly
  // the records of the memtable it is about to flush.
  using RollDone = std::function<void(uint64_t closed_file, absl::Status)>;
  void Roll(RollDone done);

  // Removes the closed WAL files numbered <= `number` (their records are in
  // segments now).
  absl::Status RemoveFilesUpTo(uint64_t number);

  // Completes everything queued, then stops the thread. Appends after Close
  // fail with Unavailable.
  void Close();

  // Bytes in all WAL files.
  uint64_t TotalBytes() const { return total_bytes_.load(std::memory_order_relaxed); }

 private:
  struct Pending {
    wal::EntryType type;
    std::string payload;
    Done done;
    RollDone roll;  // set: a roll request, not an entry
  };

  WalWriter(WalWriterOptions options, MetricsRegistry* metrics);
  absl::Status OpenNewFile();
  void Run();
  // Writes and syncs one group; on failure the file is cut back to where the
  // group began, so a failed group leaves no trace.
  absl::Status WriteGroup(const std::string& buffer);
  // Writes group[begin, end) as one group commit and completes them.
  void CommitGroup(std::deque<Pending>& group, size_t begin, size_t end, std::string* buffer);

  const WalWriterOptions options_;
  Histogram* fsync_seconds_;
  Counter* written_bytes_;
  Counter* group_commits_;

  absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;

  // Owned by the WAL thread after Open().
  std::unique_ptr<WritableFile> file_;
  bool needs_new_file_ = false;  // a failed write may not have been undone durably
  uint64_t file_number_ = 0;
  std::atomic<uint64_t> total_bytes_{0};

  std::thread thread_;
};

}  // namespace mayak
