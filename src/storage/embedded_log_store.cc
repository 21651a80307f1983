#include "storage/embedded_log_store.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "common/timestamps.h"
#include "storage/batch_filter.h"
#include "storage/count_aggregator.h"
#include "storage/record_codec.h"
#include "storage/row_group_pruner.h"
#include "storage/segment_merger.h"
#include "storage/segment_writer.h"
#include "storage/wal_reader.h"

namespace mayak {
namespace {

int64_t SteadyNowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string SegmentFileName(uint64_t number) { return absl::StrFormat("%08d.seg", number); }

// The newest (or oldest) `limit` matches, and how many matched in all.
class TopHits {
 public:
  TopHits(size_t limit, bool oldest_first) : limit_(limit), oldest_first_(oldest_first) {}

  // Whether a match at `a` comes before one at `b` in the hits.
  bool Before(int64_t a, int64_t b) const { return oldest_first_ ? a < b : a > b; }

  // Whether a match at `ts` would be among the hits kept.
  bool WouldKeep(int64_t ts) const {
    return limit_ > 0 && (heap_.size() < limit_ || Before(ts, heap_.front().timestamp_ns));
  }
  // Counts matches that are not kept (see WouldKeep).
  void CountOnly(uint64_t n = 1) { total_ += n; }

  void Offer(LogRecord&& record) {
    ++total_;
    if (limit_ == 0) return;
    const auto last_kept_on_top = [this](const LogRecord& a, const LogRecord& b) {
      return Before(a.timestamp_ns, b.timestamp_ns);
    };
    if (heap_.size() < limit_) {
      heap_.push_back(std::move(record));
      std::push_heap(heap_.begin(), heap_.end(), last_kept_on_top);
    } else if (Before(record.timestamp_ns, heap_.front().timestamp_ns)) {
      std::pop_heap(heap_.begin(), heap_.end(), last_kept_on_top);
      heap_.back() = std::move(record);
      std::push_heap(heap_.begin(), heap_.end(), last_kept_on_top);
    }
  }

  // Takes in another's hits and count.
  void Merge(TopHits&& other) {
    total_ += other.total_ - other.heap_.size();  // Offer counts the kept ones again
    for (LogRecord& r : other.heap_) Offer(std::move(r));
  }

  SearchResult Finish() && {
    std::sort(heap_.begin(), heap_.end(), [this](const LogRecord& a, const LogRecord& b) {
      return Before(a.timestamp_ns, b.timestamp_ns);
    });
    return {std::move(heap_), total_, {}};
  }

