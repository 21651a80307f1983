// `mayak agent`: reads the configured inputs, batches their events, sends
// them to the output, and advances the registry only once the server has
// acknowledged them. Two threads of its own: the reader (every file input,
// in turn) and the sender (one batch at a time, retried with jittered
// backoff until stored; nothing is dropped but what the server refuses for
// good, which is logged and counted).
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "agent/agent_config.h"
#include "agent/batch_queue.h"
#include "agent/disk_buffer.h"
#include "agent/file_input.h"
#include "agent/file_registry.h"
#include "agent/http_output.h"
#include "agent/rabbitmq_input.h"
#include "common/metrics.h"

namespace mayak::agent {

class Agent {
 public:
  // Opens the registry in config.data_dir (created if missing) and checks
  // every input. `metrics` must outlive the agent.
  static absl::StatusOr<std::unique_ptr<Agent>> Create(AgentConfig config,
                                                       MetricsRegistry* metrics);
  ~Agent();

  void Start();
  // Stops reading, queues the events being grouped, and keeps sending for
  // up to `grace_ns`; what is still unsent is read again at the next start.
  void Stop(int64_t grace_ns);

  const AgentConfig& config() const { return config_; }

  // Prometheus text: the agent's counters and, per open file, its lag.
  std::string RenderMetrics() const;

 private:
  Agent(AgentConfig config, MetricsRegistry* metrics, std::unique_ptr<FileRegistry> registry,
        std::unique_ptr<HttpOutput> output);

  void ReadLoop();
  void SendLoop();
  enum class Delivery { kStored, kFailed, kGaveUp };
  // Sends `batch` until it is stored (kGaveUp: stopping ran out of time), or
  // with `once` a single time (kFailed: not all of it was stored).
  Delivery Deliver(const Batch& batch, bool once);
  // Writes `batch` to the disk buffer and moves the registry past it; false
  // when there is no buffer, no room, or it carries RabbitMQ acks.
  bool Buffer(const Batch& batch);
  // Copies the disk buffer's size where /metrics reads it (other threads).
  void PublishBufferSize();
  // Moves the batches waiting in the queue to the disk buffer, in order.
  void BufferQueued();
  // Delivers the disk buffer, oldest first; false when stopping ran out of time.
  bool DrainBuffer();
  // Moves the registry past the batch's events (written at the reader's
  // next save, or now when registry_flush is 0).
  void AdvanceRegistry(const Batch& batch);
  // Writes the registry if it changed (counts and logs a failure).
  void SaveRegistry();
  // The output acknowledged `batch`: the registry moves, RabbitMQ acks.
  void Stored(const Batch& batch);
  // Sleeps `nanos`, or less when the stop deadline comes first.
  void Backoff(int attempt);

  const AgentConfig config_;
  MetricsRegistry* metrics_;
  std::unique_ptr<FileRegistry> registry_;
  std::unique_ptr<HttpOutput> output_;
  std::vector<std::unique_ptr<FileInput>> files_;
  std::unique_ptr<DiskBuffer> buffer_;  // sender thread only; null when off
  std::deque<Batch> held_;              // sender thread: to send after the buffer, in order
  bool buffer_logged_ = false;
  std::atomic<uint64_t> buffered_batches_{0};
  std::atomic<uint64_t> buffered_bytes_{0};
  std::atomic<uint64_t> buffered_events_{0};
  std::vector<std::unique_ptr<RabbitmqInput>> rabbitmq_;
  std::vector<std::thread> rabbitmq_threads_;
  std::atomic<bool> acks_done_{false};  // RabbitMQ inputs may close their connections
  BatchQueue queue_;

  std::atomic<bool> stopping_{false};
  std::atomic<bool> reader_done_{false};
  std::atomic<int64_t> deadline_ns_{INT64_MAX};  // steady clock; set by Stop
  absl::Notification stop_requested_;
  std::thread reader_;
  std::thread sender_;

  mutable absl::Mutex lags_mu_;
  std::vector<FileLag> lags_ ABSL_GUARDED_BY(lags_mu_);

  Counter* events_sent_;
  Counter* events_rejected_;
  Counter* events_duplicate_;
  Counter* bytes_read_;
  Counter* batches_sent_;
  Counter* send_failures_;
  Counter* registry_failures_;
};

}  // namespace mayak::agent
