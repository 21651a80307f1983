// The embedded storage engine: records are made durable in the write-ahead
// log, collected in a memtable, and flushed to immutable columnar segments
// (docs/format/segment.md), one per partition — (system, UTC day) — per
// flush. The write order keeps every acknowledged record exactly once
// through a crash at any point:
//
//   WAL group commit -> ack -> (memtable full or old) WAL roll + memtable swap
//   -> segment write, fsync, rename -> manifest replace -> old WAL files removed
//
// A merge thread keeps the number of segments per partition small: it
// merges segments of similar size (MergeLoop), writes the result the same
// way, swaps it for its inputs in one manifest replace, then removes them.
//
// Searches read the segments (skipping those and the row groups outside the
// time range), the memtable being flushed, and the active memtable.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "storage/env.h"
#include "storage/log_store.h"
#include "storage/manifest.h"
#include "storage/retention.h"
#include "storage/row_order.h"
#include "storage/segment_reader.h"
#include "storage/wal_writer.h"

namespace mayak {

struct EmbeddedLogStoreOptions {
  Env* env = Env::Default();
  std::string dir;  // the data directory
  // What the store holds, "logs" or "spans": the directory under `dir` its
  // partitions are in (KIND/<system>/<day>/) and the kind Usage() reports.
  std::string kind = "logs";
  uint64_t wal_file_size = 64ull << 20;
  uint64_t memtable_bytes = 128ull << 20;      // flush when the memtable's records take this much
  int64_t flush_interval_ns = 60'000'000'000;  // ... or when its oldest record is this old
  size_t row_group_rows = 16384;
  // Threads a search or count reads row groups with; 0: one per core.
  size_t scan_threads = 0;
  // Background merges (see MergeLoop): a partition's segments of a size tier
  // are merged once there are this many (0 turns merging off). Eight, not
  // four: at 10M records a day, merges rewrote each record 1.9 times instead
  // of 2.2, and it is about log8 instead of log4 of a partition's growth.
  size_t merge_min_segments = 8;
  uint64_t merge_max_bytes = 2ull << 30;                // segments this big are left alone
  uint64_t merge_write_bytes_per_second = 100'000'000;  // 0: unlimited
  // Retention (see retention.h): the defaults, per-system overrides, and
  // how often the retention thread runs (0: only when RunRetention is called).
  RetentionPolicy retention;
  std::map<std::string, RetentionPolicy> retention_by_system;
  int64_t retention_interval_ns = 60'000'000'000;
  // When set, retention archives a partition with this before dropping it,
  // and keeps the partition when it fails. Partitions dropped for the cap
  // are archived too.
  std::function<absl::Status(const std::string& system, int64_t day,
                             const std::vector<SegmentEntry>& segments)>
      archive;
  // Deletes archived partitions past their archive days; once per retention
  // run, returning how many it deleted.
  std::function<absl::StatusOr<uint64_t>(int64_t now_ns)> expire_archive;
  // Archived partitions per system, for Usage(); asked once per retention run.
  std::function<absl::StatusOr<std::map<std::string, uint64_t>>()> archived_counts;
  // The wall clock in ns since the epoch; tests move it.
  std::function<int64_t()> clock;
};

class EmbeddedLogStore final : public LogStore {
 public:
  static absl::StatusOr<std::unique_ptr<EmbeddedLogStore>> Open(
      const EmbeddedLogStoreOptions& options, MetricsRegistry* metrics);
  ~EmbeddedLogStore() override;

  void Append(std::vector<LogRecord> records, AppendDone done) override;
  absl::StatusOr<SearchResult> Search(const SearchRequest& request) const override;
  absl::StatusOr<CountResult> Count(const CountRequest& request) const override;
  StoreStats Stats() const override;
  void Close() override;

  // Flushes the memtable to segments now and waits for it.
  absl::Status Flush();
  // Runs merges until none is due; for tests and `admin` tools.
  absl::Status MergeAll();
  // Drops the partitions retention says must go (see retention.h), now.
  absl::Status RunRetention();
  absl::Status RestorePartition(const std::string& system, int64_t day,
                                const std::vector<SegmentFetch>& segments) override;
  std::vector<SystemUsage> Usage() const override;
  FieldTypes Fields(int64_t from_ns, int64_t to_ns) const override;

