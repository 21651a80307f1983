// What a query may spend before it stops reading: time (limits.query_timeout,
// DeadlineExceeded), memory for the groups it builds (limits.query_memory,
// ResourceExhausted), and its client's patience (Cancelled once the client
// hangs up). Copies share one memory account, so that the scan workers of
// one query charge the same budget.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"

namespace mayak {

class QueryBudget {
 public:
  using Clock = std::chrono::steady_clock;

  // Unlimited.
  QueryBudget() = default;
  // `timeout_ns` and `max_bytes` of 0 are unlimited; `client_gone` may be null.
  QueryBudget(int64_t timeout_ns, uint64_t max_bytes,
              std::shared_ptr<const std::atomic<bool>> client_gone);

  // OK while the query may go on; otherwise why it must stop, naming the
  // limit that was hit and what to do about it.
  absl::Status Check() const;

  // Accounts for `bytes` more held by the query (an estimate). Check fails
  // from the moment the total passes the limit.
  void Charge(uint64_t bytes) const;

  Clock::time_point deadline() const { return deadline_; }

 private:
  Clock::time_point deadline_ = Clock::time_point::max();
  int64_t timeout_ns_ = 0;
  uint64_t max_bytes_ = 0;
  std::shared_ptr<std::atomic<uint64_t>> used_bytes_;
  std::shared_ptr<const std::atomic<bool>> client_gone_;
};

}  // namespace mayak
