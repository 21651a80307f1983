#include "query/live_tail.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "support/eventually.h"

namespace mayak {
namespace {

using testing::Eventually;

// Keeps what it is given; refuses deliveries once `accept` is cleared.
class RecordingSink : public LiveTail::Sink {
 public:
  bool Deliver(const std::vector<const LogRecord*>& records, uint64_t missed_now) override {
    absl::MutexLock lock(&mu);
    for (const LogRecord* r : records) messages.push_back(r->message);
    missed += missed_now;
    ++calls;
    if (block_first && calls == 1) {
      mu.Await(absl::Condition(
          +[](bool* flag) { return *flag; }, &released));
    }
    return accept;
  }
  absl::Mutex mu;
  std::vector<std::string> messages ABSL_GUARDED_BY(mu);
  uint64_t missed ABSL_GUARDED_BY(mu) = 0;
  int calls ABSL_GUARDED_BY(mu) = 0;
  bool accept ABSL_GUARDED_BY(mu) = true;
  bool block_first = false;
  bool released ABSL_GUARDED_BY(mu) = false;
};

std::shared_ptr<const std::vector<LogRecord>> Batch(std::vector<std::string> messages,
                                                    std::string service = "shop-api") {
  auto batch = std::make_shared<std::vector<LogRecord>>();
  for (std::string& m : messages) {
    LogRecord r;
    r.message = std::move(m);
    r.service = service;
    batch->push_back(std::move(r));
  }
  return batch;
}

Filter MustParse(std::string_view q) {
  auto filter = Filter::Parse(q);
  EXPECT_TRUE(filter.ok()) << filter.status();
  return *std::move(filter);
}

TEST(LiveTailTest, EachTailGetsTheRecordsItsFilterMatchesInOrder) {
  MetricsRegistry metrics;
  LiveTail tail(LiveTailOptions{}, &metrics);
  auto errors = std::make_shared<RecordingSink>();
  auto crm = std::make_shared<RecordingSink>();
  ASSERT_TRUE(tail.Subscribe(MustParse("timeout"), errors).ok());
  ASSERT_TRUE(tail.Subscribe(MustParse("service.name:crm-api"), crm).ok());
  EXPECT_EQ(tail.tails(), 2u);
  tail.Publish(Batch({"db timeout", "ok", "another timeout"}));
  tail.Publish(Batch({"crm timeout"}, "crm-api"));
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&errors->mu);
    return errors->messages.size() == 3;
  }));
  {
    absl::MutexLock lock(&errors->mu);
    EXPECT_EQ(errors->messages,
              (std::vector<std::string>{"db timeout", "another timeout", "crm timeout"}));
  }
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&crm->mu);
    return crm->messages.size() == 1;
  }));
  absl::MutexLock lock(&crm->mu);
  EXPECT_EQ(crm->messages[0], "crm timeout");
}

TEST(LiveTailTest, ARefusingSinkEndsItsTail) {
  MetricsRegistry metrics;
  LiveTail tail(LiveTailOptions{}, &metrics);
  auto sink = std::make_shared<RecordingSink>();
  {
    absl::MutexLock lock(&sink->mu);
    sink->accept = false;
  }
  ASSERT_TRUE(tail.Subscribe(MustParse(""), sink).ok());
  tail.Publish(Batch({"a"}));
  ASSERT_TRUE(Eventually([&] { return tail.tails() == 0; }));
  tail.Publish(Batch({"b"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  absl::MutexLock lock(&sink->mu);
  EXPECT_EQ(sink->messages, std::vector<std::string>{"a"});
  EXPECT_NE(metrics.RenderPrometheus().find("mayak_tail_ended_total 1"), std::string::npos);
}

TEST(LiveTailTest, FallingBehindDropsTheOldestBatchesAndSaysHowMany) {
  MetricsRegistry metrics;
  LiveTailOptions options;
  options.max_backlog_records = 4;
  LiveTail tail(options, &metrics);
  auto sink = std::make_shared<RecordingSink>();
  sink->block_first = true;  // the tail thread is stuck in the first delivery
  ASSERT_TRUE(tail.Subscribe(MustParse(""), sink).ok());
  tail.Publish(Batch({"first"}));
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&sink->mu);
    return sink->calls == 1;
  }));
  // Publishing never waits for the stuck reader.
  for (int i = 0; i < 10; ++i) tail.Publish(Batch({"x" + std::to_string(i), "y"}));
  {
    absl::MutexLock lock(&sink->mu);
    sink->released = true;
  }
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&sink->mu);
    return sink->messages.size() == 5;  // first, then the newest 4 records
  }));
  absl::MutexLock lock(&sink->mu);
  EXPECT_EQ(sink->missed, 16u);
  EXPECT_EQ(sink->messages, (std::vector<std::string>{"first", "x8", "y", "x9", "y"}));
}

TEST(LiveTailTest, HeartbeatsReachIdleTails) {
  MetricsRegistry metrics;
  LiveTailOptions options;
  options.heartbeat_ns = 20'000'000;  // 20 ms
  LiveTail tail(options, &metrics);
  auto sink = std::make_shared<RecordingSink>();
  ASSERT_TRUE(tail.Subscribe(MustParse("nothing-matches-this"), sink).ok());
  ASSERT_TRUE(Eventually([&] {
    absl::MutexLock lock(&sink->mu);
    return sink->calls >= 2;
  }));
  absl::MutexLock lock(&sink->mu);
  EXPECT_TRUE(sink->messages.empty());
}

TEST(LiveTailTest, TooManyTailsAndStopping) {
  MetricsRegistry metrics;
  LiveTailOptions options;
  options.max_tails = 1;
  LiveTail tail(options, &metrics);
  auto first = tail.Subscribe(MustParse(""), std::make_shared<RecordingSink>());
  ASSERT_TRUE(first.ok());
  auto second = tail.Subscribe(MustParse(""), std::make_shared<RecordingSink>());
  EXPECT_TRUE(absl::IsResourceExhausted(second.status())) << second.status();
  EXPECT_NE(second.status().message().find("limits.max_tails"), std::string::npos);
  tail.Unsubscribe(*first);
  EXPECT_TRUE(tail.Subscribe(MustParse(""), std::make_shared<RecordingSink>()).ok());
  tail.Stop();
  EXPECT_EQ(tail.tails(), 0u);
  EXPECT_TRUE(absl::IsUnavailable(
      tail.Subscribe(MustParse(""), std::make_shared<RecordingSink>()).status()));
}

}  // namespace
}  // namespace mayak
