// Between the agent's reader and its sender: events are encoded into the
// open batch, which is sealed when it is full or old enough and queued. The
// queue counts the bytes of every batch not yet acknowledged; beyond
// `max_bytes` the reader pauses (backpressure: files wait on disk, and the
// registry keeps where).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace mayak::agent {

// How far a batch takes a file: once the batch is acknowledged, every event
// of the file before `end_offset` is stored.
struct FileProgress {
  std::string path;
  int64_t end_offset = 0;
};

struct Batch {
  std::string body;                                   // what the output sends
  std::vector<uint32_t> event_starts;                 // where each event's part of `body` starts
  absl::flat_hash_map<uint64_t, FileProgress> files;  // by fingerprint
  // Run, in order, once the batch is acknowledged (RabbitMQ acks).
  std::vector<std::function<void()>> on_stored;
  int64_t first_event_ns = 0;

  size_t events() const { return event_starts.size(); }
  // The part of `body` that is event `i`.
  std::string_view Event(size_t i) const;
};

struct BatchLimits {
  size_t batch_bytes = 1 << 20;
  size_t batch_events = 5000;
  int64_t batch_wait_ns = 500'000'000;
  size_t max_bytes = 64 << 20;
};

class BatchQueue {
 public:
  explicit BatchQueue(BatchLimits limits) : limits_(limits) {}

  // Reader side: adds events of one file under one lock, encoded straight
  // into the open batch (no copy and no lock an event). Held for one read
  // of a file at most: the sender waits for it.
  class FileWriter {
   public:
    FileWriter(BatchQueue* queue, uint64_t fingerprint, std::string_view path);
    ~FileWriter();
    FileWriter(const FileWriter&) = delete;
    FileWriter& operator=(const FileWriter&) = delete;

    // Where to append the next event (an NDJSON line, or two for _bulk).
    std::string* BeginEvent(int64_t now_ns);
    // The event just appended ends at `end_offset` of the file: the batch
    // that holds it takes the file there. May seal the batch.
    void EndEvent(int64_t end_offset);

   private:
    // Records the last event's end in the open batch.
    void NoteProgress();

    BatchQueue* const queue_;
    absl::MutexLock lock_;
    const uint64_t fingerprint_;
    const std::string_view path_;  // the caller's, alive while the writer is
    int64_t end_offset_ = -1;      // of the last event not yet noted
  };

  // Adds one encoded event of a file, which takes the file to `end_offset`
  // (may seal the batch): a FileWriter for one event.
  void Add(std::string_view encoded, uint64_t fingerprint, const std::string& path,
           int64_t end_offset, int64_t now_ns);
  // Adds one encoded event that is not from a file (a RabbitMQ message):
  // `on_stored` runs once the output acknowledged it.
  void AddAcked(std::string_view encoded, int64_t now_ns, std::function<void()> on_stored);
  // Seals the open batch if its first event waited batch_wait, or if `force`.
  void SealIfDue(int64_t now_ns, bool force = false);
  // Whether the reader may read more.
  bool HasRoom() const;
  // Waits until there is room, at most `timeout_ns`.
  void WaitForRoom(int64_t timeout_ns) const;
  // How long until the open batch is due to be sealed (when empty, a
  // batch_wait from now).
  int64_t NsUntilDue(int64_t now_ns) const;

  // Sender side: the oldest sealed batch, waiting up to `timeout_ns`.
  std::optional<Batch> Pop(int64_t timeout_ns);
  // The popped batch was acknowledged (or given up at shutdown).
  void Release(const Batch& batch);
  // Gives a released batch's body back for a later batch to fill: its
  // megabyte stays mapped instead of being faulted in again.
  void Recycle(std::string body);

  // Bytes of batches not yet released, and events in them.
  size_t queued_bytes() const;
  size_t queued_events() const;

 private:
  void SealLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts an event in the open batch: where to append it.
  std::string* BeginEventLocked(int64_t now_ns) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool HasRoomLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool FullLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  const BatchLimits limits_;
  mutable absl::Mutex mu_;
  Batch open_ ABSL_GUARDED_BY(mu_);
  std::deque<Batch> sealed_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;  // sealed and in flight
  size_t events_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> spare_bodies_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mayak::agent