 private:
  struct Segment {
    SegmentEntry entry;
    std::unique_ptr<SegmentReader> reader;
  };

  EmbeddedLogStore(EmbeddedLogStoreOptions options, MetricsRegistry* metrics);
  // What a search or count reads: the segments, the memtable waiting to be
  // flushed, and (by `on_active`, called under the lock) the active records.
  struct ScanSnapshot {
    std::vector<std::shared_ptr<const Segment>> segments;
    std::shared_ptr<const std::vector<LogRecord>> immutable;
  };
  ScanSnapshot Snapshot(const std::function<void(const LogRecord&)>& on_active) const;
  // Calls `fn(worker, segment, group, batch, match)` for each segment row
  // group that may hold records of [from, to] matching `filter`, with the
  // filter's columns and `columns` decoded and `match` set for the rows that
  // match. The batch has timestamps when `timestamps` says the group needs
  // them (null: none does), or the time range or the filter needs them. Row groups are read by
  // up to ScanWorkers() threads at once: `worker` (below ScanWorkers()) says
  // which, so `fn` can keep state per worker; calls with the same worker
  // never overlap. Skips (and counts) damaged groups.
  using RowGroupFn = std::function<void(size_t worker, const Segment&, size_t group,
                                        ColumnBatch* batch, const std::vector<uint8_t>& match)>;
  size_t ScanWorkers() const;
  // Stops with the budget's error (time, memory, client gone) when it runs
  // out before every row group is read.
  absl::Status ScanRowGroups(const std::vector<std::shared_ptr<const Segment>>& segments,
                             const Filter* filter, int64_t from_ns, int64_t to_ns,
                             const std::vector<std::string>& columns,
                             const std::function<bool(const segment::RowGroupMeta&)>& timestamps,
                             const RowGroupFn& fn, ScanPlan* plan,
                             const QueryBudget& budget = QueryBudget()) const;
  // Damage a search found in row group `group` of `segment`: the group is
  // quarantined (KnownDamaged), logged and counted once, and the segment is
  // never merged, so the damage is not copied on.
  void CountDamaged(const Segment& segment, size_t group, const absl::Status& status) const;
  bool KnownDamaged(const Segment& segment, size_t group) const;
  bool DamageFound(const Segment& segment) const;
  absl::Status Recover();
  void FlushLoop();
  // Remembers when a flush last failed (FlushLoop retries a second later).
  void NoteFlush(const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu_);
  // How long until a failed flush may be tried again (≤ 0: now).
  int64_t FlushRetryWaitNanos() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Swaps the active memtable out (rolling the WAL) unless one is already
  // waiting to be flushed, then writes it out. Runs on the flush thread or
  // in Flush(), serialized by flush_mu_.
  absl::Status FlushOnce() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  absl::Status WriteImmutable() ABSL_EXCLUSIVE_LOCKS_REQUIRED(flush_mu_);
  // True when the active memtable is full while the one before it is still
  // being flushed: appends then wait (held_) rather than grow memory.
  bool FlushBehind() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Sends the held appends on (status ok) or answers them with `status`.
  void ReleaseHeld(const absl::Status& status) ABSL_LOCKS_EXCLUDED(mu_);

  // Replaces segments in the manifest: adds `added`, drops the entries whose
  // paths are in `removed`, and records `wal_checkpoint` if given; then
  // publishes the change to searches. Flushes, merges and retention all
  // change the set of segments through here, one at a time. On failure the
  // files of `added` are removed, unless the MANIFEST on disk may still
  // name them (its rename done, a later step failed, and putting the old
  // one back failed too): then they go after the next change.
  absl::Status CommitSegments(const std::vector<std::shared_ptr<const Segment>>& added,
                              const std::set<std::string>& removed,
                              std::optional<uint64_t> wal_checkpoint)
      ABSL_LOCKS_EXCLUDED(manifest_mu_, mu_);
  void RemoveSegmentFiles(const std::vector<std::shared_ptr<const Segment>>& segments) const;
  uint64_t NewSegmentNumber() ABSL_LOCKS_EXCLUDED(mu_);
  // Opens a segment just written and describes it for the manifest
  // (restored_at_ns for one restored from the archive).
  absl::StatusOr<std::shared_ptr<const Segment>> OpenWritten(const std::string& relative,
                                                             const std::string& system, int64_t day,
                                                             int64_t restored_at_ns = 0);

