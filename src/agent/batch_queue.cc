#include "agent/batch_queue.h"

namespace mayak::agent {

std::string_view Batch::Event(size_t i) const {
  const size_t start = event_starts[i];
  const size_t end = i + 1 < event_starts.size() ? event_starts[i + 1] : body.size();
  return std::string_view(body).substr(start, end - start);
}

BatchQueue::FileWriter::FileWriter(BatchQueue* queue, uint64_t fingerprint, std::string_view path)
    : queue_(queue), lock_(&queue->mu_), fingerprint_(fingerprint), path_(path) {}

BatchQueue::FileWriter::~FileWriter() { NoteProgress(); }

std::string* BatchQueue::FileWriter::BeginEvent(int64_t now_ns) {
  return queue_->BeginEventLocked(now_ns);
}

void BatchQueue::FileWriter::EndEvent(int64_t end_offset) {
  end_offset_ = end_offset;
  if (queue_->FullLocked()) {
    NoteProgress();
    queue_->SealLocked();
  }
}

void BatchQueue::FileWriter::NoteProgress() {
  if (end_offset_ < 0) return;
  FileProgress& progress = queue_->open_.files[fingerprint_];
  if (progress.path != path_) progress.path = std::string(path_);
  progress.end_offset = end_offset_;
  end_offset_ = -1;
}

void BatchQueue::Add(std::string_view encoded, uint64_t fingerprint, const std::string& path,
                     int64_t end_offset, int64_t now_ns) {
  FileWriter writer(this, fingerprint, path);
  writer.BeginEvent(now_ns)->append(encoded);
  writer.EndEvent(end_offset);
}

std::string* BatchQueue::BeginEventLocked(int64_t now_ns) {
  if (open_.event_starts.empty()) open_.first_event_ns = now_ns;
  open_.event_starts.push_back(static_cast<uint32_t>(open_.body.size()));
  return &open_.body;
}

bool BatchQueue::FullLocked() const {
  return open_.body.size() >= limits_.batch_bytes || open_.events() >= limits_.batch_events;
}

void BatchQueue::AddAcked(std::string_view encoded, int64_t now_ns,
                          std::function<void()> on_stored) {
  absl::MutexLock lock(&mu_);
  BeginEventLocked(now_ns)->append(encoded);
  open_.on_stored.push_back(std::move(on_stored));
  if (FullLocked()) SealLocked();
}

void BatchQueue::SealIfDue(int64_t now_ns, bool force) {
  absl::MutexLock lock(&mu_);
  if (open_.events() == 0) return;
  if (force || now_ns - open_.first_event_ns >= limits_.batch_wait_ns) SealLocked();
}

void BatchQueue::SealLocked() {
  bytes_ += open_.body.size();
  events_ += open_.events();
  sealed_.push_back(std::move(open_));
  open_ = Batch();
  if (!spare_bodies_.empty()) {
    open_.body = std::move(spare_bodies_.back());
    spare_bodies_.pop_back();
    open_.body.clear();
  }
}

void BatchQueue::Recycle(std::string body) {
  absl::MutexLock lock(&mu_);
  // One: the reader fills it while the sender sends the last.
  if (spare_bodies_.empty() && body.capacity() <= 2 * limits_.batch_bytes + (1 << 20)) {
    spare_bodies_.push_back(std::move(body));
  }
}

bool BatchQueue::HasRoom() const {
  absl::MutexLock lock(&mu_);
  return HasRoomLocked();
}

bool BatchQueue::HasRoomLocked() const { return bytes_ + open_.body.size() < limits_.max_bytes; }

void BatchQueue::WaitForRoom(int64_t timeout_ns) const {
  absl::MutexLock lock(&mu_);
  const auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return HasRoomLocked(); };
  mu_.AwaitWithTimeout(absl::Condition(&room), absl::Nanoseconds(timeout_ns));
}

int64_t BatchQueue::NsUntilDue(int64_t now_ns) const {
  absl::MutexLock lock(&mu_);
  if (open_.events() == 0) return limits_.batch_wait_ns;
  return open_.first_event_ns + limits_.batch_wait_ns - now_ns;
}

std::optional<Batch> BatchQueue::Pop(int64_t timeout_ns) {
  absl::MutexLock lock(&mu_);
  const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !sealed_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Nanoseconds(timeout_ns));
  if (sealed_.empty()) return std::nullopt;
  Batch batch = std::move(sealed_.front());
  sealed_.pop_front();
  return batch;
}

void BatchQueue::Release(const Batch& batch) {
  absl::MutexLock lock(&mu_);
  bytes_ -= batch.body.size();
  events_ -= batch.events();
}

size_t BatchQueue::queued_bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_ + open_.body.size();
}

size_t BatchQueue::queued_events() const {
  absl::MutexLock lock(&mu_);
  return events_ + open_.events();
}

}  // namespace mayak::agent
