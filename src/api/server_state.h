// What route handlers need to know about the running server.
#pragma once

#include <atomic>

#include "storage/log_store.h"

namespace mayak {

enum class ServerPhase { kStarting, kReady, kStopping };

struct ServerState {
  std::atomic<ServerPhase> phase{ServerPhase::kStarting};
  // Set once, when the store has been opened; read by handlers.
  std::atomic<LogStore*> store{nullptr};
  // The store of spans (kind = spans; model/span.h gives their rows), set
  // with `store`.
  std::atomic<LogStore*> spans{nullptr};
};

}  // namespace mayak