 private:
  size_t limit_;
  bool oldest_first_;
  uint64_t total_ = 0;
  std::vector<LogRecord> heap_;
};

// Row groups per scan thread: fewer (a needle's) are read on one thread.
constexpr size_t kRowGroupsPerScanThread = 4;

// In the request's time range and matching its filter (SearchRequest, CountRequest).
template <typename Request>
bool Wanted(const LogRecord& r, const Request& request) {
  return r.timestamp_ns >= request.from_ns && r.timestamp_ns <= request.to_ns &&
         (request.filter == nullptr || request.filter->Matches(r));
}

}  // namespace

std::string EmbeddedLogStore::PartitionDir(const std::string& system, int64_t day) const {
  return StrCat(options_.kind, "/", system, "/", DayName(day));
}

EmbeddedLogStore::EmbeddedLogStore(EmbeddedLogStoreOptions options, MetricsRegistry* metrics)
    : options_(std::move(options)),
      flushes_(metrics->GetCounter("mayak_storage_flushes_total", "Memtable flushes to segments.")),
      flush_failures_(metrics->GetCounter("mayak_storage_flush_failures_total",
                                          "Flushes that failed and will be retried.")),
      held_appends_(metrics->GetCounter(
          "mayak_storage_held_appends_total",
          "Ingest requests held back until a flush made room (records arrive faster than "
          "they are written to segments).")),
      read_errors_(metrics->GetCounter(
          "mayak_storage_read_errors_total",
          "Row groups a search could not read for an I/O error (not damage: read again by the "
          "next search).")),
      corrupt_segments_(metrics->GetCounter(
          "mayak_storage_corrupt_blocks_total",
          "Segment blocks whose checksum or structure was found damaged (not served).")),
      groups_skipped_(metrics->GetCounter(
          "mayak_search_row_groups_total",
          "Row groups searches considered, by whether they were read or skipped (time range, "
          "Bloom filters, number ranges).",
          {{"result", "skipped"}})),
      groups_read_(metrics->GetCounter("mayak_search_row_groups_total", "", {{"result", "read"}})),
      merges_(metrics->GetCounter("mayak_storage_merges_total",
                                  "Background merges of a partition's segments into one.")),
      merge_failures_(
          metrics->GetCounter("mayak_storage_merge_failures_total",
                              "Merges that failed (retried later, or never for a damaged input).")),
      retention_dropped_age_(metrics->GetCounter(
          "mayak_retention_dropped_partitions_total",
          "Partitions retention dropped, by reason: age (past hot_days), cap (system over "
          "its size cap) or restored (a restored partition's restored_days are over).",
          {{"reason", "age"}})),
      retention_dropped_cap_(
          metrics->GetCounter("mayak_retention_dropped_partitions_total", "", {{"reason", "cap"}})),
      retention_dropped_restored_(metrics->GetCounter("mayak_retention_dropped_partitions_total",
                                                      "", {{"reason", "restored"}})),
      retention_dropped_bytes_(metrics->GetCounter("mayak_retention_dropped_bytes_total",
                                                   "Segment bytes retention dropped.")),
      archived_partitions_(metrics->GetCounter("mayak_archive_partitions_total",
                                               "Partitions archived to object storage.")),
      archive_failures_(metrics->GetCounter(
          "mayak_archive_failures_total",
          "Partitions whose archiving failed (kept locally and retried at the next run).")) {}

absl::StatusOr<std::unique_ptr<EmbeddedLogStore>> EmbeddedLogStore::Open(
    const EmbeddedLogStoreOptions& options, MetricsRegistry* metrics) {
  std::unique_ptr<EmbeddedLogStore> store(new EmbeddedLogStore(options, metrics));
  RETURN_IF_ERROR(store->Recover());
  WalWriterOptions wal_options;
  wal_options.env = options.env;
  wal_options.dir = StrCat(options.dir, "/wal");
  wal_options.file_size_limit = options.wal_file_size;
  {
    absl::MutexLock lock(&store->mu_);
    uint64_t last = store->manifest_.wal_checkpoint;
    for (uint64_t n : ListWalFiles(options.env, wal_options.dir)) last = std::max(last, n);
    wal_options.first_file_number = last + 1;
  }
  auto wal = WalWriter::Open(wal_options, metrics);
  if (!wal.ok()) return wal.status();
  store->wal_ = *std::move(wal);
  store->flush_thread_ = std::thread([s = store.get()] { s->FlushLoop(); });
  store->merge_thread_ = std::thread([s = store.get()] { s->MergeLoop(); });
  if (options.retention_interval_ns > 0) {
    store->retention_thread_ = std::thread([s = store.get()] { s->RetentionLoop(); });
  }
  return store;
}

absl::Status EmbeddedLogStore::Recover() {
  Env* env = options_.env;
  const std::string wal_dir = StrCat(options_.dir, "/wal");
  RETURN_IF_ERROR(env->CreateDirs(wal_dir));
  const bool has_manifest = env->FileSize(StrCat(options_.dir, "/MANIFEST")).ok();
  auto manifest = ReadManifest(env, options_.dir);
  if (!manifest.ok()) return manifest.status();

  // Segments a crash left behind before the manifest named them, and
  // half-written files, hold nothing the WAL does not: remove them.
  std::set<std::string> live;
  for (const SegmentEntry& s : manifest->segments) live.insert(s.path);
  std::error_code ec;
  const std::filesystem::path logs = std::filesystem::path(options_.dir) / options_.kind;
  std::vector<std::string> orphans;
  for (auto it = std::filesystem::recursive_directory_iterator(logs, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string relative = std::filesystem::relative(it->path(), options_.dir).string();
    if (!live.contains(relative)) orphans.push_back(it->path().string());
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    // A listing cut short would leave orphans, or (without a MANIFEST) hide
    // segments from the check below.
    return absl::UnavailableError(
        StrCat("cannot list ", logs.string(), ": ", ec.message(), "; nothing was changed"));
  }
  const std::vector<uint64_t> wal_files = ListWalFiles(env, wal_dir);
  // WAL file 1 is deleted by the first flush that completes: while it is
  // there, no flush ever did, and segments without a MANIFEST are what a
  // crash in that first flush left (by a mayak that wrote no MANIFEST
  // before its first segment), their records all in the WAL.
  const bool never_flushed =
      std::find(wal_files.begin(), wal_files.end(), uint64_t{1}) != wal_files.end();
  if (!has_manifest && !orphans.empty() && !never_flushed) {
    // A store writes its MANIFEST before its first segment, so these are
    // not a crash's leftovers: the MANIFEST itself was lost. Deleting them
    // as orphans would delete everything.
    return absl::FailedPreconditionError(
        StrCat(options_.dir, "/MANIFEST is missing but ", logs.string(), " holds ", orphans.size(),
               " files (such as ", orphans.front(),
               "); nothing was deleted. Restore the MANIFEST from a backup, or move ",
               logs.string(), " aside to start without those records"));
  }
  if (!has_manifest) RETURN_IF_ERROR(WriteManifest(env, options_.dir, *manifest));
  for (const std::string& orphan : orphans) {
    LogWarn("storage: removing a file no manifest names (left by a crash)", {{"file", orphan}});
    if (absl::Status s = env->RemoveFile(orphan); !s.ok()) {
      LogWarn("storage: cannot remove", {{"error", std::string(StatusMessage(s))}});
    }
  }

  std::vector<std::shared_ptr<const Segment>> segments;
  std::vector<SegmentEntry> quarantined;
  for (const SegmentEntry& entry : manifest->segments) {
    auto reader = SegmentReader::Open(env, StrCat(options_.dir, "/", entry.path));
    if (!reader.ok() && !absl::IsDataLoss(reader.status())) {
      // Not damage: a failing disk, too many open files, a segment of a
      // newer mayak. Serving without it would hide its records, and
      // retention would later take it for damage: the start stops instead.
      return {reader.status().code(),
              StrCat("cannot open segment ", entry.path, ": ", StatusMessage(reader.status()),
                     "; nothing was changed")};
    }
    if (!reader.ok()) {
      corrupt_segments_->Add();
      LogError("storage: segment quarantined, not served",
               {{"segment", entry.path}, {"error", std::string(StatusMessage(reader.status()))}});
      quarantined.push_back(entry);
      continue;
    }
    segments.push_back(std::make_shared<const Segment>(Segment{entry, *std::move(reader)}));
  }

  // WAL files at or below the checkpoint are in segments already.
  for (uint64_t n : ListWalFiles(env, wal_dir)) {
    if (n <= manifest->wal_checkpoint) {
      RETURN_IF_ERROR(env->RemoveFile(StrCat(wal_dir, "/", wal::FileName(n))));
    }
  }
  WalReplayStats stats;
  std::vector<LogRecord> records;
  uint64_t bytes = 0;
  RETURN_IF_ERROR(ReplayWal(
      env, wal_dir,
      [&records, &bytes](wal::EntryType, std::string_view payload) -> absl::Status {
        auto batch = DecodeRecordBatch(payload);
        if (!batch.ok()) return batch.status();
        for (const LogRecord& r : *batch) bytes += MemoryFootprint(r);
        std::move(batch->begin(), batch->end(), std::back_inserter(records));
        return absl::OkStatus();
      },
      &stats));
  LogInfo("storage: recovered", {{"segments", segments.size()},
                                 {"wal_files", stats.files},
                                 {"wal_records", records.size()},
                                 {"truncated_tail_bytes", stats.truncated_tail_bytes}});
  absl::MutexLock lock(&mu_);
  manifest_ = *std::move(manifest);
  segments_ = std::move(segments);
  quarantined_ = std::move(quarantined);
  active_ = std::move(records);
  active_bytes_ = bytes;
  active_since_ns_ = SteadyNowNanos();
  return absl::OkStatus();
}

EmbeddedLogStore::~EmbeddedLogStore() { Close(); }

bool EmbeddedLogStore::FlushBehind() const {
  return immutable_ != nullptr && active_bytes_ >= options_.memtable_bytes;
}

void EmbeddedLogStore::ReleaseHeld(const absl::Status& status) {
  std::vector<HeldAppend> held;
  {
    absl::MutexLock lock(&mu_);
    held.swap(held_);
  }
  for (HeldAppend& h : held) {
    if (status.ok()) {
      Append(std::move(h.records), std::move(h.done));
    } else {
      h.done(status);
    }
  }
}

void EmbeddedLogStore::Append(std::vector<LogRecord> records, AppendDone done) {
  {
    // Memory stays bounded when ingest outruns flushing: the request waits
    // (its sender with it) until the flush under way is done. Nothing is
    // written to the WAL, so nothing is acknowledged, before then.
    absl::MutexLock lock(&mu_);
    if (!closing_ && FlushBehind()) {
      held_appends_->Add();
      held_.push_back({std::move(records), std::move(done)});
      return;
    }
  }
  uint64_t bytes = 0;  // what the records will hold in the memtable
  for (const LogRecord& r : records) bytes += MemoryFootprint(r);
  // Their encoding is smaller than their footprint: reserved once, the
  // payload is not copied again at every doubling (4% of ingest's CPU).
  std::string payload;
  payload.reserve(bytes);
  EncodeRecordBatch(records, &payload);
  wal_->Append(wal::EntryType::kLogBatch, std::move(payload),
               [this, bytes, records = std::move(records),
                done = std::move(done)](absl::Status status) mutable {
                 if (status.ok()) {
                   absl::MutexLock lock(&mu_);
                   if (active_.empty()) active_since_ns_ = SteadyNowNanos();
                   std::move(records.begin(), records.end(), std::back_inserter(active_));
                   active_bytes_ += bytes;
                 }
                 done(status);
               });
}

void EmbeddedLogStore::FlushLoop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      const auto due = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return closing_ || active_bytes_ >= options_.memtable_bytes || immutable_ != nullptr;
      };
      mu_.AwaitWithTimeout(
          absl::Condition(&due),
          absl::Nanoseconds(std::min<int64_t>(options_.flush_interval_ns, kNanosPerSecond)));
      if (closing_) return;
      // A failed flush (here or an explicit Flush) is retried a second later,
      // not at once: the disk that refused it is given time.
      if (const int64_t wait = FlushRetryWaitNanos(); wait > 0) {
        mu_.AwaitWithTimeout(absl::Condition(&closing_), absl::Nanoseconds(wait));
        continue;
      }
      const bool aged =
          !active_.empty() && SteadyNowNanos() - active_since_ns_ >= options_.flush_interval_ns;
      if (!due() && !aged) continue;
    }
    absl::Status status;
    {
      absl::MutexLock flush_lock(&flush_mu_);
      {
        absl::MutexLock lock(&mu_);
        if (FlushRetryWaitNanos() > 0) continue;  // an explicit Flush failed meanwhile
      }
      status = FlushOnce();
      NoteFlush(status);
    }
    if (!status.ok()) {
      flush_failures_->Add();
      // Held requests are answered now (503, retry later) rather than kept
      // waiting for a disk that may not come back soon.
      ReleaseHeld(absl::UnavailableError(
          StrCat("the memtable is full and cannot be flushed: ", StatusMessage(status))));
      LogError("storage: flush failed; will retry (records stay in the WAL and searchable)",
               {{"error", std::string(StatusMessage(status))}});
    }
  }
}

