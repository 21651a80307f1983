#include "agent/file_source.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/file_fingerprint.h"
#include "common/strings.h"

namespace mayak::agent {
namespace {

constexpr size_t kReadChunk = 256 * 1024;

}  // namespace

FileSource::FileSource(int fd, std::string path, FileIdentity identity, int64_t offset,
                       size_t max_line_bytes, std::unique_ptr<MultilineGrouper> grouper,
                       EventEncoder* encoder)
    : fd_(fd),
      path_(std::move(path)),
      identity_(identity),
      read_offset_(offset),
      max_line_bytes_(max_line_bytes),
      grouper_(std::move(grouper)),
      encoder_(encoder),
      buffer_offset_(offset) {}

FileSource::~FileSource() {
  if (fd_ >= 0) close(fd_);
}

void FileSource::SwitchTo(int fd, std::string path) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  path_ = std::move(path);
  detached = true;
}

absl::StatusOr<FileSource::ReadOutcome> FileSource::Read(size_t budget, int64_t now_ns,
                                                         BatchQueue* queue) {
  struct stat st;
  if (fstat(fd_, &st) != 0) {
    return absl::InternalError(StrCat("cannot stat ", path_, ": ", std::strerror(errno)));
  }
  if (st.st_size < read_offset_) return ReadOutcome::kTruncated;
  if (st.st_size == read_offset_) return ReadOutcome::kAtEnd;
  if (!detached) {
    // Truncated and written again past where we were, between two looks:
    // the first line is no longer the one we know.
    auto fingerprint = FingerprintOf(fd_);
    if (fingerprint.ok() && *fingerprint != identity_.fingerprint) return ReadOutcome::kTruncated;
  }
  const size_t want =
      std::min<size_t>({budget, kReadChunk, static_cast<size_t>(st.st_size - read_offset_)});
  const size_t old_size = buffer_.size();
  buffer_.resize(old_size + want);
  ssize_t n;
  do {
    n = pread(fd_, buffer_.data() + old_size, want, read_offset_);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    buffer_.resize(old_size);
    return absl::InternalError(StrCat("cannot read ", path_, ": ", std::strerror(errno)));
  }
  buffer_.resize(old_size + static_cast<size_t>(n));
  read_offset_ += n;
  last_read_ns_ = now_ns;
  ProcessLines(now_ns, queue);
  return n == 0 ? ReadOutcome::kAtEnd : ReadOutcome::kRead;
}

void FileSource::ProcessLines(int64_t now_ns, BatchQueue* queue) {
  BatchQueue::FileWriter writer(queue, identity_.fingerprint, path_);
  const EmitEvent emit = [this, now_ns, &writer](const TextEvent& e) { Emit(e, now_ns, &writer); };
  size_t start = 0;
  while (start < buffer_.size()) {
    const void* found = std::memchr(buffer_.data() + start, '\n', buffer_.size() - start);
    if (found == nullptr) break;
    const size_t newline = static_cast<size_t>(static_cast<const char*>(found) - buffer_.data());
    const int64_t line_offset = buffer_offset_ + static_cast<int64_t>(start);
    const int64_t end_offset = buffer_offset_ + static_cast<int64_t>(newline) + 1;
    if (skipping_) {
      // The end of a cut line: what was kept is already an event; this
      // event-less stretch is acknowledged with the next event.
      skipping_ = false;
    } else {
      std::string_view line(buffer_.data() + start, newline - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      const bool cut = line.size() > max_line_bytes_;
      if (cut) line = line.substr(0, max_line_bytes_);
      grouper_->Add(line, line_offset, end_offset, cut, emit);
    }
    start = newline + 1;
  }
  buffer_.erase(0, start);
  buffer_offset_ += static_cast<int64_t>(start);
  if (buffer_.size() > max_line_bytes_ && !skipping_) {
    // A line longer than allowed: its first max_line_bytes become the event.
    const std::string_view kept(buffer_.data(), max_line_bytes_);
    grouper_->Add(kept, buffer_offset_, buffer_offset_ + static_cast<int64_t>(buffer_.size()), true,
                  emit);
    skipping_ = true;
  }
  if (skipping_) {
    buffer_offset_ += static_cast<int64_t>(buffer_.size());
    buffer_.clear();
  }
}

void FileSource::Emit(const TextEvent& event, int64_t now_ns, BatchQueue::FileWriter* writer) {
  if (StripWhitespace(event.text).empty()) return;  // blank lines are no events
  encoder_->Encode(event, identity_.fingerprint, path_, now_ns, writer->BeginEvent(now_ns));
  writer->EndEvent(event.end_offset);
}

void FileSource::Flush(int64_t now_ns, bool final, BatchQueue* queue) {
  BatchQueue::FileWriter writer(queue, identity_.fingerprint, path_);
  const EmitEvent emit = [this, now_ns, &writer](const TextEvent& e) { Emit(e, now_ns, &writer); };
  if (final && !buffer_.empty() && !skipping_) {
    const int64_t end = buffer_offset_ + static_cast<int64_t>(buffer_.size());
    grouper_->Add(buffer_, buffer_offset_, end, false, emit);
    buffer_offset_ = end;
    buffer_.clear();
  }
  grouper_->Flush(emit);
}

}  // namespace mayak::agent