  void MergeLoop();
  void RetentionLoop();
  RetentionPolicy PolicyFor(const std::string& system) const;
  // A partition's directory, relative to the data directory.
  std::string PartitionDir(const std::string& system, int64_t day) const;
  int64_t Now() const;
  // Spans lie by trace in their segments, logs by service and time.
  RowOrder row_order() const {
    return options_.kind == "spans" ? RowOrder::kTrace : RowOrder::kServiceTime;
  }
  // The segments of the next merge due (empty when none is).
  // Marks them as merging so no other merge takes them.
  std::vector<std::shared_ptr<const Segment>> PickMerge() ABSL_LOCKS_EXCLUDED(mu_);
  // Merges `inputs` (one partition) into one segment; returns whether it did.
  absl::Status MergeOnce(const std::vector<std::shared_ptr<const Segment>>& inputs);

  const EmbeddedLogStoreOptions options_;
  Counter* flushes_;
  Counter* flush_failures_;
  Counter* held_appends_;
  Counter* read_errors_;
  Counter* corrupt_segments_;
  Counter* groups_skipped_;  // row groups a search ruled out by footer and filters
  Counter* groups_read_;

  Counter* merges_;
  Counter* merge_failures_;
  Counter* retention_dropped_age_;
  Counter* retention_dropped_cap_;
  Counter* retention_dropped_restored_;
  Counter* retention_dropped_bytes_;
  Counter* archived_partitions_;
  Counter* archive_failures_;

  std::unique_ptr<WalWriter> wal_;
  absl::Mutex flush_mu_;     // one flush at a time
  absl::Mutex manifest_mu_;  // one manifest change at a time (acquired after flush_mu_)
  std::atomic<bool> cancel_merge_{false};

  mutable absl::Mutex mu_;
  std::vector<LogRecord> active_ ABSL_GUARDED_BY(mu_);
  uint64_t active_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t active_since_ns_ ABSL_GUARDED_BY(mu_) = 0;     // steady clock of its first record
  int64_t flush_failed_at_ns_ ABSL_GUARDED_BY(mu_) = 0;  // steady clock; 0 after a success
  std::shared_ptr<const std::vector<LogRecord>> immutable_ ABSL_GUARDED_BY(mu_);
  uint64_t immutable_wal_checkpoint_ ABSL_GUARDED_BY(mu_) = 0;
  struct HeldAppend {
    std::vector<LogRecord> records;
    AppendDone done;
  };
  std::vector<HeldAppend> held_ ABSL_GUARDED_BY(mu_);
  Manifest manifest_ ABSL_GUARDED_BY(mu_);
  std::vector<std::shared_ptr<const Segment>> segments_ ABSL_GUARDED_BY(mu_);
  // Named by the manifest, found damaged at start-up: not served, on disk
  // until retention drops their partition.
  std::vector<SegmentEntry> quarantined_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool merge_wanted_ ABSL_GUARDED_BY(mu_) = true;  // segments changed since the last look
  std::set<std::string> merge_excluded_ ABSL_GUARDED_BY(mu_);  // damaged inputs of merges
  std::set<std::string> merging_ ABSL_GUARDED_BY(mu_);         // inputs of merges under way
  std::map<std::string, RetentionRun> last_retention_ ABSL_GUARDED_BY(mu_);  // by system
  std::map<std::string, uint64_t> archived_counts_ ABSL_GUARDED_BY(mu_);

  // Files of failed changes that a MANIFEST on disk may name (CommitSegments).
  std::vector<std::shared_ptr<const Segment>> maybe_named_ ABSL_GUARDED_BY(manifest_mu_);
  // Row groups searches found damaged, by segment path. Searches run
  // without mu_, hence a lock of their own (taken after mu_, never before).
  mutable absl::Mutex damaged_mu_;
  mutable std::map<std::string, std::set<size_t>> damaged_groups_ ABSL_GUARDED_BY(damaged_mu_);
  // When a read error of a segment was last logged (steady clock).
  mutable std::map<std::string, int64_t> read_error_logged_ns_ ABSL_GUARDED_BY(damaged_mu_);

  std::thread flush_thread_;
  std::thread merge_thread_;
  std::thread retention_thread_;
};

}  // namespace mayak