int64_t EmbeddedLogStore::FlushRetryWaitNanos() const {
  if (flush_failed_at_ns_ == 0) return 0;
  return flush_failed_at_ns_ + kNanosPerSecond - SteadyNowNanos();
}

void EmbeddedLogStore::NoteFlush(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  flush_failed_at_ns_ = status.ok() ? 0 : SteadyNowNanos();
}

absl::Status EmbeddedLogStore::Flush() {
  absl::MutexLock flush_lock(&flush_mu_);
  absl::Status status = FlushOnce();
  NoteFlush(status);  // before flush_mu_ is free: FlushLoop may be waiting for it
  return status;
}

absl::Status EmbeddedLogStore::FlushOnce() {
  bool need_roll = false;
  {
    absl::MutexLock lock(&mu_);
    if (immutable_ == nullptr && active_.empty()) return absl::OkStatus();
    need_roll = immutable_ == nullptr;
  }
  if (need_roll) {
    std::promise<absl::Status> rolled;
    wal_->Roll([this, &rolled](uint64_t closed, absl::Status status) {
      if (status.ok()) {
        // On the WAL thread, between group commits: the closed files hold
        // exactly the records of the memtable swapped out here.
        absl::MutexLock lock(&mu_);
        immutable_ = std::make_shared<const std::vector<LogRecord>>(std::move(active_));
        active_.clear();
        active_bytes_ = 0;
        immutable_wal_checkpoint_ = closed;
      }
      rolled.set_value(status);
    });
    RETURN_IF_ERROR(rolled.get_future().get());
  }
  return WriteImmutable();
}

uint64_t EmbeddedLogStore::NewSegmentNumber() {
  // Numbers handed out are persisted with the next manifest; a crash before
  // that leaves only orphans, which start-up removes before reusing them.
  absl::MutexLock lock(&mu_);
  return manifest_.next_segment_number++;
}

absl::StatusOr<std::shared_ptr<const EmbeddedLogStore::Segment>> EmbeddedLogStore::OpenWritten(
    const std::string& relative, const std::string& system, int64_t day, int64_t restored_at_ns) {
  auto reader = SegmentReader::Open(options_.env, StrCat(options_.dir, "/", relative));
  if (!reader.ok()) return reader.status();
  const segment::Footer& footer = (*reader)->footer();
  SegmentEntry entry{
      relative,      system, day, footer.rows, footer.min_ts, footer.max_ts, (*reader)->file_size(),
      restored_at_ns};
  return std::make_shared<const Segment>(Segment{std::move(entry), *std::move(reader)});
}

void EmbeddedLogStore::RemoveSegmentFiles(
    const std::vector<std::shared_ptr<const Segment>>& segments) const {
  for (const auto& s : segments) {
    if (!options_.env->RemoveFile(StrCat(options_.dir, "/", s->entry.path)).ok()) {
      // Start-up removes what no manifest names.
    }
  }
}

absl::Status EmbeddedLogStore::CommitSegments(
    const std::vector<std::shared_ptr<const Segment>>& added, const std::set<std::string>& removed,
    std::optional<uint64_t> wal_checkpoint) {
  absl::MutexLock manifest_lock(&manifest_mu_);
  Manifest next;
  {
    absl::MutexLock lock(&mu_);
    next = manifest_;
  }
  const Manifest previous = next;
  const size_t before = next.segments.size();
  std::erase_if(next.segments,
                [&removed](const SegmentEntry& e) { return removed.contains(e.path); });
  if (before - next.segments.size() != removed.size()) {
    // Another change (retention) dropped a segment this one replaces.
    return absl::AbortedError("the segments to replace are no longer all live");
  }
  for (const auto& s : added) next.segments.push_back(s->entry);
  if (wal_checkpoint) next.wal_checkpoint = *wal_checkpoint;
  bool renamed = false;
  if (absl::Status written = WriteManifest(options_.env, options_.dir, next, &renamed);
      !written.ok()) {
    // After the rename, the new MANIFEST may be in place (the directory's
    // fsync failed): the old one is put back, so that the disk names what
    // memory holds. Unless that fully succeeds, removing the added files
    // could lose their records at the next start: they are kept, and
    // removed after the next change, whose MANIFEST cannot name them.
    const absl::Status undone =
        renamed ? WriteManifest(options_.env, options_.dir, previous) : absl::OkStatus();
    if (undone.ok()) {
      RemoveSegmentFiles(added);
    } else {
      maybe_named_.insert(maybe_named_.end(), added.begin(), added.end());
      LogError("storage: the MANIFEST may name a change that failed; its files are kept",
               {{"error", std::string(StatusMessage(written))},
                {"undo_error", std::string(StatusMessage(undone))}});
    }
    return written;
  }
  RemoveSegmentFiles(maybe_named_);
  maybe_named_.clear();
  absl::MutexLock lock(&mu_);
  // Segment numbers handed out while the manifest was being written.
  next.next_segment_number = std::max(next.next_segment_number, manifest_.next_segment_number);
  manifest_ = std::move(next);
  std::erase_if(segments_, [&removed](const std::shared_ptr<const Segment>& s) {
    return removed.contains(s->entry.path);
  });
  std::erase_if(quarantined_,
                [&removed](const SegmentEntry& e) { return removed.contains(e.path); });
  {
    absl::MutexLock damaged_lock(&damaged_mu_);  // (after mu_, as everywhere)
    for (const std::string& path : removed) {
      damaged_groups_.erase(path);
      read_error_logged_ns_.erase(path);
    }
  }
  segments_.insert(segments_.end(), added.begin(), added.end());
  merge_wanted_ = true;
  return absl::OkStatus();
}

