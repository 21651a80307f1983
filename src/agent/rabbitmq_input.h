// A RabbitMQ input of the agent: consumes the configured dead-letter queues
// over AMQP 0-9-1 (rabbitmq-c) and turns each message into an
// amqp.dead_lettered record (dead_letter_record.h). A message is acked only
// once the server has stored its record: when the agent, its connection or
// the server fails first, RabbitMQ delivers the message again (and the
// server drops the resent record by its id). Reconnects with backoff.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "agent/agent_config.h"
#include "agent/batch_queue.h"
#include "common/metrics.h"

namespace mayak::agent {

class RabbitmqInput {
 public:
  RabbitmqInput(RabbitmqInputConfig config, OutputConfig output, BatchQueue* queue,
                MetricsRegistry* metrics);

  // The input's thread: consumes until `stop_consuming`, then still acks
  // what the sender reports stored until `stop`, and those stored before it.
  void Run(const std::atomic<bool>& stop_consuming, const std::atomic<bool>& stop);

 private:
  struct Connection;
  // One connection's life: connect, consume, ack what was stored. Returns
  // why it ended (ok when stopping).
  absl::Status Consume(const std::atomic<bool>& stop_consuming, const std::atomic<bool>& stop);
  // Called by the sender once a message's record is stored.
  void Stored(uint64_t generation, uint64_t delivery_tag);

  const RabbitmqInputConfig config_;
  const OutputConfig output_;
  BatchQueue* queue_;
  Counter* consumed_;
  Counter* acked_;
  Counter* reconnects_;
  absl::Mutex mu_;
  std::vector<uint64_t> to_ack_ ABSL_GUARDED_BY(mu_);  // delivery tags of this generation
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;       // one per connection
};

}  // namespace mayak::agent
