// A thread of its own for requests that take long (archive restores): jobs
// run one at a time, in order, without holding an HTTP thread. Stop() tells
// the running and the waiting jobs to give up (they see `stopping`) and
// joins the thread.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace mayak {

class JobThread {
 public:
  using Job = std::function<void(const std::atomic<bool>& stopping)>;

  JobThread();
  ~JobThread();
  JobThread(const JobThread&) = delete;
  JobThread& operator=(const JobThread&) = delete;

  // Queues `job`; after Stop() it runs at once, on the caller's thread, with
  // `stopping` set, so it can answer that it was not done.
  void Post(Job job);
  void Stop();

 private:
  void Run();

  absl::Mutex mu_;
  std::deque<Job> queue_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace mayak