absl::Status EmbeddedLogStore::WriteImmutable() {
  std::shared_ptr<const std::vector<LogRecord>> records;
  uint64_t checkpoint = 0;
  {
    absl::MutexLock lock(&mu_);
    records = immutable_;
    checkpoint = immutable_wal_checkpoint_;
  }
  if (records == nullptr) return absl::OkStatus();
  // Rows by partition, pointing into the memtable (no copies).
  std::map<std::pair<std::string, int64_t>, std::vector<const LogRecord*>> partitions;
  for (const LogRecord& r : *records) partitions[{r.system, DayOf(r.timestamp_ns)}].push_back(&r);

  Env* env = options_.env;
  std::vector<std::shared_ptr<const Segment>> created;
  const auto undo = [&created, this] { RemoveSegmentFiles(created); };
  for (auto& [key, rows] : partitions) {
    const auto& [system, day] = key;
    const std::string relative_dir = PartitionDir(system, day);
    const std::string relative = StrCat(relative_dir, "/", SegmentFileName(NewSegmentNumber()));
    absl::Status status = env->CreateDirs(StrCat(options_.dir, "/", relative_dir));
    SegmentWriterOptions writer_options;
    writer_options.row_group_rows = options_.row_group_rows;
    writer_options.row_order = row_order();
    if (status.ok()) {
      status =
          WriteSegment(env, StrCat(options_.dir, "/", relative), std::move(rows), writer_options)
              .status();
    }
    absl::StatusOr<std::shared_ptr<const Segment>> segment =
        status.ok() ? OpenWritten(relative, system, day) : status;
    if (!segment.ok()) {
      undo();
      return segment.status();
    }
    created.push_back(*std::move(segment));
  }
  RETURN_IF_ERROR(CommitSegments(created, {}, checkpoint));  // (its files removed on failure)
  {
    absl::MutexLock lock(&mu_);
    immutable_.reset();
  }
  flushes_->Add();
  ReleaseHeld(absl::OkStatus());
  if (absl::Status status = wal_->RemoveFilesUpTo(checkpoint); !status.ok()) {
    // Harmless: start-up skips and removes files at or below the checkpoint.
    LogWarn("storage: cannot remove flushed WAL files",
            {{"error", std::string(StatusMessage(status))}});
  }
  return absl::OkStatus();
}

void EmbeddedLogStore::MergeLoop() {
  // Merges can always wait: on a busy machine ingest and searches get the CPU
  // first (Linux applies a nice value to the calling thread alone).
  if (::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10) != 0) {
    LogWarn("storage: cannot lower the merge thread's priority");
  }
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      const auto due = [this]()
                           ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return closing_ || merge_wanted_; };
      mu_.Await(absl::Condition(&due));
      if (closing_) return;
      merge_wanted_ = false;
    }
    for (;;) {
      const std::vector<std::shared_ptr<const Segment>> inputs = PickMerge();
      if (inputs.empty()) break;
      const absl::Status status = MergeOnce(inputs);
      if (status.ok() || absl::IsAborted(status)) continue;
      if (absl::IsCancelled(status)) return;
      merge_failures_->Add();
      LogError("storage: merge failed; its segments stay as they are",
               {{"partition", PartitionDir(inputs[0]->entry.system, inputs[0]->entry.day)},
                {"error", std::string(StatusMessage(status))}});
      absl::MutexLock lock(&mu_);
      if (absl::IsDataLoss(status)) {
        // A damaged input: never merged again (searches skip its bad groups).
        for (const auto& s : inputs) merge_excluded_.insert(s->entry.path);
      } else {
        // Disk full or an I/O error: try again shortly.
        mu_.AwaitWithTimeout(absl::Condition(&closing_), absl::Seconds(1));
        merge_wanted_ = true;
        break;
      }
    }
  }
}

absl::Status EmbeddedLogStore::MergeAll() {
  for (;;) {
    const std::vector<std::shared_ptr<const Segment>> inputs = PickMerge();
    if (!inputs.empty()) {
      RETURN_IF_ERROR(MergeOnce(inputs));
      continue;
    }
    // Nothing to pick: done once the merge thread's merge (if any) is.
    absl::MutexLock lock(&mu_);
    if (merging_.empty()) return absl::OkStatus();
    const auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return merging_.empty(); };
    mu_.Await(absl::Condition(&idle));
  }
}

std::vector<std::shared_ptr<const EmbeddedLogStore::Segment>> EmbeddedLogStore::PickMerge() {
  if (options_.merge_min_segments < 2) return {};
  // Size tiers: up to 8 MiB is tier 0, then each tier is 4x the one below.
  // A merge of merge_min_segments (8 by default) segments of one tier lands
  // a tier or two higher, so every row is rewritten about
  // log_min_segments(partition / 8 MiB) times in all.
  const auto tier = [](uint64_t bytes) {
    int t = 0;
    for (uint64_t limit = 8ull << 20; bytes > limit && t < 32; limit *= 4) ++t;
    return t;
  };
  constexpr size_t kMaxInputs = 16;
  std::map<std::tuple<std::string, int64_t, int>, std::vector<std::shared_ptr<const Segment>>>
      tiers;
  absl::MutexLock lock(&mu_);
  for (const auto& s : segments_) {
    if (s->entry.bytes >= options_.merge_max_bytes || merge_excluded_.contains(s->entry.path) ||
        merging_.contains(s->entry.path) || DamageFound(*s)) {
      continue;
    }
    tiers[{s->entry.system, s->entry.day, tier(s->entry.bytes)}].push_back(s);
  }
  for (auto& [key, segments] : tiers) {
    if (segments.size() < options_.merge_min_segments) continue;
    std::sort(segments.begin(), segments.end(),
              [](const auto& a, const auto& b) { return a->entry.bytes < b->entry.bytes; });
    if (segments.size() > kMaxInputs) segments.resize(kMaxInputs);
    for (const auto& s : segments) merging_.insert(s->entry.path);
    return segments;
  }
  return {};
}

