#include "query/live_tail.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/strings.h"

namespace mayak {

LiveTail::LiveTail(LiveTailOptions options, MetricsRegistry* metrics)
    : options_(options),
      open_tails_(metrics->GetGauge("mayak_tail_open", "Live tails open.")),
      missed_records_(metrics->GetCounter(
          "mayak_tail_missed_records_total",
          "Records live tails missed because the tail thread fell behind ingest.")),
      ended_tails_(metrics->GetCounter(
          "mayak_tail_ended_total",
          "Live tails ended by the server: their reader was too slow or had gone.")),
      thread_([this] { Run(); }) {}

LiveTail::~LiveTail() { Stop(); }

absl::StatusOr<uint64_t> LiveTail::Subscribe(Filter filter, std::shared_ptr<Sink> sink) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return absl::UnavailableError("the server is shutting down");
  if (tails_.size() >= options_.max_tails) {
    return absl::ResourceExhaustedError(
        StrCat(tails_.size(),
               " live tails are open, the most limits.max_tails allows: "
               "close one, or raise the limit"));
  }
  auto tail = std::make_shared<Tail>();
  tail->id = next_id_++;
  tail->filter = std::move(filter);
  tail->sink = std::move(sink);
  tails_.push_back(tail);
  tail_count_.store(tails_.size());
  open_tails_->Set(static_cast<int64_t>(tails_.size()));
  return tail->id;
}

void LiveTail::Unsubscribe(uint64_t id) {
  absl::MutexLock lock(&mu_);
  std::erase_if(tails_, [id](const auto& t) { return t->id == id; });
  tail_count_.store(tails_.size());
  open_tails_->Set(static_cast<int64_t>(tails_.size()));
}

void LiveTail::Publish(std::shared_ptr<const std::vector<LogRecord>> records) {
  if (tail_count_.load(std::memory_order_relaxed) == 0 || records->empty()) return;
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  backlog_records_ += records->size();
  batches_.push_back(std::move(records));
  while (backlog_records_ > options_.max_backlog_records && batches_.size() > 1) {
    backlog_records_ -= batches_.front()->size();
    missed_ += batches_.front()->size();
    missed_records_->Add(batches_.front()->size());
    batches_.pop_front();
  }
}

void LiveTail::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopped_ && !thread_.joinable()) return;
    stopped_ = true;
  }
  if (thread_.joinable()) thread_.join();
  absl::MutexLock lock(&mu_);
  tails_.clear();
  tail_count_.store(0);
  open_tails_->Set(0);
}

void LiveTail::Run() {
  auto last_delivery = absl::Now();
  const absl::Duration heartbeat = absl::Nanoseconds(options_.heartbeat_ns);
  std::vector<const LogRecord*> matches;
  while (true) {
    std::deque<std::shared_ptr<const std::vector<LogRecord>>> batches;
    std::vector<std::shared_ptr<const Tail>> tails;
    uint64_t missed = 0;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this] { return stopped_ || !batches_.empty() || missed_ > 0; };
      mu_.AwaitWithDeadline(absl::Condition(&ready), last_delivery + heartbeat);
      if (stopped_) return;
      batches.swap(batches_);
      backlog_records_ = 0;
      missed = missed_;
      missed_ = 0;
      tails = tails_;
    }
    const bool heartbeat_due = absl::Now() >= last_delivery + heartbeat;
    if (batches.empty() && missed == 0 && !heartbeat_due) continue;
    last_delivery = absl::Now();
    std::vector<uint64_t> ended;
    for (const auto& tail : tails) {
      matches.clear();
      for (const auto& batch : batches) {
        for (const LogRecord& r : *batch) {
          if (tail->filter.Matches(r)) matches.push_back(&r);
        }
      }
      if (matches.empty() && missed == 0 && !heartbeat_due) continue;
      if (!tail->sink->Deliver(matches, missed)) ended.push_back(tail->id);
    }
    for (uint64_t id : ended) {
      ended_tails_->Add();
      Unsubscribe(id);
    }
  }
}

}  // namespace mayak
