#include "storage/wal_log_store.h"

#include <algorithm>
#include <utility>

#include "common/logging.h"
#include "common/strings.h"
#include "storage/record_codec.h"
#include "storage/wal_reader.h"

namespace mayak {

absl::StatusOr<std::unique_ptr<WalLogStore>> WalLogStore::Open(const WalLogStoreOptions& options,
                                                               MetricsRegistry* metrics) {
  const std::string wal_dir = StrCat(options.dir, "/wal");
  if (absl::Status created = options.env->CreateDirs(wal_dir); !created.ok()) return created;
  std::unique_ptr<WalLogStore> store(new WalLogStore());
  WalReplayStats stats;
  std::vector<LogRecord> records;
  absl::Status replayed = ReplayWal(
      options.env, wal_dir,
      [&records](wal::EntryType, std::string_view payload) -> absl::Status {
        auto batch = DecodeRecordBatch(payload);
        if (!batch.ok()) return batch.status();
        std::move(batch->begin(), batch->end(), std::back_inserter(records));
        return absl::OkStatus();
      },
      &stats);
  if (!replayed.ok()) return replayed;
  LogInfo("wal: replayed", {{"files", stats.files},
                            {"entries", stats.entries},
                            {"records", records.size()},
                            {"bytes", stats.bytes},
                            {"truncated_tail_bytes", stats.truncated_tail_bytes}});
  {
    absl::MutexLock lock(&store->mu_);
    store->records_ = std::move(records);
  }
  WalWriterOptions wal_options;
  wal_options.env = options.env;
  wal_options.dir = wal_dir;
  wal_options.first_file_number = stats.last_file_number + 1;
  wal_options.file_size_limit = options.wal_file_size;
  auto wal = WalWriter::Open(wal_options, metrics);
  if (!wal.ok()) return wal.status();
  store->wal_ = *std::move(wal);
  return store;
}

WalLogStore::~WalLogStore() { Close(); }

void WalLogStore::Append(std::vector<LogRecord> records, AppendDone done) {
  std::string payload;
  EncodeRecordBatch(records, &payload);
  wal_->Append(
      wal::EntryType::kLogBatch, std::move(payload),
      [this, records = std::move(records), done = std::move(done)](absl::Status status) mutable {
        if (status.ok()) {
          absl::MutexLock lock(&mu_);
          std::move(records.begin(), records.end(), std::back_inserter(records_));
        }
        done(status);
      });
}

absl::StatusOr<SearchResult> WalLogStore::Search(const SearchRequest& request) const {
  SearchResult result;
  absl::ReaderMutexLock lock(&mu_);
  std::vector<const LogRecord*> matches;
  for (const LogRecord& record : records_) {
    if (record.timestamp_ns < request.from_ns || record.timestamp_ns > request.to_ns) continue;
    if (request.filter != nullptr && !request.filter->Matches(record)) continue;
    matches.push_back(&record);
  }
  result.total = matches.size();
  const size_t n = std::min(request.limit, matches.size());
  // Newest first; among equal times, the later arrival first.
  const auto newer = [](const LogRecord* a, const LogRecord* b) {
    if (a->timestamp_ns != b->timestamp_ns) return a->timestamp_ns > b->timestamp_ns;
    return a > b;
  };
  std::partial_sort(matches.begin(), matches.begin() + static_cast<ptrdiff_t>(n), matches.end(),
                    newer);
  result.hits.reserve(n);
  for (size_t i = 0; i < n; ++i) result.hits.push_back(*matches[i]);
  return result;
}

StoreStats WalLogStore::Stats() const {
  StoreStats stats;
  {
    absl::ReaderMutexLock lock(&mu_);
    stats.records = records_.size();
  }
  if (wal_) stats.wal_bytes = wal_->TotalBytes();
  return stats;
}

void WalLogStore::Close() {
  if (wal_) wal_->Close();
}

}  // namespace mayak