absl::Status EmbeddedLogStore::MergeOnce(
    const std::vector<std::shared_ptr<const Segment>>& inputs) {
  const auto start = std::chrono::steady_clock::now();
  struct Done {  // the inputs are free for other merges again, whatever happens
    EmbeddedLogStore* store;
    const std::vector<std::shared_ptr<const Segment>>& inputs;
    ~Done() {
      absl::MutexLock lock(&store->mu_);
      for (const auto& s : inputs) store->merging_.erase(s->entry.path);
    }
  } done{this, inputs};
  const std::string& system = inputs[0]->entry.system;
  const int64_t day = inputs[0]->entry.day;
  const std::string relative =
      StrCat(PartitionDir(system, day), "/", SegmentFileName(NewSegmentNumber()));
  std::vector<const SegmentReader*> readers;
  std::set<std::string> removed;
  uint64_t input_bytes = 0;
  // Restored segments merged stay restored (the archive has their records):
  // a merge must not send a restored day to the archive a second time.
  int64_t restored_at_ns = 0;
  bool all_restored = true;
  for (const auto& s : inputs) {
    readers.push_back(s->reader.get());
    removed.insert(s->entry.path);
    input_bytes += s->entry.bytes;
    all_restored = all_restored && s->entry.restored_at_ns > 0;
    restored_at_ns = std::max(restored_at_ns, s->entry.restored_at_ns);
  }
  if (!all_restored) restored_at_ns = 0;
  MergeOptions merge_options;
  merge_options.writer.row_group_rows = options_.row_group_rows;
  merge_options.writer.row_order = row_order();
  merge_options.write_bytes_per_second = options_.merge_write_bytes_per_second;
  merge_options.cancel = &cancel_merge_;
  const std::string path = StrCat(options_.dir, "/", relative);
  auto merge = MergeSegments(options_.env, readers, path, merge_options);
  if (!merge.ok()) return merge.status();
  auto merged = OpenWritten(relative, system, day, restored_at_ns);
  if (!merged.ok()) {
    if (!options_.env->RemoveFile(path).ok()) {
      // Start-up removes what no manifest names.
    }
    return merged.status();
  }
  RETURN_IF_ERROR(CommitSegments({*merged}, removed, std::nullopt));
  merges_->Add();
  for (const std::string& input : removed) {
    // Searches that still hold an input keep reading it through their open file.
    if (absl::Status s = options_.env->RemoveFile(StrCat(options_.dir, "/", input)); !s.ok()) {
      LogWarn("storage: cannot remove a merged segment; start-up will",
              {{"segment", input}, {"error", std::string(StatusMessage(s))}});
    }
  }
  LogInfo("storage: merged segments", {{"partition", PartitionDir(system, day)},
                                       {"segments", inputs.size()},
                                       {"rows", (*merged)->entry.rows},
                                       {"rows_copied", merge->rows_copied},
                                       {"rows_rewritten", merge->rows_rewritten},
                                       {"bytes_before", input_bytes},
                                       {"bytes_after", (*merged)->entry.bytes},
                                       {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now() - start)
                                                  .count()}});
  return absl::OkStatus();
}

int64_t EmbeddedLogStore::Now() const {
  if (options_.clock) return options_.clock();
  return absl::ToUnixNanos(absl::Now());
}

RetentionPolicy EmbeddedLogStore::PolicyFor(const std::string& system) const {
  auto it = options_.retention_by_system.find(system);
  return it != options_.retention_by_system.end() ? it->second : options_.retention;
}

void EmbeddedLogStore::RetentionLoop() {
  for (;;) {
    if (absl::Status status = RunRetention(); !status.ok()) {
      LogError("storage: retention run failed; will retry",
               {{"error", std::string(StatusMessage(status))}});
    }
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&closing_),
                             absl::Nanoseconds(options_.retention_interval_ns))) {
      return;
    }
  }
}

absl::Status EmbeddedLogStore::RunRetention() {
  const int64_t now = Now();
  // The live segments by partition, and the manifest's entries of segments
  // quarantined at start-up (not served, but on disk until their partition
  // goes: they count toward its bytes and leave with it).
  std::map<std::pair<std::string, int64_t>, std::vector<std::shared_ptr<const Segment>>> partitions;
  std::map<std::pair<std::string, int64_t>, std::vector<SegmentEntry>> quarantined;
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& s : segments_) partitions[{s->entry.system, s->entry.day}].push_back(s);
    for (const SegmentEntry& e : quarantined_) quarantined[{e.system, e.day}].push_back(e);
  }
  for (const auto& [key, entries] : quarantined) partitions.try_emplace(key);
  std::vector<PartitionUsage> usage;
  std::set<std::string> systems;
  for (const auto& [key, segments] : partitions) {
    PartitionUsage p{key.first, key.second, 0, 0, 0};
    for (const SegmentEntry& e : quarantined[key]) p.bytes += e.bytes;
    bool all_restored = !segments.empty();
    for (const auto& s : segments) {
      p.bytes += s->entry.bytes;
      p.records += s->entry.rows;
      all_restored = all_restored && s->entry.restored_at_ns > 0;
      p.restored_at_ns = std::max(p.restored_at_ns, s->entry.restored_at_ns);
    }
    if (!all_restored) p.restored_at_ns = 0;  // new records arrived: a partition like any other
    usage.push_back(std::move(p));
    systems.insert(key.first);
  }
  const std::vector<PartitionDrop> drops = PlanRetention(
      std::move(usage), [this](const std::string& system) { return PolicyFor(system); }, now);
  std::map<std::string, RetentionRun> runs;
  for (const std::string& system : systems) runs[system] = RetentionRun{now, "ok", 0, 0};
  absl::Status result;
  for (const PartitionDrop& drop : drops) {
    const auto& segments = partitions[{drop.partition.system, drop.partition.day}];
    std::set<std::string> removed;
    for (const auto& s : segments) removed.insert(s->entry.path);
    for (const SegmentEntry& e : quarantined[{drop.partition.system, drop.partition.day}]) {
      removed.insert(e.path);
    }
    RetentionRun& run = runs[drop.partition.system];
    // Restored: archived already. Quarantined segments alone: nothing readable to archive.
    if (options_.archive && drop.partition.restored_at_ns == 0 && !segments.empty()) {
      std::vector<SegmentEntry> entries;
      for (const auto& s : segments) entries.push_back(s->entry);
      if (absl::Status status =
              options_.archive(drop.partition.system, drop.partition.day, entries);
          !status.ok()) {
        archive_failures_->Add();
        run.outcome = StrCat("archiving ", PartitionDir(drop.partition.system, drop.partition.day),
                             " failed, kept locally: ", StatusMessage(status));
        LogError("storage: archiving failed; the partition stays until a later run archives it",
                 {{"partition", PartitionDir(drop.partition.system, drop.partition.day)},
                  {"error", std::string(StatusMessage(status))}});
        result.Update(status);
        continue;
      }
      archived_partitions_->Add();
    }
    if (absl::Status status = CommitSegments({}, removed, std::nullopt); !status.ok()) {
      run.outcome = std::string(StatusMessage(status));
      result.Update(status);
      continue;
    }
    for (const std::string& path : removed) {
      if (absl::Status s = options_.env->RemoveFile(StrCat(options_.dir, "/", path)); !s.ok()) {
        LogWarn("storage: cannot remove a dropped segment; start-up will",
                {{"segment", path}, {"error", std::string(StatusMessage(s))}});
      }
    }
    if (!options_.env
             ->RemoveDir(
                 StrCat(options_.dir, "/", PartitionDir(drop.partition.system, drop.partition.day)))
             .ok()) {
      // Not empty (a flush added a segment meanwhile) or already gone.
    }
    (drop.reason == "cap"        ? retention_dropped_cap_
     : drop.reason == "restored" ? retention_dropped_restored_
                                 : retention_dropped_age_)
        ->Add();
    retention_dropped_bytes_->Add(drop.partition.bytes);
    ++run.dropped_partitions;
    run.dropped_bytes += drop.partition.bytes;
    LogInfo("storage: retention dropped a partition",
            {{"partition", PartitionDir(drop.partition.system, drop.partition.day)},
             {"reason", drop.reason},
             {"bytes", drop.partition.bytes},
             {"records", drop.partition.records}});
  }
  // When archiving just failed the object store is likely away: leave the
  // archive's upkeep to a later run rather than wait on more retries.
  const bool archive_failed = absl::IsUnavailable(result);
  if (options_.expire_archive && !archive_failed) {
    auto expired = options_.expire_archive(now);
    if (!expired.ok()) {
      LogError("storage: deleting expired archived partitions failed; will retry",
               {{"error", std::string(StatusMessage(expired.status()))}});
    } else if (*expired > 0) {
      LogInfo("storage: archived partitions past archive_days deleted", {{"partitions", *expired}});
    }
  }
  std::optional<std::map<std::string, uint64_t>> archived;
  if (options_.archived_counts && !archive_failed) {
    auto counts = options_.archived_counts();
    if (counts.ok()) archived = *std::move(counts);
  }
  absl::MutexLock lock(&mu_);
  for (auto& [system, run] : runs) last_retention_[system] = std::move(run);
  if (archived) archived_counts_ = *std::move(archived);
  return result;
}

