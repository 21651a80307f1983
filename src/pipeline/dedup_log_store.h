// A LogStore in front of another that stores a record carrying an event id
// (the attribute `_id`, which `mayak agent` and Elasticsearch clients send)
// at most once among the last `window` ids it stored: a shipper that resends
// a batch whose reply it never saw (after a crash, a timeout, a dropped
// connection) does not make the records appear twice. The id itself is not
// stored. Ids are remembered by their 64-bit hash, in memory and, with a
// journal, on disk: then the window survives a restart or a crash.
//
// A request whose ids are still being stored by another request is refused
// with Unavailable (503, retry): storing it could duplicate the records, and
// dropping them could lose them if the other request then fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "pipeline/dedup_journal.h"
#include "storage/forwarding_log_store.h"

namespace mayak {

// The attribute that carries an event id.
inline constexpr std::string_view kEventIdAttribute = "_id";

class DedupLogStore : public ForwardingLogStore {
 public:
  // `inner`, `metrics` and `journal` (may be null: memory only) must
  // outlive this store; `window` >= 1. Starts with the journal's ids.
  DedupLogStore(LogStore* inner, size_t window, MetricsRegistry* metrics,
                DedupJournal* journal = nullptr);

  void Append(std::vector<LogRecord> records, AppendDone done) override;

 private:
  enum class IdState : uint8_t { kPending, kStored };

  // Marks `ids` stored (ok) or forgets them (failed), then evicts the
  // oldest stored ids beyond the window.
  void Finish(const absl::flat_hash_set<uint64_t>& ids, bool stored);
  // Writes newly stored ids to the journal (a failure is logged once).
  void Journal(const std::vector<uint64_t>& ids) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const size_t window_;
  Counter* duplicates_;
  Counter* conflicts_;
  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, IdState> ids_ ABSL_GUARDED_BY(mu_);
  std::deque<uint64_t> stored_order_ ABSL_GUARDED_BY(mu_);  // oldest first
  DedupJournal* const journal_;
  bool journal_failed_ ABSL_GUARDED_BY(mu_) = false;  // logged until it works again
  // While the journal fails, it is rewritten whole at most once a second
  // (each try writes the window, megabytes, under mu_).
  std::chrono::steady_clock::time_point last_rewrite_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mayak
