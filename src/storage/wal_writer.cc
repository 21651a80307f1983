#include "storage/wal_writer.h"

#include <chrono>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "storage/wal_reader.h"

namespace mayak {

WalWriter::WalWriter(WalWriterOptions options, MetricsRegistry* metrics)
    : options_(std::move(options)),
      fsync_seconds_(metrics->GetHistogram("mayak_wal_fsync_duration_seconds",
                                           "Time to write and fsync one WAL group commit.", {},
                                           LatencyBucketsSeconds())),
      written_bytes_(metrics->GetCounter("mayak_wal_written_bytes_total",
                                         "Bytes appended to the write-ahead log.")),
      group_commits_(metrics->GetCounter("mayak_wal_group_commits_total",
                                         "WAL group commits (one fsync each).")) {}

absl::StatusOr<std::unique_ptr<WalWriter>> WalWriter::Open(const WalWriterOptions& options,
                                                           MetricsRegistry* metrics) {
  std::unique_ptr<WalWriter> writer(new WalWriter(options, metrics));
  uint64_t existing = 0;
  for (uint64_t n : ListWalFiles(options.env, options.dir)) {
    auto size = options.env->FileSize(StrCat(options.dir, "/", wal::FileName(n)));
    if (size.ok()) existing += *size;
  }
  writer->total_bytes_ = existing;
  writer->file_number_ = options.first_file_number - 1;
  if (absl::Status s = writer->OpenNewFile(); !s.ok()) return s;
  writer->thread_ = std::thread([w = writer.get()] { w->Run(); });
  return writer;
}

WalWriter::~WalWriter() { Close(); }

absl::Status WalWriter::OpenNewFile() {
  const uint64_t number = file_number_ + 1;
  const std::string path = StrCat(options_.dir, "/", wal::FileName(number));
  // Never truncate a log file that exists: it may hold acknowledged records.
  if (options_.env->FileSize(path).ok()) {
    return absl::FailedPreconditionError(StrCat(path, " already exists; refusing to overwrite it"));
  }
  auto file = options_.env->NewWritableFile(path);
  if (!file.ok()) return file.status();
  absl::Status status = (*file)->Append(wal::FileHeader());
  if (status.ok()) status = (*file)->Sync();
  // The new name must survive a crash too.
  if (status.ok()) status = options_.env->SyncDir(options_.dir);
  if (!status.ok()) {
    file->reset();
    if (!options_.env->RemoveFile(path).ok()) {
      // A header-only or empty file is harmless: replay skips or truncates it.
    }
    return status;
  }
  file_ = *std::move(file);
  file_number_ = number;
  total_bytes_.fetch_add(file_->Size(), std::memory_order_relaxed);
  return absl::OkStatus();
}

void WalWriter::Append(wal::EntryType type, std::string payload, Done done) {
  if (payload.size() > wal::kMaxEntryPayload) {
    done(absl::InvalidArgumentError(StrCat("batch of ", payload.size(),
                                           " encoded bytes exceeds the WAL entry limit of ",
                                           wal::kMaxEntryPayload, "; send smaller batches")));
    return;
  }
  {
    absl::MutexLock lock(&mu_);
    if (!closing_) {
      queue_.push_back({type, std::move(payload), std::move(done), {}});
      return;
    }
  }
  done(absl::UnavailableError("the write-ahead log is closed: the server is shutting down"));
}

absl::Status WalWriter::WriteGroup(const std::string& buffer) {
  if (needs_new_file_) {
    RETURN_IF_ERROR(OpenNewFile());
    needs_new_file_ = false;
  }
  const auto start = std::chrono::steady_clock::now();
  const uint64_t size_before = file_->Size();
  absl::Status status = file_->Append(buffer);
  if (status.ok()) status = file_->Sync();
  if (!status.ok()) {
    // Cut the file back so that no part of the failed group can be replayed;
    // the next group tries again, so the log recovers by itself once the
    // disk has room again.
    absl::Status cut = file_->Truncate(size_before);
    if (cut.ok()) cut = file_->Sync();
    if (!cut.ok()) {
      // Appending after bytes that may not be gone would hide later entries
      // behind them at replay: the next group goes to a fresh file.
      LogError("wal: cannot durably cut back a failed write; the next write starts a new file",
               {{"error", std::string(StatusMessage(cut))}});
      needs_new_file_ = true;
    }
    return status;
  }
  fsync_seconds_->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  total_bytes_.fetch_add(buffer.size(), std::memory_order_relaxed);
  written_bytes_->Add(buffer.size());
  group_commits_->Add();
  return absl::OkStatus();
}

void WalWriter::Run() {
  std::string buffer;
  for (;;) {
    std::deque<Pending> group;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WalWriter* w)
               ABSL_NO_THREAD_SAFETY_ANALYSIS { return w->closing_ || !w->queue_.empty(); },
          this));
      if (queue_.empty()) return;  // closing and drained
      group.swap(queue_);
    }
    // Entries up to a roll request form one group commit; the roll happens
    // between them and the entries queued after it.
    size_t begin = 0;
    while (begin < group.size()) {
      size_t end = begin;
      while (end < group.size() && !group[end].roll) ++end;
      if (end > begin) CommitGroup(group, begin, end, &buffer);
      if (end < group.size()) {
        const uint64_t closed = file_number_;
        absl::Status status = OpenNewFile();
        group[end].roll(closed, status);
        ++end;
      }
      begin = end;
    }
  }
}

void WalWriter::CommitGroup(std::deque<Pending>& group, size_t begin, size_t end,
                            std::string* buffer) {
  buffer->clear();
  for (size_t i = begin; i < end; ++i) wal::AppendEntry(group[i].type, group[i].payload, buffer);
  absl::Status status = WriteGroup(*buffer);
  if (status.ok() && file_->Size() >= options_.file_size_limit) {
    if (absl::Status s = OpenNewFile(); !s.ok()) {
      // The group is durable; keep appending to the current file.
      LogError("wal: cannot start a new file", {{"error", std::string(StatusMessage(s))}});
    }
  }
  for (size_t i = begin; i < end; ++i) group[i].done(status);
}

void WalWriter::Roll(RollDone done) {
  {
    absl::MutexLock lock(&mu_);
    if (!closing_) {
      queue_.push_back({wal::EntryType::kLogBatch, {}, {}, std::move(done)});
      return;
    }
  }
  done(0, absl::UnavailableError("the write-ahead log is closed"));
}

absl::Status WalWriter::RemoveFilesUpTo(uint64_t number) {
  for (uint64_t n : ListWalFiles(options_.env, options_.dir)) {
    if (n > number) continue;
    const std::string path = StrCat(options_.dir, "/", wal::FileName(n));
    auto size = options_.env->FileSize(path);
    RETURN_IF_ERROR(options_.env->RemoveFile(path));
    if (size.ok()) total_bytes_.fetch_sub(*size, std::memory_order_relaxed);
  }
  return options_.env->SyncDir(options_.dir);
}

void WalWriter::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closing_ && !thread_.joinable()) return;
    closing_ = true;
  }
  if (thread_.joinable()) thread_.join();
  file_.reset();
}

}  // namespace mayak