absl::Status EmbeddedLogStore::RestorePartition(const std::string& system, int64_t day,
                                                const std::vector<SegmentFetch>& segments) {
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& s : segments_) {
      if (s->entry.system == system && s->entry.day == day) {
        return absl::AlreadyExistsError(
            StrCat(PartitionDir(system, day), " is on local disk already; not restored twice"));
      }
    }
  }
  Env* env = options_.env;
  const std::string relative_dir = PartitionDir(system, day);
  RETURN_IF_ERROR(env->CreateDirs(StrCat(options_.dir, "/", relative_dir)));
  std::vector<std::shared_ptr<const Segment>> added;
  const auto undo = [&added, this] { RemoveSegmentFiles(added); };
  const int64_t now = Now();
  for (const SegmentFetch& fetch : segments) {
    const std::string relative = StrCat(relative_dir, "/", SegmentFileName(NewSegmentNumber()));
    const std::string path = StrCat(options_.dir, "/", relative);
    // Fetched beside its final name, then renamed: a crash leaves only a
    // file no manifest names, which start-up removes.
    absl::Status status = fetch(path + ".tmp");
    if (status.ok()) status = env->RenameFile(path + ".tmp", path);
    if (status.ok()) status = env->SyncDir(StrCat(options_.dir, "/", relative_dir));
    if (!status.ok() && !env->RemoveFile(path + ".tmp").ok()) {
      // Already gone (the fetch removes what it could not finish).
    }
    absl::StatusOr<std::shared_ptr<const Segment>> segment =
        status.ok() ? OpenWritten(relative, system, day, now) : status;
    if (segment.ok()) status = (*segment)->reader->Verify();  // every block's checksum
    if (status.ok() && !segment.ok()) status = segment.status();
    if (segment.ok()) added.push_back(*segment);  // undo removes its file if need be
    if (!status.ok()) {
      undo();
      return status;
    }
  }
  RETURN_IF_ERROR(CommitSegments(added, {}, std::nullopt));  // (its files removed on failure)
  LogInfo("storage: partition restored from the archive",
          {{"partition", relative_dir}, {"segments", added.size()}});
  return absl::OkStatus();
}

std::vector<SystemUsage> EmbeddedLogStore::Usage() const {
  std::map<std::string, SystemUsage> by_system;
  std::set<std::pair<std::string, int64_t>> days;
  const auto add = [&by_system](const std::string& system, uint64_t records, int64_t oldest,
                                int64_t newest) {
    SystemUsage& u = by_system[system];
    if (u.records == 0 || oldest < u.oldest_ns) u.oldest_ns = oldest;
    if (u.records == 0 || newest > u.newest_ns) u.newest_ns = newest;
    u.records += records;
  };
  {
    absl::ReaderMutexLock lock(&mu_);
    for (const auto& s : segments_) {
      add(s->entry.system, s->entry.rows, s->entry.min_ts, s->entry.max_ts);
      by_system[s->entry.system].bytes += s->entry.bytes;
      days.insert({s->entry.system, s->entry.day});
    }
    // Quarantined segments serve no records but hold disk (and count
    // toward the cap, as retention counts them).
    for (const SegmentEntry& e : quarantined_) {
      by_system[e.system].bytes += e.bytes;
      days.insert({e.system, e.day});
    }
    const auto add_memory = [&add](const std::vector<LogRecord>& records) {
      for (const LogRecord& r : records) add(r.system, 1, r.timestamp_ns, r.timestamp_ns);
    };
    add_memory(active_);
    if (immutable_ != nullptr) add_memory(*immutable_);
    for (const auto& [system, run] : last_retention_) {
      if (by_system.contains(system)) by_system[system].last_retention = run;
    }
    for (const auto& [system, count] : archived_counts_) {
      by_system[system].archived_partitions = count;  // a system may be archived only
    }
  }
  std::vector<SystemUsage> out;
  for (auto& [system, u] : by_system) {
    u.system = system;
    u.kind = options_.kind;
    for (const auto& [s, day] : days) u.partitions += s == system ? 1 : 0;
    const RetentionPolicy policy = PolicyFor(system);
    u.cap_bytes = policy.cap_bytes;
    u.hot_days = policy.hot_days;
    out.push_back(std::move(u));
  }
  return out;
}

EmbeddedLogStore::ScanSnapshot EmbeddedLogStore::Snapshot(
    const std::function<void(const LogRecord&)>& on_active) const {
  ScanSnapshot snapshot;
  absl::ReaderMutexLock lock(&mu_);
  snapshot.segments = segments_;
  snapshot.immutable = immutable_;
  for (const LogRecord& r : active_) on_active(r);
  return snapshot;
}

void EmbeddedLogStore::CountDamaged(const Segment& segment, size_t group,
                                    const absl::Status& status) const {
  if (!absl::IsDataLoss(status)) {
    // Not the bytes but reading them (an I/O error): the next search tries
    // again. Every one is counted; a failing disk is logged once a minute
    // a segment, not by every search.
    read_errors_->Add();
    const int64_t now = SteadyNowNanos();
    {
      absl::MutexLock lock(&damaged_mu_);
      int64_t& last = read_error_logged_ns_[segment.entry.path];
      if (last != 0 && now - last < 60 * kNanosPerSecond) return;
      last = now;
    }
    LogError("storage: row group could not be read; skipped by this search",
             {{"segment", segment.entry.path},
              {"row_group", group},
              {"error", std::string(StatusMessage(status))}});
    return;
  }
  {
    absl::MutexLock lock(&damaged_mu_);
    if (!damaged_groups_[segment.entry.path].insert(group).second) return;  // known already
  }
  corrupt_segments_->Add();
  LogError("storage: damaged row group quarantined: no longer read, its segment never merged",
           {{"segment", segment.entry.path},
            {"row_group", group},
            {"error", std::string(StatusMessage(status))}});
}

bool EmbeddedLogStore::DamageFound(const Segment& segment) const {
  absl::MutexLock lock(&damaged_mu_);
  return damaged_groups_.contains(segment.entry.path);
}

bool EmbeddedLogStore::KnownDamaged(const Segment& segment, size_t group) const {
  absl::MutexLock lock(&damaged_mu_);
  const auto it = damaged_groups_.find(segment.entry.path);
  return it != damaged_groups_.end() && it->second.contains(group);
}

size_t EmbeddedLogStore::ScanWorkers() const {
  if (options_.scan_threads > 0) return options_.scan_threads;
  return std::max(1u, std::thread::hardware_concurrency());
}

