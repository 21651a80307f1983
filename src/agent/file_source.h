// One file the agent reads: splits what is new into lines, groups them into
// events (multiline), encodes each event and hands it to the batch queue
// with the offset it takes the file to. Owns the file's descriptor, which
// it keeps after the file is renamed or deleted, so a rotated file is read
// to its end.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "agent/batch_queue.h"
#include "agent/event_encoder.h"
#include "agent/multiline.h"

namespace mayak::agent {

struct FileIdentity {
  uint64_t fingerprint = 0;
  dev_t device = 0;
  ino_t inode = 0;
};

class FileSource {
 public:
  // Reads `fd` (owned) from `offset`.
  FileSource(int fd, std::string path, FileIdentity identity, int64_t offset, size_t max_line_bytes,
             std::unique_ptr<MultilineGrouper> grouper, EventEncoder* encoder);
  ~FileSource();
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  enum class ReadOutcome { kRead, kAtEnd, kTruncated };
  // Reads at most `budget` new bytes and queues the events they complete.
  absl::StatusOr<ReadOutcome> Read(size_t budget, int64_t now_ns, BatchQueue* queue);
  // Queues the event being grouped, and with `final` also a last line that
  // has no line end (the file will not grow: it was rotated away or
  // truncated).
  void Flush(int64_t now_ns, bool final, BatchQueue* queue);
  // Reads from `fd` (owned) instead, the same file's content under another
  // name (the copy copytruncate made), from where this left off.
  void SwitchTo(int fd, std::string path);

  const std::string& path() const { return path_; }
  void set_path(std::string path) { path_ = std::move(path); }
  const FileIdentity& identity() const { return identity_; }
  int fd() const { return fd_; }
  // Bytes read so far (what `Read` consumed).
  int64_t read_offset() const { return read_offset_; }
  int64_t last_read_ns() const { return last_read_ns_; }
  bool grouping() const { return grouper_->pending(); }
  // Not at its path any more (renamed, deleted, or read through a copy).
  bool detached = false;

 private:
  void ProcessLines(int64_t now_ns, BatchQueue* queue);
  void Emit(const TextEvent& event, int64_t now_ns, BatchQueue::FileWriter* writer);

  int fd_;
  std::string path_;
  FileIdentity identity_;
  int64_t read_offset_;
  size_t max_line_bytes_;
  std::unique_ptr<MultilineGrouper> grouper_;
  EventEncoder* encoder_;
  std::string buffer_;     // bytes read from buffer_offset_ on, not yet lines
  int64_t buffer_offset_;  // file offset of buffer_[0]
  bool skipping_ = false;  // dropping the rest of a line cut at max_line_bytes
  int64_t last_read_ns_ = 0;
};

}  // namespace mayak::agent
