// The agent's disk buffer: batches the output could not deliver are written
// here (one fsynced file a batch, renamed into place), so that the files
// they came from may be rotated away and deleted while the server is down
// without losing a line. Once a batch is on disk, the registry may move past
// its events; the sender delivers the buffer oldest first and deletes each
// file after the server acknowledged it. Bounded by `max_bytes`: when full,
// batches wait in memory and reading pauses (backpressure). A damaged file
// (checksum) is moved aside as .bad and reported, never half sent.
// Used by the sender thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "agent/batch_queue.h"

namespace mayak::agent {

class DiskBuffer {
 public:
  // Opens (creating) `dir` and finds the batches a previous run left.
  static absl::StatusOr<std::unique_ptr<DiskBuffer>> Open(const std::string& dir,
                                                          uint64_t max_bytes);

  // Whether `batch` fits under max_bytes.
  bool HasRoom(const Batch& batch) const;
  // Writes `batch` durably (its events and file progress; not its callbacks).
  absl::Status Write(const Batch& batch);
  // The oldest buffered batch, if any (damaged files are set aside).
  absl::StatusOr<std::optional<Batch>> Oldest();
  // Deletes the oldest buffered batch (after it was delivered).
  absl::Status RemoveOldest();

  bool empty() const { return files_.empty(); }
  size_t batches() const { return files_.size(); }
  uint64_t bytes() const { return bytes_; }
  uint64_t events() const { return events_; }

 private:
  DiskBuffer(std::string dir, uint64_t max_bytes) : dir_(std::move(dir)), max_bytes_(max_bytes) {}

  struct File {
    uint64_t sequence = 0;
    uint64_t bytes = 0;
    uint64_t events = 0;
  };
  // DIR/<sequence, 20 digits>-<events>.batch
  std::string PathOf(const File& file) const;

  const std::string dir_;
  const uint64_t max_bytes_;
  std::deque<File> files_;  // oldest first
  uint64_t bytes_ = 0;
  uint64_t events_ = 0;
  uint64_t next_sequence_ = 1;
};

// The bytes of one buffered batch, and back (exposed for tests).
std::string EncodeBufferedBatch(const Batch& batch);
absl::StatusOr<Batch> DecodeBufferedBatch(std::string_view data);

}  // namespace mayak::agent
