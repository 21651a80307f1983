// Live tails (GET /api/v1/tail, `mayak tail`): records the store has
// acknowledged, handed to every tail whose filter they match. Matching and
// delivery run on a thread of their own, so that ingest only queues a
// shared batch and never waits for a reader: when that thread falls more
// than `max_backlog_records` behind, the oldest batches are dropped and the
// tails told how many records they missed. A tail whose sink refuses a
// delivery (its reader is too slow, or gone) is ended.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/metrics.h"
#include "model/log_record.h"
#include "query/filter.h"

namespace mayak {

struct LiveTailOptions {
  size_t max_tails = 100;
  size_t max_backlog_records = 100'000;
  // A delivery with no records ("still here") after this long without any:
  // keeps proxies from closing the connection and finds readers that left.
  int64_t heartbeat_ns = 15'000'000'000;
};

class LiveTail {
 public:
  // Where one tail's records go.
  class Sink {
   public:
    virtual ~Sink() = default;
    // Runs on the tail thread with the records that match, oldest first
    // (none: a heartbeat), and how many records the tail thread dropped
    // since the last call. False ends the tail.
    virtual bool Deliver(const std::vector<const LogRecord*>& records, uint64_t missed) = 0;
  };

  LiveTail(LiveTailOptions options, MetricsRegistry* metrics);
  ~LiveTail();  // Stop()
  LiveTail(const LiveTail&) = delete;
  LiveTail& operator=(const LiveTail&) = delete;

  // Starts a tail of the records matching `filter`; returns its id.
  // ResourceExhausted when max_tails are open, Unavailable after Stop.
  absl::StatusOr<uint64_t> Subscribe(Filter filter, std::shared_ptr<Sink> sink);
  // Ends a tail (its sink gets no more calls once this returns... except one
  // already under way on the tail thread).
  void Unsubscribe(uint64_t id);
  size_t tails() const { return tail_count_.load(std::memory_order_relaxed); }

  // Records just acknowledged. Cheap: with no tails open it does nothing,
  // else it queues the batch.
  void Publish(std::shared_ptr<const std::vector<LogRecord>> records);

  // Ends every tail and joins the thread.
  void Stop();

 private:
  struct Tail {
    uint64_t id = 0;
    Filter filter;
    std::shared_ptr<Sink> sink;
  };
  void Run();

  const LiveTailOptions options_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<const Tail>> tails_ ABSL_GUARDED_BY(mu_);
  std::deque<std::shared_ptr<const std::vector<LogRecord>>> batches_ ABSL_GUARDED_BY(mu_);
  size_t backlog_records_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t missed_ ABSL_GUARDED_BY(mu_) = 0;  // dropped since the last delivery
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<size_t> tail_count_{0};
  Gauge* open_tails_;
  Counter* missed_records_;
  Counter* ended_tails_;
  std::thread thread_;
};

}  // namespace mayak
