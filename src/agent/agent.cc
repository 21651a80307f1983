#include "agent/agent.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

#include "absl/time/clock.h"
#include "common/logging.h"
#include "common/strings.h"

namespace mayak::agent {
namespace {

constexpr size_t kReadBudgetPerFile = 256 * 1024;
constexpr int64_t kIdlePollNs = 50'000'000;
constexpr int64_t kRegistryKeepNs = 30LL * 24 * 3600 * 1'000'000'000;
constexpr size_t kLoggedRejections = 10;  // a batch; the rest are counted

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

absl::Status MakeDirs(const std::string& dir) {
  std::string path;
  for (std::string_view part : Split(dir, '/')) {
    path += path.empty() && dir[0] == '/' ? "/" : (path.empty() ? "" : "/");
    path += part;
    if (part.empty()) continue;
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(
          StrCat("cannot create the agent's data directory ", dir, ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Agent>> Agent::Create(AgentConfig config, MetricsRegistry* metrics) {
  if (config.data_dir.empty()) {
    return absl::InvalidArgumentError(
        "no data directory for the registry: give --data-dir or data_dir in the configuration");
  }
  if (absl::Status made = MakeDirs(config.data_dir); !made.ok()) return made;
  auto registry = FileRegistry::Open(config.data_dir);
  if (!registry.ok()) return registry.status();
  auto output = HttpOutput::Create(config.output);
  if (!output.ok()) return output.status();
  std::unique_ptr<Agent> agent(
      new Agent(config, metrics, *std::move(registry), *std::move(output)));
  for (const FileInputConfig& file : agent->config_.files) {
    auto input = FileInput::Create(file, agent->config_.output, agent->registry_.get());
    if (!input.ok()) {
      return absl::InvalidArgumentError(StrCat(file.name, ": ", input.status().message()));
    }
    agent->files_.push_back(*std::move(input));
  }
  if (agent->config_.buffer_bytes > 0) {
    auto buffer =
        DiskBuffer::Open(agent->config_.data_dir + "/buffer", agent->config_.buffer_bytes);
    if (!buffer.ok()) return buffer.status();
    agent->buffer_ = *std::move(buffer);
    agent->PublishBufferSize();
    if (!agent->buffer_->empty()) {
      LogInfo("agent: batches buffered on disk by a previous run are sent first",
              {{"batches", agent->buffer_->batches()}, {"bytes", agent->buffer_->bytes()}});
    }
  }
  for (const RabbitmqInputConfig& rabbitmq : agent->config_.rabbitmq) {
    agent->rabbitmq_.push_back(
        std::make_unique<RabbitmqInput>(rabbitmq, agent->config_.output, &agent->queue_, metrics));
  }
  return agent;
}

Agent::Agent(AgentConfig config, MetricsRegistry* metrics, std::unique_ptr<FileRegistry> registry,
             std::unique_ptr<HttpOutput> output)
    : config_(std::move(config)),
      metrics_(metrics),
      registry_(std::move(registry)),
      output_(std::move(output)),
      queue_(BatchLimits{config_.output.batch_bytes, config_.output.batch_events,
                         config_.output.batch_wait_ns, config_.queue_bytes}),
      events_sent_(metrics->GetCounter("mayak_agent_events_sent_total",
                                       "Events the output acknowledged as stored.")),
      events_rejected_(metrics->GetCounter(
          "mayak_agent_events_rejected_total",
          "Events the output refused for good (logged with the reason; not sent again).")),
      events_duplicate_(metrics->GetCounter(
          "mayak_agent_events_duplicate_total",
          "Events the output already had (an Elasticsearch 409 after a resend).")),
      bytes_read_(metrics->GetCounter("mayak_agent_read_bytes_total", "Bytes read from files.")),
      batches_sent_(metrics->GetCounter("mayak_agent_batches_sent_total",
                                        "Batches the output acknowledged.")),
      send_failures_(metrics->GetCounter(
          "mayak_agent_send_retries_total",
          "Sends that failed (server down, slow, refusing) and were retried after a backoff.")),
      registry_failures_(metrics->GetCounter("mayak_agent_registry_save_failures_total",
                                             "Failed saves of the registry (retried).")) {
  metrics->AddCallbackGauge("mayak_agent_queued_events",
                            "Events read and not yet acknowledged (in memory).",
                            [this] { return static_cast<double>(queue_.queued_events()); });
  metrics->AddCallbackGauge("mayak_agent_buffered_batches",
                            "Batches in the disk buffer, waiting for the output.",
                            [this] { return static_cast<double>(buffered_batches_.load()); });
  metrics->AddCallbackGauge("mayak_agent_buffered_events",
                            "Events in the disk buffer, waiting for the output.",
                            [this] { return static_cast<double>(buffered_events_.load()); });
  metrics->AddCallbackGauge("mayak_agent_buffered_bytes", "Bytes of the disk buffer.",
                            [this] { return static_cast<double>(buffered_bytes_.load()); });
  metrics->AddCallbackGauge("mayak_agent_queued_bytes",
                            "Bytes of encoded events read and not yet acknowledged.",
                            [this] { return static_cast<double>(queue_.queued_bytes()); });
}

Agent::~Agent() {
  if (reader_.joinable() || sender_.joinable() || !rabbitmq_threads_.empty()) Stop(0);
}

void Agent::Start() {
  LogInfo("agent: starting", {{"inputs", config_.files.size() + config_.rabbitmq.size()},
                              {"output", output_->target()},
                              {"registry", registry_->path()},
                              {"files_known", registry_->size()}});
  reader_ = std::thread([this] { ReadLoop(); });
  sender_ = std::thread([this] { SendLoop(); });
  for (auto& input : rabbitmq_) {
    rabbitmq_threads_.emplace_back(
        [this, input = input.get()] { input->Run(stopping_, acks_done_); });
  }
}

void Agent::Stop(int64_t grace_ns) {
  deadline_ns_.store(SteadyNowNs() + grace_ns);
  stopping_.store(true);
  if (!stop_requested_.HasBeenNotified()) stop_requested_.Notify();
  if (reader_.joinable()) reader_.join();
  if (sender_.joinable()) sender_.join();
  // The sender is done: RabbitMQ inputs send its last acks and close.
  acks_done_.store(true);
  for (std::thread& thread : rabbitmq_threads_) thread.join();
  rabbitmq_threads_.clear();
  if (absl::Status saved = registry_->Save(); !saved.ok()) {
    LogError("agent: cannot save the registry", {{"error", std::string(saved.message())}});
  }
  LogInfo("agent: stopped", {{"unsent_events", queue_.queued_events()}});
}

void Agent::ReadLoop() {
  bool first = true;
  int64_t next_scan = 0;
  int64_t next_prune = 0;
  int64_t next_save = 0;
  while (!stopping_.load()) {
    const int64_t now = absl::GetCurrentTimeNanos();
    if (now >= next_save) {
      // Acknowledged offsets, at most registry_flush after the sender
      // advanced them (a write and two fsyncs a batch would cost more
      // than the batch).
      SaveRegistry();
      next_save = now + config_.registry_flush_ns;
    }
    if (now >= next_scan) {
      size_t opened = 0;
      for (auto& input : files_) opened += input->Scan(first);
      first = false;
      if (opened > 0) {
        // Files seen for the first time are known at once: a crash before
        // the next save would otherwise start them over (or, with
        // start_at: end, skip what was written meanwhile).
        SaveRegistry();
        next_save = now + config_.registry_flush_ns;
      }
      next_scan = now + config_.scan_interval_ns;
      std::vector<FileLag> lags;
      for (const auto& input : files_) {
        for (FileLag& lag : input->Lags()) lags.push_back(std::move(lag));
      }
      absl::MutexLock lock(&lags_mu_);
      lags_ = std::move(lags);
    }
    if (now >= next_prune) {
      registry_->Prune(now - kRegistryKeepNs, [this](uint64_t fingerprint) {
        for (const auto& input : files_) {
          if (input->HasOpen(fingerprint)) return true;
        }
        return false;
      });
      next_prune = now + 3600LL * 1'000'000'000;
    }
    size_t read = 0;
    for (auto& input : files_) {
      if (queue_.HasRoom()) read += input->Read(kReadBudgetPerFile, now, &queue_);
    }
    bytes_read_->Add(read);
    for (auto& input : files_) input->Tick(now, &queue_);
    queue_.SealIfDue(now);
    if (read > 0) continue;
    if (!queue_.HasRoom()) {
      queue_.WaitForRoom(kIdlePollNs);  // backpressure: on as soon as a batch is acknowledged
    } else {
      // Nothing new: look again soon, or when the open batch is due.
      const int64_t wait = std::min(kIdlePollNs, std::max<int64_t>(queue_.NsUntilDue(now), 0));
      stop_requested_.WaitForNotificationWithTimeout(absl::Nanoseconds(wait));
    }
  }
  const int64_t now = absl::GetCurrentTimeNanos();
  for (auto& input : files_) input->FlushAll(now, &queue_);
  queue_.SealIfDue(now, /*force=*/true);
  reader_done_.store(true);
}

void Agent::AdvanceRegistry(const Batch& batch) {
  for (const auto& [fingerprint, progress] : batch.files) {
    registry_->Advance(fingerprint, progress.path, progress.end_offset,
                       absl::GetCurrentTimeNanos());
  }
  if (config_.registry_flush_ns == 0) SaveRegistry();
}

void Agent::SaveRegistry() {
  if (absl::Status saved = registry_->Save(); !saved.ok()) {
    registry_failures_->Add();
    LogWarn("agent: cannot save the registry", {{"error", std::string(saved.message())}});
  }
}

void Agent::Stored(const Batch& batch) {
  AdvanceRegistry(batch);
  for (const auto& callback : batch.on_stored) callback();
  batches_sent_->Add();
}

bool Agent::Buffer(const Batch& batch) {
  // A RabbitMQ message is acked only once the server has it: not buffered.
  if (buffer_ == nullptr || !batch.on_stored.empty() || !buffer_->HasRoom(batch)) return false;
  if (absl::Status written = buffer_->Write(batch); !written.ok()) {
    LogWarn("agent: cannot write to the disk buffer; keeping the batch in memory",
            {{"error", std::string(written.message())}});
    return false;
  }
  if (!buffer_logged_) {
    LogWarn("agent: the output is not taking events; buffering them on disk",
            {{"buffer_bytes", buffer_->bytes()}});
    buffer_logged_ = true;
  }
  // On disk now: the files may move on (and be rotated away).
  AdvanceRegistry(batch);
  PublishBufferSize();
  return true;
}

void Agent::PublishBufferSize() {
  buffered_batches_.store(buffer_->batches());
  buffered_bytes_.store(buffer_->bytes());
  buffered_events_.store(buffer_->events());
}

void Agent::BufferQueued() {
  while (held_.empty()) {
    std::optional<Batch> batch = queue_.Pop(0);
    if (!batch) return;
    if (Buffer(*batch)) {
      queue_.Release(*batch);
    } else {
      held_.push_back(std::move(*batch));  // after the buffer, in order
    }
  }
}

bool Agent::DrainBuffer() {
  for (int attempt = 0; buffer_ != nullptr && !buffer_->empty(); ++attempt) {
    BufferQueued();  // the reader keeps going while the server is away
    absl::StatusOr<std::optional<Batch>> oldest = buffer_->Oldest();
    if (oldest.ok() && oldest->has_value()) {
      if (Deliver(**oldest, /*once=*/true) == Delivery::kStored) {
        if (absl::Status removed = buffer_->RemoveOldest(); !removed.ok()) {
          LogWarn("agent: cannot delete a delivered batch from the disk buffer",
                  {{"error", std::string(removed.message())}});
        }
        batches_sent_->Add();
        PublishBufferSize();
        attempt = -1;
        if (buffer_->empty()) {
          LogInfo("agent: the disk buffer is delivered");
          buffer_logged_ = false;
        }
        continue;
      }
    }
    if (stopping_.load() && SteadyNowNs() >= deadline_ns_.load()) return false;
    Backoff(attempt);
  }
  return true;
}

void Agent::SendLoop() {
  while (true) {
    if (!DrainBuffer()) return;  // stopping, out of time: the buffer stays for the next start
    std::optional<Batch> batch;
    if (!held_.empty()) {
      batch = std::move(held_.front());
      held_.pop_front();
    } else {
      batch = queue_.Pop(100'000'000);
    }
    if (!batch) {
      // The reader is done when stopping; RabbitMQ inputs stop adding then too.
      if (reader_done_.load() && queue_.queued_events() == 0) return;
      if (stopping_.load() && SteadyNowNs() >= deadline_ns_.load()) return;
      continue;
    }
    Delivery delivery = Deliver(*batch, /*once=*/buffer_ != nullptr);
    if (delivery == Delivery::kFailed && Buffer(*batch)) {
      queue_.Release(*batch);
      continue;
    }
    if (delivery == Delivery::kFailed) delivery = Deliver(*batch, /*once=*/false);
    if (delivery != Delivery::kStored) {
      // Stopping, out of time: on disk if it fits, else read again next time.
      if (Buffer(*batch)) BufferQueued();
      queue_.Release(*batch);
      for (const Batch& held : held_) queue_.Release(held);
      held_.clear();
      return;
    }
    Stored(*batch);
    queue_.Release(*batch);
    queue_.Recycle(std::move(batch->body));
  }
}

Agent::Delivery Agent::Deliver(const Batch& batch, bool once) {
  std::vector<size_t> retry;
  bool partial = false;
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<SendResult> result = output_->Send(batch, partial ? &retry : nullptr);
    if (result.ok()) {
      events_sent_->Add(result->stored);
      events_duplicate_->Add(result->duplicates);
      events_rejected_->Add(result->rejected.size());
      for (size_t i = 0; i < result->rejected.size() && i < kLoggedRejections; ++i) {
        const Rejection& r = result->rejected[i];
        std::string_view event = batch.Event(r.event);
        if (event.size() > 500) event = event.substr(0, 500);
        LogWarn("agent: the server refused an event; it is not sent again",
                {{"reason", r.reason}, {"event", StripWhitespace(event)}});
      }
      if (result->rejected.size() > kLoggedRejections) {
        LogWarn("agent: more events refused in the same batch",
                {{"count", result->rejected.size() - kLoggedRejections}});
      }
      if (result->retry.empty()) return Delivery::kStored;
      retry = std::move(result->retry);
      partial = true;
    } else {
      send_failures_->Add();
      if (attempt == 0 || attempt % 10 == 0) {
        LogWarn("agent: cannot send; retrying", {{"error", std::string(result.status().message())},
                                                 {"attempt", attempt + 1},
                                                 {"events", batch.events()}});
      }
    }
    // Partly stored (Elasticsearch items to retry) counts as failed once: a
    // resend of the whole batch is answered 409 for the stored ones.
    if (once) return Delivery::kFailed;
    if (stopping_.load() && SteadyNowNs() >= deadline_ns_.load()) return Delivery::kGaveUp;
    Backoff(attempt);
  }
}

void Agent::Backoff(int attempt) {
  const double base =
      static_cast<double>(config_.output.backoff_min_ns) * std::pow(2.0, std::min(attempt, 30));
  const double capped = std::min(base, static_cast<double>(config_.output.backoff_max_ns));
  thread_local std::mt19937_64 random(std::random_device{}());
  // Full jitter over the upper half: agents that lost the same server do not
  // come back in step.
  const double jittered = capped * std::uniform_real_distribution<double>(0.5, 1.0)(random);
  int64_t wait = static_cast<int64_t>(jittered);
  if (stopping_.load())
    wait = std::min(wait, std::max<int64_t>(0, deadline_ns_.load() - SteadyNowNs()));
  // Stop() wakes a reader waiting on the notification; the sender sleeps in
  // slices so that it notices the deadline.
  const int64_t end = SteadyNowNs() + wait;
  while (SteadyNowNs() < end) {
    std::this_thread::sleep_for(
        std::chrono::nanoseconds(std::min<int64_t>(end - SteadyNowNs(), 50'000'000)));
    if (stopping_.load() && SteadyNowNs() >= deadline_ns_.load()) return;
  }
}

std::string Agent::RenderMetrics() const {
  std::string text = metrics_->RenderPrometheus();
  absl::MutexLock lock(&lags_mu_);
  text += "# HELP mayak_agent_file_lag_bytes Bytes of a file not read yet.\n";
  text += "# TYPE mayak_agent_file_lag_bytes gauge\n";
  for (const FileLag& lag : lags_) {
    StrAppend(&text, "mayak_agent_file_lag_bytes",
              RenderMetricLabels({{"input", lag.input}, {"path", lag.path}}), " ",
              std::max<int64_t>(0, lag.size - lag.read_offset), "\n");
  }
  return text;
}

}  // namespace mayak::agent
