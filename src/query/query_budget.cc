#include "query/query_budget.h"

#include "common/strings.h"
#include "common/units.h"

namespace mayak {

QueryBudget::QueryBudget(int64_t timeout_ns, uint64_t max_bytes,
                         std::shared_ptr<const std::atomic<bool>> client_gone)
    : timeout_ns_(timeout_ns),
      max_bytes_(max_bytes),
      used_bytes_(std::make_shared<std::atomic<uint64_t>>(0)),
      client_gone_(std::move(client_gone)) {
  if (timeout_ns > 0) deadline_ = Clock::now() + std::chrono::nanoseconds(timeout_ns);
}

absl::Status QueryBudget::Check() const {
  if (client_gone_ != nullptr && client_gone_->load(std::memory_order_relaxed)) {
    return absl::CancelledError("the client closed its connection; the query stopped");
  }
  if (max_bytes_ > 0 && used_bytes_->load(std::memory_order_relaxed) > max_bytes_) {
    return absl::ResourceExhaustedError(
        StrCat("the query needs more than limits.query_memory (",
               FormatByteSize(static_cast<int64_t>(max_bytes_)),
               ") for its groups: group by fewer or coarser fields, use a longer span, "
               "or narrow the time range"));
  }
  if (deadline_ != Clock::time_point::max() && Clock::now() > deadline_) {
    return absl::DeadlineExceededError(StrCat("the query took longer than limits.query_timeout (",
                                              FormatDuration(timeout_ns_),
                                              "): narrow its time range or filter"));
  }
  return absl::OkStatus();
}

void QueryBudget::Charge(uint64_t bytes) const {
  if (used_bytes_ != nullptr) used_bytes_->fetch_add(bytes, std::memory_order_relaxed);
}

}  // namespace mayak
