// A message RabbitMQ dead-lettered, as the record the logging plan asks for
// (amqp.dead_lettered, WARN): where and why it died from its `x-death`
// header, its properties and other headers, the trace context it carried,
// and the start of its body. Its id is stable across redeliveries of the
// same message, so a message delivered again after the agent lost its
// connection is stored once.
#pragma once

#include <amqp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent/agent_config.h"

namespace mayak::agent {

struct DeadLetter {
  std::string_view consumed_from;  // the dead-letter queue the agent reads
  const amqp_basic_properties_t* properties = nullptr;
  std::string_view body;
};

// Appends the record of `letter` (an NDJSON line; with an Elasticsearch
// action line before it for that output) to `out`. `received_ns` is the
// time when no x-death time says when it died.
void EncodeDeadLetter(const DeadLetter& letter, const RabbitmqInputConfig& input,
                      const OutputConfig& output, int64_t received_ns, std::string* out);

}  // namespace mayak::agent
