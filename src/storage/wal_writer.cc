#include "storage/wal_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "common/logging.h"
#include "common/strings.h"
#include "storage/wal_reader.h"

namespace mayak {
namespace {

absl::Status ErrnoStatus(std::string_view what, const std::string& path) {
  const int e = errno;
  const std::string message = StrCat(what, " ", path, ": ", strerror(e));
  if (e == ENOSPC || e == EDQUOT) return absl::ResourceExhaustedError(message);
  return absl::UnavailableError(message);
}

absl::Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return ErrnoStatus("cannot open directory", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("cannot sync directory", dir);
  return absl::OkStatus();
}

}  // namespace

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
  for (uint64_t n : ListWalFiles(options.dir)) {
    std::error_code ec;
    existing += std::filesystem::file_size(StrCat(options.dir, "/", wal::FileName(n)), ec);
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
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create WAL file", path);
  const std::string header = wal::FileHeader();
  if (::write(fd, header.data(), header.size()) != static_cast<ssize_t>(header.size()) ||
      ::fdatasync(fd) != 0) {
    absl::Status status = ErrnoStatus("cannot write WAL header to", path);
    ::close(fd);
    ::unlink(path.c_str());
    return status;
  }
  // The new name must survive a crash too.
  if (absl::Status s = SyncDirectory(options_.dir); !s.ok()) {
    ::close(fd);
    return s;
  }
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  file_number_ = number;
  file_size_ = header.size();
  total_bytes_.fetch_add(header.size(), std::memory_order_relaxed);
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
      queue_.push_back({type, std::move(payload), std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("the write-ahead log is closed: the server is shutting down"));
}

absl::Status WalWriter::WriteGroup(const std::string& buffer) {
  const auto start = std::chrono::steady_clock::now();
  const std::string path = StrCat(options_.dir, "/", wal::FileName(file_number_));
  size_t written = 0;
  absl::Status status;
  while (written < buffer.size()) {
    const ssize_t n = ::write(fd_, buffer.data() + written, buffer.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      status = ErrnoStatus("cannot write WAL file", path);
      break;
    }
    written += static_cast<size_t>(n);
  }
  if (status.ok() && ::fdatasync(fd_) != 0) status = ErrnoStatus("cannot fsync WAL file", path);
  if (!status.ok()) {
    // Cut the file back so that no part of the failed group can be replayed.
    if (::ftruncate(fd_, static_cast<off_t>(file_size_)) != 0 ||
        ::lseek(fd_, static_cast<off_t>(file_size_), SEEK_SET) < 0) {
      LogError("wal: cannot cut back a failed write", {{"file", path}});
    }
    return status;
  }
  fsync_seconds_->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  file_size_ += buffer.size();
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
    buffer.clear();
    for (const Pending& p : group) wal::AppendEntry(p.type, p.payload, &buffer);
    absl::Status status = WriteGroup(buffer);
    if (status.ok() && file_size_ >= options_.file_size_limit) {
      if (absl::Status s = OpenNewFile(); !s.ok()) {
        // The group is durable; keep appending to the current file.
        LogError("wal: cannot start a new file", {{"error", std::string(s.message())}});
      }
    }
    for (Pending& p : group) p.done(status);
  }
}

void WalWriter::Close() {
  {
    absl::MutexLock lock(&mu_);
    if (closing_ && !thread_.joinable()) return;
    closing_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace mayak