absl::Status EmbeddedLogStore::ScanRowGroups(
    const std::vector<std::shared_ptr<const Segment>>& segments, const Filter* filter,
    int64_t from_ns, int64_t to_ns, const std::vector<std::string>& columns,
    const std::function<bool(const segment::RowGroupMeta&)>& timestamps, const RowGroupFn& fn,
    ScanPlan* plan, const QueryBudget& budget) const {
  bool all_timestamps = false;  // the filter or a column is @timestamp
  // The filter's columns are decoded first; the caller's others only for
  // row groups where something matched, and (templated texts) for the
  // matching rows alone.
  // Columns the filter alone reads keep integer dictionaries as codes.
  const auto contains = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<std::string> filtered;     // read by the filter and the caller
  std::vector<std::string> filter_only;  // read by the filter alone
  if (filter != nullptr) {
    for (const FilterTerm& term : filter->terms()) {
      std::string name = term.field.empty() ? std::string(field::kMessage) : term.field;
      all_timestamps |= term.field == field::kTimestamp;
      if (contains(filtered, name) || contains(filter_only, name)) continue;
      (contains(columns, name) ? filtered : filter_only).push_back(std::move(name));
    }
  }
  std::vector<std::string> after_filter;
  for (const std::string& c : columns) {
    all_timestamps |= c == field::kTimestamp;
    if (!contains(filtered, c)) after_filter.push_back(c);
  }
  // The row groups to read: what time ranges and filters cannot rule out.
  const RowGroupPruner pruner(filter);
  std::vector<std::pair<const Segment*, size_t>> to_read;
  uint64_t skipped = 0;
  plan->segments += segments.size();
  for (const auto& segment : segments) {
    const auto& groups = segment->reader->footer().row_groups;
    if (segment->entry.max_ts < from_ns || segment->entry.min_ts > to_ns) {
      skipped += groups.size();
      ++plan->segments_skipped_by_time;
      continue;
    }
    plan->row_groups += groups.size();
    for (size_t g = 0; g < groups.size(); ++g) {
      if (groups[g].max_ts < from_ns || groups[g].min_ts > to_ns) {
        ++skipped;
        ++plan->row_groups_skipped_by_time;
        continue;
      }
      if (!pruner.MayMatch(*segment->reader, g)) {
        ++skipped;
        ++plan->row_groups_skipped_by_index;
        continue;
      }
      if (KnownDamaged(*segment, g)) {
        ++skipped;
        continue;
      }
      to_read.emplace_back(segment.get(), g);
    }
  }
  plan->row_groups_read += to_read.size();
  groups_skipped_->Add(skipped);
  groups_read_->Add(to_read.size());

  std::atomic<size_t> next{0};
  absl::Mutex stop_mu;
  absl::Status stopped;  // the budget's error, once it ran out
  const auto work = [&](size_t worker) {
    std::vector<uint8_t> match;
    for (size_t k = next++; k < to_read.size(); k = next++) {
      if (absl::Status s = budget.Check(); !s.ok()) {
        absl::MutexLock lock(&stop_mu);
        stopped.Update(s);
        next = to_read.size();  // the other workers stop too
        return;
      }
      const auto& [segment, g] = to_read[k];
      const segment::RowGroupMeta& group = segment->reader->footer().row_groups[g];
      // A group wholly in the time range needs its timestamps only if the
      // caller does.
      const bool partly_in_range = group.min_ts < from_ns || group.max_ts > to_ns;
      ColumnBatch batch;
      const bool need_timestamps =
          all_timestamps || partly_in_range || (timestamps && timestamps(group));
      absl::Status read = segment->reader->AddColumns(g, &filtered, &batch, need_timestamps);
      if (read.ok() && !filter_only.empty()) {
        read = segment->reader->AddColumns(g, &filter_only, &batch, need_timestamps, nullptr,
                                           /*integer_codes=*/true);
      }
      if (!read.ok()) {
        CountDamaged(*segment, g, read);
        continue;
      }
      match.assign(batch.rows, 1);
      if (partly_in_range) {
        for (size_t r = 0; r < batch.rows; ++r) {
          const int64_t ts = batch.timestamps[r];
          if (ts < from_ns || ts > to_ns) match[r] = 0;
        }
      }
      if (filter != nullptr) ApplyFilter(*filter, batch, &match);
      if (!after_filter.empty()) {
        if (std::find(match.begin(), match.end(), 1) == match.end()) continue;  // nothing here
        if (absl::Status s =
                segment->reader->AddColumns(g, &after_filter, &batch, /*timestamps=*/false, &match);
            !s.ok()) {
          CountDamaged(*segment, g, s);
          continue;
        }
      }
      fn(worker, *segment, g, &batch, match);
    }
  };
  // A few row groups (a needle) are read on the caller's thread alone.
  const size_t workers = std::min(ScanWorkers(), to_read.size() / kRowGroupsPerScanThread + 1);
  std::vector<std::thread> helpers;
  for (size_t w = 1; w < workers; ++w) {
    try {
      helpers.emplace_back(work, w);
    } catch (const std::system_error&) {
      break;  // no thread to be had: the ones started share the work
    }
  }
  work(0);
  for (std::thread& t : helpers) t.join();
  absl::MutexLock lock(&stop_mu);
  return stopped;
}

absl::StatusOr<SearchResult> EmbeddedLogStore::Search(const SearchRequest& request) const {
  TopHits hits(request.limit, request.oldest_first);
  ScanPlan plan;
  const ScanSnapshot snapshot = Snapshot([&](const LogRecord& r) {
    ++plan.memory_records;
    if (Wanted(r, request)) hits.Offer(LogRecord(r));
  });
  if (snapshot.immutable != nullptr) {
    plan.memory_records += snapshot.immutable->size();
    for (const LogRecord& r : *snapshot.immutable) {
      if (Wanted(r, request)) hits.Offer(LogRecord(r));
    }
  }
  // Each scan worker keeps its own hits; they are merged at the end.
  struct WorkerHits {
    WorkerHits(size_t limit, bool oldest_first) : hits(limit, oldest_first) {}
    TopHits hits;
    std::vector<std::pair<int64_t, uint32_t>> matches;  // (time, row)
    std::vector<uint32_t> keep;
    std::vector<uint8_t> kept;  // by row: keep's rows
  };
  std::vector<WorkerHits> workers(ScanWorkers(), WorkerHits(request.limit, request.oldest_first));
  const absl::Status scanned = ScanRowGroups(
      snapshot.segments, request.filter, request.from_ns, request.to_ns, {},
      [&request](const segment::RowGroupMeta&) { return request.limit > 0; },
      [&](size_t worker, const Segment& segment, size_t g, ColumnBatch* batch,
          const std::vector<uint8_t>& match) {
        WorkerHits& w = workers[worker];
        if (request.limit == 0) {  // a count: no hits to pick
          w.hits.CountOnly(static_cast<uint64_t>(std::count(match.begin(), match.end(), 1)));
          return;
        }
        // The matches in hit order: at most `limit` of them can be hits,
        // and only those are read whole; the rest are counted.
        w.matches.clear();
        for (size_t r = 0; r < batch->rows; ++r) {
          if (match[r]) w.matches.emplace_back(batch->timestamps[r], static_cast<uint32_t>(r));
        }
        const size_t candidates = std::min(w.matches.size(), request.limit);
        const auto candidates_end = w.matches.begin() + static_cast<ptrdiff_t>(candidates);
        if (request.oldest_first) {
          std::partial_sort(w.matches.begin(), candidates_end, w.matches.end(), std::less<>());
        } else {
          std::partial_sort(w.matches.begin(), candidates_end, w.matches.end(), std::greater<>());
        }
        w.keep.clear();
        for (size_t k = 0; k < candidates; ++k) {
          if (w.hits.WouldKeep(w.matches[k].first)) {
            w.keep.push_back(w.matches[k].second);
          } else {
            w.hits.CountOnly();
          }
        }
        w.hits.CountOnly(w.matches.size() - candidates);
        if (w.keep.empty()) return;
        // The other columns, templated texts written out for the hits alone.
        w.kept.assign(batch->rows, 0);
        for (uint32_t r : w.keep) w.kept[r] = 1;
        const std::vector<std::string>* fields = request.fields.empty() ? nullptr : &request.fields;
        if (absl::Status s = segment.reader->AddColumns(g, fields, batch, true, &w.kept); !s.ok()) {
          CountDamaged(segment, g, s);
          return;
        }
        for (uint32_t r : w.keep) w.hits.Offer(batch->Materialize(r));
      },
      &plan, request.budget);
  RETURN_IF_ERROR(scanned);
  for (WorkerHits& w : workers) hits.Merge(std::move(w.hits));
  SearchResult result = std::move(hits).Finish();
  result.plan = plan;
  return result;
}

