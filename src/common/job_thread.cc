#include "common/job_thread.h"

namespace mayak {

JobThread::JobThread() : thread_([this] { Run(); }) {}

JobThread::~JobThread() { Stop(); }

void JobThread::Post(Job job) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_) {
      queue_.push_back(std::move(job));
      return;
    }
  }
  job(stopping_);
}

void JobThread::Stop() {
  stopping_ = true;
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void JobThread::Run() {
  for (;;) {
    Job job;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](JobThread* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
            return self->stopped_ || !self->queue_.empty();
          },
          this));
      if (queue_.empty()) return;  // stopped, and nothing left to tell
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(stopping_);  // after Stop() it sees stopping_ and answers at once
  }
}

}  // namespace mayak
