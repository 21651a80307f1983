#include "common/job_thread.h"

#include <future>
#include <vector>

#include "gtest/gtest.h"

namespace mayak {
namespace {

TEST(JobThreadTest, RunsJobsInOrderOffTheCallersThread) {
  JobThread jobs;
  std::vector<int> order;
  std::promise<std::thread::id> ran_on;
  for (int i = 0; i < 3; ++i) {
    jobs.Post([&order, i](const std::atomic<bool>& stopping) {
      EXPECT_FALSE(stopping);
      order.push_back(i);
    });
  }
  jobs.Post([&ran_on](const std::atomic<bool>&) { ran_on.set_value(std::this_thread::get_id()); });
  EXPECT_NE(ran_on.get_future().get(), std::this_thread::get_id());
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

TEST(JobThreadTest, StopTellsTheRunningAndWaitingJobsToGiveUp) {
  JobThread jobs;
  std::promise<void> started;
  std::atomic<bool> first_saw_stop{false};
  std::atomic<bool> second_saw_stop{false};
  jobs.Post([&](const std::atomic<bool>& stopping) {
    started.set_value();
    while (!stopping) std::this_thread::yield();
    first_saw_stop = true;
  });
  jobs.Post([&](const std::atomic<bool>& stopping) { second_saw_stop = stopping.load(); });
  started.get_future().wait();
  jobs.Stop();
  EXPECT_TRUE(first_saw_stop);
  EXPECT_TRUE(second_saw_stop);
  // After Stop a job still runs, to answer it was not done.
  bool late_saw_stop = false;
  jobs.Post([&](const std::atomic<bool>& stopping) { late_saw_stop = stopping.load(); });
  EXPECT_TRUE(late_saw_stop);
}

}  // namespace
}  // namespace mayak