absl::StatusOr<CountResult> EmbeddedLogStore::Count(const CountRequest& request) const {
  const auto aggregator = [&request] {
    return CountAggregator(request.group_by, request.bucket_ns, request.aggregations,
                           request.group_by_patterns, request.bucket_offset_ns);
  };
  CountAggregator counts = aggregator();
  ScanPlan plan;
  const ScanSnapshot snapshot = Snapshot([&](const LogRecord& r) {
    ++plan.memory_records;
    if (Wanted(r, request)) counts.Add(r);
  });
  if (snapshot.immutable != nullptr) {
    plan.memory_records += snapshot.immutable->size();
    for (const LogRecord& r : *snapshot.immutable) {
      if (Wanted(r, request)) counts.Add(r);
    }
  }
  const uint64_t group_bytes = CountAggregator::kGroupBytes + 48 * request.group_by.size() +
                               CountAggregator::kAggregationBytes * request.aggregations.size();
  request.budget.Charge(counts.groups() * group_bytes);
  // Each scan worker counts apart; the counts are added up at the end.
  std::vector<CountAggregator> workers(ScanWorkers(), aggregator());
  std::vector<std::string> columns = request.group_by;
  for (std::string& f : counts.AggregatedFields()) columns.push_back(std::move(f));
  // A row group within one time bucket needs no timestamps: all its rows
  // fall in that bucket.
  const absl::Status scanned = ScanRowGroups(
      snapshot.segments, request.filter, request.from_ns, request.to_ns, columns,
      [&counts](const segment::RowGroupMeta& group) {
        return counts.BucketOf(group.min_ts) != counts.BucketOf(group.max_ts);
      },
      [&](size_t worker, const Segment& segment, size_t g, ColumnBatch* batch,
          const std::vector<uint8_t>& match) {
        CountAggregator& w = workers[worker];
        const size_t before = w.groups();
        w.Add(*batch, match, segment.reader->footer().row_groups[g].min_ts);
        request.budget.Charge((w.groups() - before) * group_bytes);
      },
      &plan, request.budget);
  RETURN_IF_ERROR(scanned);
  RETURN_IF_ERROR(request.budget.Check());  // groups from memory only, or the last row group
  for (CountAggregator& w : workers) counts.Absorb(std::move(w));
  CountResult result = request.flat_values && counts.FlatValuesApply()
                           ? std::move(counts).FinishValues()
                           : std::move(counts).Finish();
  result.plan = plan;
  return result;
}

namespace {

// A column's type as the field list names it (ValueTypeName).
std::string_view FieldTypeName(segment::ColumnType type) {
  switch (type) {
    case segment::ColumnType::kTimestamp:
    case segment::ColumnType::kObserved:
      return "date";
    case segment::ColumnType::kInt:
      return "integer";
    case segment::ColumnType::kDouble:
      return "double";
    case segment::ColumnType::kBool:
      return "boolean";
    case segment::ColumnType::kLevel:
    case segment::ColumnType::kString:
      return "string";
  }
  return "string";
}

}  // namespace

FieldTypes EmbeddedLogStore::Fields(int64_t from_ns, int64_t to_ns) const {
  FieldTypes fields;
  const auto add_record = [&](const LogRecord& r) {
    if (r.timestamp_ns < from_ns || r.timestamp_ns > to_ns) return;
    fields[std::string(field::kTimestamp)].insert("date");
    fields[std::string(field::kMessage)].insert("string");
    fields[std::string(field::kSystem)].insert("string");
    if (r.level != Level::kUnset) fields[std::string(field::kLevel)].insert("string");
    if (!r.service.empty()) fields[std::string(field::kServiceName)].insert("string");
    for (const Attribute& a : r.attributes)
      fields[a.key].insert(std::string(ValueTypeName(a.value)));
  };
  const ScanSnapshot snapshot = Snapshot(add_record);
  if (snapshot.immutable != nullptr) {
    for (const LogRecord& r : *snapshot.immutable) add_record(r);
  }
  for (const auto& segment : snapshot.segments) {
    if (segment->entry.max_ts < from_ns || segment->entry.min_ts > to_ns) continue;
    for (const segment::Column& c : segment->reader->footer().columns) {
      if (c.type == segment::ColumnType::kObserved) continue;  // not a field searches see
      fields[c.name].insert(std::string(FieldTypeName(c.type)));
    }
  }
  return fields;
}

StoreStats EmbeddedLogStore::Stats() const {
  StoreStats stats;
  absl::ReaderMutexLock lock(&mu_);
  stats.records = active_.size() + (immutable_ ? immutable_->size() : 0);
  for (const auto& s : segments_) {
    stats.records += s->entry.rows;
    stats.segment_bytes += s->entry.bytes;
  }
  stats.segments = segments_.size();
  stats.merging_segments = merging_.size();
  if (wal_) stats.wal_bytes = wal_->TotalBytes();
  return stats;
}

void EmbeddedLogStore::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closing_ && !flush_thread_.joinable() && !merge_thread_.joinable() &&
        !retention_thread_.joinable()) {
      return;
    }
    closing_ = true;
  }
  cancel_merge_ = true;
  if (flush_thread_.joinable()) flush_thread_.join();
  ReleaseHeld(absl::UnavailableError("the server is shutting down"));
  if (merge_thread_.joinable()) merge_thread_.join();
  if (retention_thread_.joinable()) retention_thread_.join();
  // An unfinished flush is harmless: its records are still in the WAL.
  if (wal_) wal_->Close();
}

}  // namespace mayak
